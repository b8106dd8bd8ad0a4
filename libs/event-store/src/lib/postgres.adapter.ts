import { redactUrl } from '@planledger/config';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { asUnavailable } from './errors';
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
  /** How long to wait for a connection (pool acquisition and connecting), in ms; default 5000. */
  connectTimeoutMs?: number;
  /** The server's statement_timeout, in ms; default 30,000; 0: none (migrations always run without). */
  statementTimeoutMs?: number;
  pool?: Omit<PoolConfig, 'connectionString' | 'max'>;
}

/** PostgreSQL adapter: a `pg` pool running the shared SQL schema. */
export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  const statementTimeout = options.statementTimeoutMs ?? 30_000;
  const pool = new Pool({
    application_name: 'planledger',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // The server ends a statement running longer; a server that cannot answer at all (a
    // partitioned network) is the request deadline's to cut short.
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
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
      (await pool.query(name === undefined ? { text, values: params } : { name, text, values: params }).catch(rethrow)).rows as T[],
    exec: async (text: string) => {
      await pool.query(text).catch(rethrow);
    },
    withConnection: async (fn) => {
      const { client, release } = await checkOut(pool);
      try {
        return await fn({
          query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params).catch(rethrow)).rows as T[],
          exec: async (text: string) => {
            await client.query(text).catch(rethrow);
          },
        });
      } finally {
        release();
      }
    },
    transaction: async (fn) => {
      const { client, release } = await checkOut(pool);
      try {
        await client.query('BEGIN').catch(rethrow);
        const result = await fn({
          query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params).catch(rethrow)).rows as T[],
        });
        await client.query('COMMIT').catch(rethrow);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Checks a client out of the pool with an error listener of its own. The pool listens for errors
 * only on idle clients; a connection that breaks while checked out (the server restarted, the
 * network cut it) would otherwise emit an unhandled 'error' and take the process down. The query
 * in flight fails on its own; the broken client is destroyed on release instead of going back.
 */
async function checkOut(pool: Pool): Promise<{ client: PoolClient; release: () => void }> {
  const client = await pool.connect().catch(rethrow);
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  return {
    client,
    release: () => {
      // A broken client keeps the listener: it may still report the end of its socket.
      if (!broken) client.off('error', onError);
      client.release(broken);
    },
  };
}

/** Driver and socket failures that mean "unreachable" become EventStoreUnavailable; the rest pass unchanged. */
function rethrow(error: unknown): never {
  throw asUnavailable(error);
}
