import { Module, type DynamicModule } from '@nestjs/common';
import { Alerts, outboundPolicyOf, Planning, SecretBox } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import type { ReadModelStore } from '@planledger/projections';
import { PLANLEDGER_CONFIG } from '../config.module';
import { READ_MODELS } from '../event-store.module';
import { AlertQueues } from './alert-queues';
import { ALERTS } from './alerts.tokens';
import { CLOCK, systemClock, type Clock } from './clock';

const providers = [
  { provide: Planning, inject: [EVENT_STORE], useFactory: (store: EventStore) => new Planning(store) },
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
];

/** What both the API and the worker need of alerts: the service, the queues' producer side and the clock. */
@Module({})
export class AlertsCoreModule {
  static forRoot(clock: Clock = systemClock): DynamicModule {
    return {
      module: AlertsCoreModule,
      providers: [{ provide: CLOCK, useValue: clock }, ...providers],
      exports: [CLOCK, Planning, ALERTS, AlertQueues],
    };
  }
}
