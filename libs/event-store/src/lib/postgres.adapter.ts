import { redactUrl } from '@planledger/config';
import { Pool, type PoolConfig } from 'pg';
import type { EventStore } from './event-store.port';
import { migrate } from './sql/migrate';
import type { SqlClient } from './sql/sql-client';
import { SqlEventStore, type SqlEventStoreOptions } from './sql/sql-event-store';

export interface PostgresEventStoreOptions extends SqlEventStoreOptions {
  connectionString: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** Apply pending migrations before returning; default true. */
  migrate?: boolean;
  /** Errors of idle pooled connections (a restarted server, say); they never crash the process. */
  onConnectionError?: (error: Error) => void;
  pool?: Omit<PoolConfig, 'connectionString' | 'max'>;
}

/** PostgreSQL adapter: a `pg` pool running the shared SQL schema. */
export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  const pool = new Pool({
    application_name: 'planledger',
    ...options.pool,
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
  });
  pool.on('error', options.onConnectionError ?? ((error) => console.error(`event store: idle connection error: ${error.message}`)));
  const sql = poolClient(pool);
  try {
    if (options.migrate !== false) await migrate(sql);
  } catch (error) {
    await pool.end();
    throw new Error(`Cannot open the PostgreSQL event store at ${redactUrl(options.connectionString)}: ${(error as Error).message}`);
  }
  return new SqlEventStore(sql, { adapter: 'postgres', location: redactUrl(options.connectionString) }, options);
}

export function poolClient(pool: Pool): SqlClient {
  return {
    query: async <T>(text: string, params?: unknown[], name?: string) =>
      (await pool.query(name === undefined ? { text, values: params } : { name, text, values: params })).rows as T[],
    exec: async (text: string) => {
      await pool.query(text);
    },
    withConnection: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn({
          query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
          exec: async (text: string) => {
            await client.query(text);
          },
        });
      } finally {
        client.release();
      }
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[] });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
