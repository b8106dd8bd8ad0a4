import { join } from 'node:path';
import type { EventStore } from './event-store.port';
import { InMemoryEventStore } from './in-memory.adapter';
import { createPgliteEventStore } from './pglite.adapter';
import { createPostgresEventStore } from './postgres.adapter';
import type { SqlEventStoreOptions } from './sql/sql-event-store';

export type EventStoreLocation =
  | { kind: 'pglite'; dataDir: string | undefined }
  | { kind: 'postgres'; url: string }
  | { kind: 'memory' }
  | { kind: 'kurrentdb'; url: string };

/**
 * Reads `EVENT_STORE_URL`: unset → embedded PGlite under `<dataDir>/pglite`; `postgres://…` or
 * `postgresql://…` → PostgreSQL; `pglite:<dir>` → PGlite in that directory (`pglite:memory` in
 * memory); `memory:` → the in-memory adapter; `kurrentdb://…` → KurrentDB.
 * Returns an error message naming the problem instead of throwing, for the config schema.
 */
export function parseEventStoreUrl(url: string | undefined, dataDir: string): EventStoreLocation | { error: string } {
  if (url === undefined || url.trim() === '') return { kind: 'pglite', dataDir: join(dataDir, 'pglite') };
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  switch (scheme) {
    case 'postgres:':
    case 'postgresql:':
      try {
        new URL(url);
      } catch {
        return { error: `is not a valid URL (expected postgres://user@host:5432/database)` };
      }
      return { kind: 'postgres', url };
    case 'pglite:': {
      const dir = url.slice('pglite:'.length).replace(/^\/\//, '');
      if (dir === '') return { error: 'names no directory (expected pglite:./data/pglite or pglite:memory)' };
      return { kind: 'pglite', dataDir: dir === 'memory' ? undefined : dir };
    }
    case 'memory:':
      return { kind: 'memory' };
    case 'kurrentdb:':
    case 'esdb:':
      return { kind: 'kurrentdb', url };
    default:
      return { error: `has an unknown scheme "${scheme || url}" (expected postgres://, pglite:, memory: or kurrentdb://)` };
  }
}

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
