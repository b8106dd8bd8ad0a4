import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgliteEventStore, createPostgresEventStore, type EventStore } from '@planledger/event-store';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';

/** One event as every target writes it: the same type, payload and metadata. */
export interface BenchEvent {
  type: string;
  data: { key: string; goalId: string; amount: number; currency: string; note: string };
  metadata: { actor: string; projectId: string };
}

/** What the benchmark drives: a store, or a baseline writing the same rows. */
export interface Target {
  readonly name: string;
  readonly database: 'postgres' | 'pglite';
  /** Appends `events` to `stream`, expecting `previous` events before them (0: a new stream). */
  append(stream: string, events: BenchEvent[], previous: number): Promise<void>;
  /** Pages through the whole global log from the start; returns every event's key, in order. */
  readAll(): Promise<string[]>;
  /** Reads the log page by page from where the last call stopped: a live follower. */
  readNext(): Promise<string[]>;
  close(): Promise<void>;
}

const PAGE = 1000;

// The raw baseline's table has the event store's columns and indexes, but no streams table,
// no function and no checks: the ceiling for the same rows with the same commits.
const RAW_SCHEMA = `
CREATE TABLE raw_events (
  global_position bigserial NOT NULL,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL, revision bigint NOT NULL, event_id uuid NOT NULL, type text NOT NULL,
  schema_version integer NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, project_id text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, revision), UNIQUE (event_id));
CREATE INDEX ON raw_events (transaction_id, global_position);
CREATE INDEX ON raw_events (project_id, transaction_id, global_position) WHERE project_id IS NOT NULL;`;

function rawInsert(stream: string, events: BenchEvent[], previous: number): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const rows = events.map((event, i) => {
    params.push(
      stream,
      previous + i,
      uuidv7(),
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(event.metadata),
      event.metadata.projectId,
    );
    const b = params.length - 7;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, 1, $${b + 5}::jsonb, $${b + 6}::jsonb, $${b + 7})`;
  });
  return {
    text: `INSERT INTO raw_events (stream_id, revision, event_id, type, schema_version, data, metadata, project_id) VALUES ${rows.join(', ')}`,
    params,
  };
}

const RAW_PAGE_SQL = `SELECT transaction_id::text AS tx, global_position::text AS gp, data->>'key' AS key FROM raw_events
  WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot()) AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
  ORDER BY transaction_id, global_position LIMIT ${PAGE}`;

type Query = (text: string, params?: unknown[]) => Promise<{ tx: string; gp: string; key: string }[]>;

function rawReader(query: Query): { readAll(): Promise<string[]>; readNext(): Promise<string[]> } {
  let cursor = ['0', '0'];
  const page = async (after: string[]) => query(RAW_PAGE_SQL, after);
  return {
    readAll: async () => {
      const keys: string[] = [];
      let after = ['0', '0'];
      for (;;) {
        const rows = await page(after);
        for (const row of rows) keys.push(row.key);
        if (rows.length < PAGE) return keys;
        after = [rows[rows.length - 1].tx, rows[rows.length - 1].gp];
      }
    },
    readNext: async () => {
      const rows = await page(cursor);
      if (rows.length > 0) cursor = [rows[rows.length - 1].tx, rows[rows.length - 1].gp];
      return rows.map((r) => r.key);
    },
  };
}

export async function rawPostgres(url: string, poolSize: number): Promise<Target> {
  const pool = new Pool({ connectionString: url, max: poolSize, application_name: 'bench-raw' });
  pool.on('error', () => undefined);
  await pool.query(RAW_SCHEMA);
  const reader = rawReader(async (text, params) => (await pool.query(text, params)).rows);
  return {
    name: 'raw pg INSERT',
    database: 'postgres',
    append: async (stream, events, previous) => {
      const { text, params } = rawInsert(stream, events, previous);
      await pool.query(text, params);
    },
    ...reader,
    close: () => pool.end(),
  };
}

export async function rawPglite(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'plbench-raw-'));
  const db = await PGlite.create(dir);
  await db.exec(RAW_SCHEMA);
  const reader = rawReader(async (text, params) => (await db.query<{ tx: string; gp: string; key: string }>(text, params)).rows);
  return {
    name: 'raw PGlite INSERT',
    database: 'pglite',
    append: async (stream, events, previous) => {
      const { text, params } = rawInsert(stream, events, previous);
      await db.query(text, params);
    },
    ...reader,
    close: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function planLedger(
  name: string,
  database: 'postgres' | 'pglite',
  store: EventStore,
  cleanup: () => Promise<void> = async () => undefined,
): Target {
  let cursor: string | undefined;
  return {
    name,
    database,
    append: async (stream, events, previous) => {
      await store.appendToStream(stream, events, { expected: previous === 0 ? 'no_stream' : previous - 1 });
    },
    readAll: async () => {
      const keys: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.readAll({ after, limit: PAGE });
        for (const event of page.events) keys.push(event.data['key'] as string);
        if (page.events.length < PAGE) return keys;
        after = page.position;
      }
    },
    readNext: async () => {
      const page = await store.readAll({ after: cursor, limit: PAGE });
      cursor = page.position;
      return page.events.map((e) => e.data['key'] as string);
    },
    close: async () => {
      await store.close();
      await cleanup();
    },
  };
}

/** The store with group commit (the default), or with one transaction per append. */
export async function planLedgerPostgres(url: string, poolSize: number, groupCommit: boolean): Promise<Target> {
  const store = await createPostgresEventStore({ connectionString: url, poolSize, groupCommit });
  return planLedger(planLedgerName(groupCommit), 'postgres', store);
}

export async function planLedgerPglite(groupCommit: boolean): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'plbench-pl-'));
  const store = await createPgliteEventStore({ dataDir: dir, groupCommit });
  return planLedger(planLedgerName(groupCommit), 'pglite', store, () => rm(dir, { recursive: true, force: true }));
}

const planLedgerName = (groupCommit: boolean) => (groupCommit ? 'PlanLedger, group commit' : 'PlanLedger, a transaction per append');

/** emmett-postgresql 0.42, loaded from its own folder (test/bench/peer); its pool has pg's default 10 connections. */
export async function emmettPostgres(url: string): Promise<Target> {
  const peer = join(__dirname, '..', 'peer', 'node_modules', '@event-driven-io');
  const emmett = require(join(peer, 'emmett-postgresql'));
  const { STREAM_DOES_NOT_EXIST } = require(join(peer, 'emmett'));
  const { dumbo, endAllPools } = require(join(peer, 'dumbo'));
  const store = emmett.getPostgreSQLEventStore(url);
  const pool = dumbo({ connectionString: url });
  // The schema is created on first use; do it outside the timed workloads.
  await store.appendToStream('warm-up', [{ type: 'WarmedUp', data: { key: 'warm-up' } }]);
  let cursor: bigint | undefined;
  const page = async (after: bigint | undefined) => {
    const result = await emmett.readMessagesBatch(
      pool.execute,
      after === undefined ? { from: 0n, batchSize: PAGE } : { after, batchSize: PAGE },
    );
    return result as { currentGlobalPosition?: bigint; messages: { data: { key: string } }[] };
  };
  return {
    name: 'emmett-postgresql 0.42',
    database: 'postgres',
    append: async (stream, events, previous) => {
      await store.appendToStream(stream, events, { expectedStreamVersion: previous === 0 ? STREAM_DOES_NOT_EXIST : BigInt(previous) });
    },
    readAll: async () => {
      const keys: string[] = [];
      let after: bigint | undefined;
      for (;;) {
        const result = await page(after);
        for (const m of result.messages) if (m.data.key !== 'warm-up') keys.push(m.data.key);
        if (result.messages.length < PAGE) return keys;
        after = result.currentGlobalPosition;
      }
    },
    // Emmett's own paging: positions, not (transaction, position) pairs.
    readNext: async () => {
      const result = await page(cursor);
      if (result.currentGlobalPosition !== undefined) cursor = result.currentGlobalPosition;
      return result.messages.map((m) => m.data.key).filter((k) => k !== 'warm-up');
    },
    close: async () => {
      await store.close();
      await pool.close();
      // emmett's store keeps pools of its own past close(); end them so nothing outlives the run.
      await endAllPools();
    },
  };
}
