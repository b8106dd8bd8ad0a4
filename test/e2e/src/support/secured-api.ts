import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, ServiceProcess } from './service-process';
import { TEST_JWT_SECRET } from './tokens';

export const postgresUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@/test?host=/var/run/postgresql';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * The built API on a PostgreSQL schema of its own, with HS256 tokens and `user:admin` as the
 * organisation admin; the test reads the event table directly to prove what was (not) written.
 */
export class SecuredApi {
  private constructor(
    readonly base: string,
    private readonly api: ServiceProcess,
    private readonly db: Client,
    private readonly schema: string,
    private readonly dir: string,
    /** The store the API runs on, for a test that writes or reads it directly. */
    readonly storeUrl: string,
    /** What the API was started with but its port: a worker started beside it shares it (store, Redis, queues). */
    readonly env: Record<string, string>,
  ) {}

  /** The built worker on the same store, Redis and job queues as the API. */
  startWorker(env: Record<string, string> = {}): ServiceProcess {
    return ServiceProcess.start('worker', { ...this.env, ...env }, this.dir);
  }

  /** Reads the store directly (the test's own connection). */
  query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.query(sql.replaceAll('pl_events', `${this.schema}.pl_events`), params).then((r) => r.rows as T[]);
  }

  /** `storeUrlQuery` is added to the store's URL (a test plants a `password=` there). */
  static async start(env: Record<string, string> = {}, options: { storeUrlQuery?: string } = {}): Promise<SecuredApi> {
    const schema = `pl_sec_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const db = new Client({ connectionString: postgresUrl });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    const url = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}${options.storeUrlQuery ? `&${options.storeUrlQuery}` : ''}`;
    const dir = await mkdtemp(join(tmpdir(), 'planledger-security-'));
    const port = await freePort();
    const shared = {
      EVENT_STORE_URL: url,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      AUTH_ADMINS: 'user:admin',
      RATE_LIMIT_PER_MINUTE: '1000000',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `e2e-${schema}`,
      ...env,
    };
    const api = ServiceProcess.start('api', { PORT: String(port), ...shared }, dir);
    try {
      await api.waitFor(/listening on/);
    } catch (error) {
      await api.stop();
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.end();
      throw error;
    }
    return new SecuredApi(`http://127.0.0.1:${port}`, api, db, schema, dir, url, shared);
  }

  async call(
    credential: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(credential ? { authorization: credential } : {}), ...headers },
      body: body === undefined || method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      // A stream never ends by itself: the status and headers are the answer.
      await response.body?.cancel();
      return { status: response.status, body: {}, headers: response.headers };
    }
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { raw: text };
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /**
   * How many events callers wrote: a refused request must not change it. The worker's own events
   * (drift checks, delivery outcomes), which it appends in the background, are not counted.
   */
  async eventCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${this.schema}.pl_events WHERE metadata->>'actor' <> 'service:planledger-worker'`,
    );
    return Number(rows[0].n);
  }

  async lastEvent(): Promise<{ type: string; metadata: Record<string, unknown> }> {
    const { rows } = await this.db.query(
      `SELECT type, metadata FROM ${this.schema}.pl_events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0] as { type: string; metadata: Record<string, unknown> };
  }

  get output(): string {
    return this.api.output;
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.db.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await this.db.end();
    await rm(this.dir, { recursive: true, force: true });
  }
}
