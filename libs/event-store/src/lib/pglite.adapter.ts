import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { EventStore } from './event-store.port';
import { migrate } from './sql/migrate';
import type { SqlClient } from './sql/sql-client';
import { SqlEventStore, type SqlEventStoreOptions } from './sql/sql-event-store';

export interface PgliteEventStoreOptions extends SqlEventStoreOptions {
  /** Directory of the database files; in memory when absent. */
  dataDir?: string;
}

/**
 * Embedded adapter: PostgreSQL compiled to WASM, in this process, running the same SQL as the
 * PostgreSQL adapter. One process may open a data directory at a time; a lock file enforces it.
 */
export async function createPgliteEventStore(options: PgliteEventStoreOptions = {}): Promise<EventStore> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  let releaseLock = async () => undefined as void;
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    releaseLock = await lockDirectory(dataDir);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir === undefined ? undefined : dataDir);
  } catch (error) {
    await releaseLock();
    throw new Error(`Cannot open the embedded store in ${dataDir ?? 'memory'}: ${(error as Error).message}`);
  }
  const sql: SqlClient = {
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    exec: async (text: string) => {
      await db.exec(text);
    },
    // PGlite is a single connection: the database itself is the dedicated connection.
    withConnection: (fn) => fn(sql),
    // PGlite's own transaction holds its connection exclusively, so other queries wait outside it.
    transaction: (fn) =>
      db.transaction((tx) => fn({ query: async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows })),
    close: async () => {
      await db.close();
      await releaseLock();
    },
  };
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return new SqlEventStore(sql, { adapter: 'pglite', location: dataDir ?? 'memory' }, options);
}

// Directories this process holds: a pid in the lock file equal to ours is then a live lock, not a
// stale one left by an earlier run that happened to have the same pid (pid 1 in containers).
const lockedHere = new Set<string>();

async function lockDirectory(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, 'planledger.lock');
  if (lockedHere.has(dataDir)) throw new Error(`The embedded store in ${dataDir} is already open in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      lockedHere.add(dataDir);
      return async () => {
        lockedHere.delete(dataDir);
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded store in ${dataDir} is in use by process ${holder}; stop it, or set EVENT_STORE_URL to PostgreSQL to run several processes`,
        );
      }
      // The holder is gone (a crash or kill -9 left the file behind): take the lock over.
      await unlink(lockPath).catch(() => undefined);
    }
  }
  throw new Error(`Could not lock the embedded store in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
