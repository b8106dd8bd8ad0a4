import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { EVENT_STORE, openEventStore, sqlClientOf, type EventStore } from '@planledger/event-store';
import { InMemoryReadModelStore, SqlReadModelStore, type ReadModelStore } from '@planledger/projections';

/** DI token for the read models (beside the events in SQL; in memory with the in-memory store). */
export const READ_MODELS = Symbol.for('planledger.ReadModels');
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
          connectTimeoutMs: config.EVENT_STORE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: config.EVENT_STORE_STATEMENT_TIMEOUT_MS,
          groupCommit: config.EVENT_STORE_GROUP_COMMIT,
        });
        new Logger('EventStore').log(`Opened ${store.info.adapter} event store at ${store.info.location}`);
        return store;
      },
    },
    {
      provide: READ_MODELS,
      inject: [EVENT_STORE],
      useFactory: async (store: EventStore): Promise<ReadModelStore> => {
        const sql = sqlClientOf(store);
        return sql ? SqlReadModelStore.open(sql) : new InMemoryReadModelStore();
      },
    },
  ],
  exports: [EVENT_STORE, READ_MODELS],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
