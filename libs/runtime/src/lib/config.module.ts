import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';

/** DI token for the parsed PlanLedgerConfig. */
export const PLANLEDGER_CONFIG = Symbol.for('planledger.Config');

/**
 * Makes the configuration parsed in `main.ts` injectable. It is parsed before Nest starts so a
 * bad value stops the process with one line, not a stack of framework logs.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: PlanLedgerConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: PLANLEDGER_CONFIG, useValue: config }], exports: [PLANLEDGER_CONFIG] };
  }
}
