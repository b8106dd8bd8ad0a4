import { Module, type DynamicModule } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { AlertDispatcher } from './alerts/alert-dispatcher';
import { AlertJobs } from './alerts/alert-jobs';
import { AlertsCoreModule } from './alerts/alerts.module';
import type { Clock } from './alerts/clock';
import { PLANLEDGER_CONFIG } from './config.module';
import { LogFollower } from './log-follower.service';
import { SupervisedLoops } from './loops/supervised-loops';
import { ProjectionsService } from './projections.service';

/**
 * The worker's background loops: projections, and with ALERTS_ENABLED the alert dispatcher and
 * job workers. `apps/worker` runs them; on the embedded store, which one process opens at a time,
 * the API runs them in-process instead (WORKER_IN_PROCESS).
 */
@Module({})
export class WorkerLoopsModule {
  static forRoot(config: Pick<PlanLedgerConfig, 'ALERTS_ENABLED'>, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: WorkerLoopsModule,
      imports: [AlertsCoreModule.forRoot(options.clock)],
      providers: [
        {
          provide: SupervisedLoops,
          useFactory: (c: PlanLedgerConfig) =>
            new SupervisedLoops({ stuckAfterMs: c.LOOP_STUCK_AFTER_MS, maxDelayMs: c.LOOP_MAX_BACKOFF_MS }),
          inject: [PLANLEDGER_CONFIG],
        },
        LogFollower,
        ProjectionsService,
        ...(config.ALERTS_ENABLED ? [AlertDispatcher, AlertJobs] : []),
      ],
      exports: [LogFollower, SupervisedLoops],
    };
  }
}
