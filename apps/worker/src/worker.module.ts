import { Module, type DynamicModule } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { ConfigModule, EventStoreModule, WorkerLoopsModule } from '@planledger/runtime';
import { WorkerHealthServer } from './worker-health.server';

@Module({})
export class WorkerModule {
  static forRoot(config: PlanLedgerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), EventStoreModule, WorkerLoopsModule.forRoot(config)],
      providers: [WorkerHealthServer],
    };
  }
}
