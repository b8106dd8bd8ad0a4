import type { EventStoreLocation } from '@planledger/config';
import type { EventStore } from './event-store.port';
import { InMemoryEventStore } from './in-memory.adapter';
import { createPgliteEventStore } from './pglite.adapter';
import { createPostgresEventStore } from './postgres.adapter';
import type { SqlEventStoreOptions } from './sql/sql-event-store';

export interface OpenEventStoreOptions extends SqlEventStoreOptions {
  poolSize?: number;
}

export async function openEventStore(location: EventStoreLocation, options: OpenEventStoreOptions = {}): Promise<EventStore> {
  switch (location.kind) {
    case 'pglite':
      return createPgliteEventStore({ ...options, dataDir: location.dataDir });
    case 'postgres':
      return createPostgresEventStore({ ...options, connectionString: location.url });
    case 'memory':
      return new InMemoryEventStore(options);
    case 'kurrentdb':
      throw new Error('The KurrentDB adapter is not part of this release yet; use PostgreSQL or the embedded store');
  }
}
