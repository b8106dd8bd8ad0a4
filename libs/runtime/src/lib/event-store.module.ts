import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { EVENT_STORE, openEventStore, type EventStore } from '@planledger/event-store';
import { PLANLEDGER_CONFIG } from './config.module';

/** Opens the configured event store once per process and closes it on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [PLANLEDGER_CONFIG],
      useFactory: async (config: PlanLedgerConfig): Promise<EventStore> => {
        const store = await openEventStore(config.eventStore, {
          poolSize: config.EVENT_STORE_POOL_SIZE,
          pollIntervalMs: config.EVENT_STORE_POLL_MS,
        });
        new Logger('EventStore').log(`Opened ${store.info.adapter} event store at ${store.info.location}`);
        return store;
      },
    },
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
