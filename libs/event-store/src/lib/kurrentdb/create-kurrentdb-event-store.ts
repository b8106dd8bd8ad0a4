import { setTimeout as sleep } from 'node:timers/promises';
import { AccessDeniedError, KurrentDBClient, UnavailableError } from '@kurrent/kurrentdb-client';
import { redactUrl } from '@planledger/config';
import { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb.adapter';
import { readServerFeatures } from './kurrentdb-server-features';

export interface KurrentDbConnectOptions extends KurrentDbEventStoreOptions {
  /** A KurrentDB connection string, e.g. kurrentdb://admin:changeit@localhost:2113 or kurrentdb://localhost:2113?tls=false. */
  connectionString: string;
  /** How long opening waits for the server to answer; default 10 s. */
  connectTimeoutMs?: number;
}

/**
 * Connects to KurrentDB and returns the EventStore on it, once the server has answered: it asks
 * for the server's features (which decide the adapter's capabilities) and reads the end of $all
 * (which the adapter needs to be allowed). Throws one line naming the server (without password)
 * and what went wrong when it cannot.
 */
export async function createKurrentDbEventStore(options: KurrentDbConnectOptions): Promise<KurrentDbEventStore> {
  const location = redactUrl(options.connectionString);
  let client: KurrentDBClient;
  try {
    client = KurrentDBClient.connectionString(options.connectionString);
  } catch (error) {
    throw new Error(`Invalid KurrentDB connection string ${location}: ${firstLine(error)}`);
  }
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  try {
    const features = await withinTime(readServerFeatures(client), timeoutMs);
    const store = new KurrentDbEventStore(client, { adapter: 'kurrentdb', location }, features, options);
    await withinTime(store.ping(), timeoutMs);
    return store;
  } catch (error) {
    await client.dispose().catch(() => undefined);
    throw new Error(`Cannot reach the KurrentDB event store at ${location}: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof AccessDeniedError) return 'access denied; the user in EVENT_STORE_URL needs to read and write its streams and $all';
  const message = firstLine(error);
  const hint = 'is the server running, and does tls=false match a server in insecure mode?';
  if (error instanceof UnavailableError || /UNAVAILABLE|ECONNREFUSED|no answer/i.test(message)) return `${message} (${hint})`;
  return message;
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0].trim();
}

async function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  const timeout = sleep(ms, undefined, { ref: false }).then(() => {
    throw new Error(`no answer within ${ms} ms`);
  });
  return Promise.race([work, timeout]);
}
