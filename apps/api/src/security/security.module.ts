import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Access, AggregateCache, Planning } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { PLANLEDGER_CONFIG, REDIS } from '@planledger/runtime';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { CredentialThrottlerGuard, FAILED_BY_ADDRESS, FAILED_BY_KEY, RATE_LIMIT, RedisOrMemoryThrottlerStorage } from './rate-limit';
import { AccessController } from './access.controller';
import { AccessGuard } from './access.guard';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { Authenticator } from './authenticator';
import { StreamSlots } from '../http/stream-slots';

/**
 * Authentication and authorization for every route, plus the use cases they rest on. Global, so
 * the planning module shares the same Planning (and so the same aggregate cache) as the guard.
 */
@Global()
@Module({})
export class SecurityModule {
  static forRoot(settings: AuthSettings): DynamicModule {
    return {
      module: SecurityModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [PLANLEDGER_CONFIG, REDIS],
          useFactory: (config: PlanLedgerConfig, redis: Redis) => ({
            throttlers: [
              { name: RATE_LIMIT, ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE },
              { name: FAILED_BY_ADDRESS, ttl: 60_000, limit: config.AUTH_FAILURES_PER_MINUTE },
              { name: FAILED_BY_KEY, ttl: 60_000, limit: config.AUTH_FAILURES_PER_MINUTE },
            ],
            storage: new RedisOrMemoryThrottlerStorage(redis),
          }),
        }),
      ],
      controllers: [AccessController],
      providers: [
        { provide: AUTH_SETTINGS, useValue: settings },
        {
          provide: AggregateCache,
          inject: [PLANLEDGER_CONFIG],
          useFactory: (config: PlanLedgerConfig) => new AggregateCache(config.AGGREGATE_CACHE_SIZE),
        },
        {
          provide: Planning,
          inject: [EVENT_STORE, AggregateCache],
          useFactory: (store: EventStore, cache: AggregateCache) => new Planning(store, cache),
        },
        {
          provide: Access,
          inject: [EVENT_STORE, AggregateCache],
          useFactory: (store: EventStore, cache: AggregateCache) => new Access(store, cache),
        },
        Authenticator,
        StreamSlots,
        // Guards run in this order: count the request first, so a flood never reaches token checks.
        { provide: APP_GUARD, useClass: CredentialThrottlerGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [Planning, Access, AggregateCache, Authenticator, AUTH_SETTINGS, StreamSlots],
    };
  }
}
