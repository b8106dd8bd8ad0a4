import { Global, Module } from '@nestjs/common';
import { Alerts, outboundPolicyOf, Planning, SecretBox } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import type { ReadModelStore } from '@planledger/projections';
import { AlertQueues, ALERTS, PLANLEDGER_CONFIG, READ_MODELS } from '@planledger/runtime';
import { AlertsController } from './alerts.controller';

/**
 * Alerts in the API: the endpoints, the service (sharing the guard's Planning), and the queues'
 * producer side for /metrics and the queue board. Global, so the AccessGuard finds an alert's project.
 */
@Global()
@Module({
  controllers: [AlertsController],
  providers: [
    {
      provide: ALERTS,
      inject: [EVENT_STORE, READ_MODELS, PLANLEDGER_CONFIG, Planning],
      useFactory: (store: EventStore, models: ReadModelStore, config: PlanLedgerConfig, planning: Planning) =>
        new Alerts(
          store,
          models,
          planning,
          config.NOTIFY_SECRET_KEY ? new SecretBox(config.NOTIFY_SECRET_KEY) : undefined,
          outboundPolicyOf(config),
        ),
    },
    AlertQueues,
  ],
  exports: [ALERTS, AlertQueues],
})
export class AlertsApiModule {}
