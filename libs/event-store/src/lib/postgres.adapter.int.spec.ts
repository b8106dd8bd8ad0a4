import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { prepareAppend } from './append-input';
import { MIGRATIONS } from './sql/migrations';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStoreUnavailable, WrongExpectedVersion } from './errors';
import type { NewEvent } from './event-store.port';
import { createPostgresEventStore } from './postgres.adapter';
import { describeEventStoreContract } from './testing/event-store.contract';
import { describeGroupCommitCases } from './testing/group-commit.cases';
import { withSettledHead } from './testing/settled-head';
import { postgresTestUrl, requirePostgres } from './testing/test-services';

jest.setTimeout(60_000);

// Every store gets a schema of its own, so runs never see each other's rows.
const schemas: string[] = [];
const url = postgresTestUrl();
const searchPath = (schema: string) => ({ options: `-c search_path=${schema}` });

async function freshSchema(): Promise<string> {
  await requirePostgres(url);
  const schema = `pl_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  schemas.push(schema);
  return schema;
}

async function dropSchemas(): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

const schemaOf = new WeakMap<object, string>();

// The contract holds with group commit on (the default) and off.
for (const groupCommit of [true, false]) {
  describeEventStoreContract(`PostgreSQL, ${groupCommit ? 'group commit' : 'a transaction per append'}`, {
    open: async (options) => {
      const schema = await freshSchema();
      const store = await createPostgresEventStore({
        ...options,
        groupCommit,
        connectionString: url,
        poolSize: 12,
        pool: searchPath(schema),
      });
      schemaOf.set(store, schema);
      return store;
    },
    appendInOpenTransaction: async (store, streamId, events) => {
      const client = new Client({ connectionString: url, ...searchPath(schemaOf.get(store) as string) });
      await client.connect();
      const append = prepareAppend(streamId, events, { expected: 'any' });
      await client.query('BEGIN');
      await client.query('SELECT * FROM pl_append($1, $2, $3::uuid[], $4::jsonb, false)', [
        append.streamId,
        'any',
        append.events.map((e) => e.eventId),
        append.json,
      ]);
      return {
        commit: async () => {
          await client.query('COMMIT');
          await client.end();
        },
      };
    },
    teardown: dropSchemas,
  });
}

describe('PostgreSQL adapter', () => {
  afterAll(dropSchemas);

  it('migrates a schema once even when several processes start at the same time', async () => {
    const schema = await freshSchema();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresEventStore({ connectionString: url, pool: searchPath(schema) })),
    );
    const pool = new Pool({ connectionString: url, ...searchPath(schema) });
    const { rows } = await pool.query('SELECT version FROM pl_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5]);
    await pool.end();
    await Promise.all(stores.map((s) => s.close()));
  });

  it("retries an append whose transaction predates the stream's last append (per-stream inversion guard)", async () => {
    const schema = await freshSchema();
    const store = withSettledHead(await createPostgresEventStore({ connectionString: url, pool: searchPath(schema) }), { reads: true });
    const stream = `inv-${randomUUID()}`;
    await store.appendToStream(stream, [{ type: 'First', data: {}, metadata: { actor: 'u' } }], { expected: 'no_stream' });

    // An old transaction takes its id first, then a newer one appends to the stream and commits.
    const old = new Client({ connectionString: url, ...searchPath(schema) });
    await old.connect();
    await old.query('BEGIN');
    await old.query('SELECT pg_current_xact_id()');
    await store.appendToStream(stream, [{ type: 'Second', data: {}, metadata: { actor: 'u' } }], { expected: 0 });
    const append = prepareAppend(stream, [{ type: 'Third', data: {}, metadata: { actor: 'u' } }], { expected: 1 });
    await expect(
      old.query('SELECT * FROM pl_append($1, $2, $3::uuid[], $4::jsonb, false)', [
        stream,
        '1',
        append.events.map((e) => e.eventId),
        append.json,
      ]),
    ).rejects.toMatchObject({
      code: '40001',
    });
    await old.query('ROLLBACK');
    await old.end();

    // Through the adapter the same append succeeds in a fresh transaction, and global order keeps revision order.
    await store.appendToStream(stream, [{ type: 'Third', data: {}, metadata: { actor: 'u' } }], { expected: 1 });
    const page = await store.readAll({ limit: 100 });
    expect(page.events.filter((e) => e.streamId === stream).map((e) => e.revision)).toEqual([0, 1, 2]);
    await expect(
      store.appendToStream(stream, [{ type: 'Late', data: {}, metadata: { actor: 'u' } }], { expected: 1 }),
    ).rejects.toBeInstanceOf(WrongExpectedVersion);
    await store.close();
  });

  it('says which database it cannot reach, without the password', async () => {
    const error = await createPostgresEventStore({
      connectionString: 'postgres://someone:s3cret@127.0.0.1:1/nowhere',
      pool: { connectionTimeoutMillis: 2000 },
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^Cannot open the PostgreSQL event store at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describeGroupCommitCases('PostgreSQL', async (groupCommit) => {
  const schema = await freshSchema();
  return createPostgresEventStore({ connectionString: url, groupCommit, pool: searchPath(schema) });
});

describe('PostgreSQL appends while their connections are killed', () => {
  afterAll(dropSchemas);

  for (const groupCommit of [true, false]) {
    it(`leaves each append whole or absent and every acknowledged one stored (${groupCommit ? 'group commit' : 'a transaction per append'})`, async () => {
      const schema = await freshSchema();
      // A name of its own, so the killer ends only this store's connections, never another test's.
      const app = `pl-kill-${randomUUID().slice(0, 8)}`;
      const store = await createPostgresEventStore({
        connectionString: url,
        groupCommit,
        poolSize: 4,
        pool: { ...searchPath(schema), application_name: app },
        onConnectionError: () => undefined,
      });
      const killer = new Client({ connectionString: url });
      await killer.connect();
      const writers = 8;
      const appendsPerWriter = 30;
      let writing = true;
      let killed = 0;
      const killing = (async () => {
        while (writing) {
          const { rows } = await killer.query<{ n: number }>(
            `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
              WHERE application_name = $1 AND state = 'active' AND query LIKE '%pl_append%' AND pid <> pg_backend_pid()`,
            [app],
          );
          killed += rows[0].n;
          await sleep(10 + Math.random() * 30);
        }
      })();

      const sent = new Map<string, NewEvent[][]>();
      const acknowledged = new Map<string, string[]>(); // event id → the position its acknowledgement named
      let unavailable = 0;
      const unexpected: unknown[] = [];
      try {
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            const stream = `kill-${w}`;
            sent.set(stream, []);
            for (let i = 0; i < appendsPerWriter; i++) {
              const batch = [0, 1].map((k) => ({
                eventId: randomUUID(),
                type: 'Kept',
                data: { w, i, k },
                metadata: { actor: 'user:kill' },
              }));
              sent.get(stream)?.push(batch);
              // Retried with the same ids until acknowledged: a retry of an append that did commit
              // is answered as a duplicate; one that found only some of its ids would be refused.
              for (;;) {
                try {
                  const result = await store.appendToStream(stream, batch, { expected: i === 0 ? 'no_stream' : 2 * i - 1 });
                  batch.forEach((e, k) => acknowledged.set(e.eventId, [result.positions[k]]));
                  break;
                } catch (error) {
                  if (error instanceof EventStoreUnavailable) {
                    unavailable += 1;
                    continue;
                  }
                  unexpected.push(error);
                  break;
                }
              }
            }
          }),
        );
      } finally {
        writing = false;
        await killing;
        await killer.end();
      }
      expect(unexpected).toEqual([]);
      expect(killed).toBeGreaterThan(0);
      expect(unavailable).toBeGreaterThan(0);
      for (const [stream, batches] of sent) {
        const stored = await store.readStream(stream);
        expect(stored.map((e) => e.eventId)).toEqual(batches.flat().map((e) => e.eventId));
        expect(stored.map((e) => e.revision)).toEqual(stored.map((_, i) => i));
        for (const e of stored) expect(acknowledged.get(e.eventId)).toEqual([e.position]);
      }
      await store.close();
    }, 120_000);
  }
});
