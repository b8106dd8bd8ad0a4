import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { prepareAppend } from './append-input';
import { MIGRATIONS } from './sql/migrations';
import { WrongExpectedVersion } from './errors';
import { createPostgresEventStore } from './postgres.adapter';
import { describeEventStoreContract } from './testing/event-store.contract';
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

describeEventStoreContract('PostgreSQL', {
  open: async (options) => {
    const schema = await freshSchema();
    const store = await createPostgresEventStore({ ...options, connectionString: url, poolSize: 12, pool: searchPath(schema) });
    schemaOf.set(store, schema);
    return store;
  },
  appendInOpenTransaction: async (store, streamId, events) => {
    const client = new Client({ connectionString: url, ...searchPath(schemaOf.get(store) as string) });
    await client.connect();
    const append = prepareAppend(streamId, events, { expected: 'any' });
    await client.query('BEGIN');
    await client.query('SELECT * FROM pl_append($1, $2, $3::uuid[], $4::jsonb, false)', [append.streamId, 'any', append.events.map((e) => e.eventId), append.json]);
    return {
      commit: async () => {
        await client.query('COMMIT');
        await client.end();
      },
    };
  },
  teardown: dropSchemas,
});

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
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2]);
    await pool.end();
    await Promise.all(stores.map((s) => s.close()));
  });

  it('retries an append whose transaction predates the stream\'s last append (per-stream inversion guard)', async () => {
    const schema = await freshSchema();
    const store = await createPostgresEventStore({ connectionString: url, pool: searchPath(schema) });
    const stream = `inv-${randomUUID()}`;
    await store.appendToStream(stream, [{ type: 'First', data: {}, metadata: { actor: 'u' } }], { expected: 'no_stream' });

    // An old transaction takes its id first, then a newer one appends to the stream and commits.
    const old = new Client({ connectionString: url, ...searchPath(schema) });
    await old.connect();
    await old.query('BEGIN');
    await old.query('SELECT pg_current_xact_id()');
    await store.appendToStream(stream, [{ type: 'Second', data: {}, metadata: { actor: 'u' } }], { expected: 0 });
    const append = prepareAppend(stream, [{ type: 'Third', data: {}, metadata: { actor: 'u' } }], { expected: 1 });
    await expect(old.query('SELECT * FROM pl_append($1, $2, $3::uuid[], $4::jsonb, false)', [stream, '1', append.events.map((e) => e.eventId), append.json])).rejects.toMatchObject({
      code: '40001',
    });
    await old.query('ROLLBACK');
    await old.end();

    // Through the adapter the same append succeeds in a fresh transaction, and global order keeps revision order.
    await store.appendToStream(stream, [{ type: 'Third', data: {}, metadata: { actor: 'u' } }], { expected: 1 });
    const page = await store.readAll({ limit: 100 });
    expect(page.events.filter((e) => e.streamId === stream).map((e) => e.revision)).toEqual([0, 1, 2]);
    await expect(store.appendToStream(stream, [{ type: 'Late', data: {}, metadata: { actor: 'u' } }], { expected: 1 })).rejects.toBeInstanceOf(
      WrongExpectedVersion,
    );
    await store.close();
  });

  it('says which database it cannot reach, without the password', async () => {
    const error = await createPostgresEventStore({
      connectionString: 'postgres://someone:s3cret@127.0.0.1:1/nowhere',
      pool: { connectionTimeoutMillis: 2000 },
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Cannot open the PostgreSQL event store at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('s3cret');
  });
});
