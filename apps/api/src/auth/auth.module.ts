import { Global, Module } from '@nestjs/common';
import { EVENT_STORE, sqlClientOf, type EventStore } from '@planledger/event-store';
import { Accounts } from './accounts.service';
import { AuthController } from './auth.controller';
import { SIGN_IN_STORE } from './auth.tokens';
import { OidcClient } from './oidc.client';
import { PeopleController } from './people.controller';
import { MemorySignInStore, SqlSignInStore, type SignInStore } from './session-store';
import { Sessions } from './sessions.service';
import { SignInLinks } from './sign-in-links';
import { SignInThrottle } from './sign-in-throttle';

/**
 * People signing in: sessions, local accounts, the identity provider and one-time links. Global,
 * so the AccessGuard (in the security module) resolves sessions through the same providers.
 */
@Global()
@Module({
  controllers: [AuthController, PeopleController],
  providers: [
    {
      provide: SIGN_IN_STORE,
      inject: [EVENT_STORE],
      // Beside the events when they are in SQL (migration 3 made the tables); in memory otherwise.
      useFactory: (store: EventStore): SignInStore => {
        const sql = sqlClientOf(store);
        return sql ? new SqlSignInStore(sql) : new MemorySignInStore();
      },
    },
    Sessions,
    Accounts,
    SignInLinks,
    SignInThrottle,
    OidcClient,
  ],
  exports: [Sessions, Accounts, SignInLinks],
})
export class AuthModule {}
