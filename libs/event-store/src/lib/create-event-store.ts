import type { EventStoreLocation } from '@planledger/config';
import type { EventStore } from './event-store.port';
import { InMemoryEventStore } from './in-memory.adapter';
import { createKurrentDbEventStore } from './kurrentdb/create-kurrentdb-event-store';
import { createPgliteEventStore } from './pglite.adapter';
import { createPostgresEventStore } from './postgres.adapter';
import type { SqlEventStoreOptions } from './sql/sql-event-store';

export interface OpenEventStoreOptions extends SqlEventStoreOptions {
  poolSize?: number;
  /** PostgreSQL: how long to wait for a pooled connection, in ms. */
  connectTimeoutMs?: number;
  /** PostgreSQL: the server's statement_timeout, in ms (0: none). */
  statementTimeoutMs?: number;
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
      return createKurrentDbEventStore({ upcasters: options.upcasters, defaults: options.defaults, connectionString: location.url });
  }
}
