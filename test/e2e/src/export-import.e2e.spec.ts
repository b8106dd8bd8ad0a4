import { loadDemo, Planning, PROJECTIONS } from '@planledger/application';
import { sampleCharter } from '@planledger/contracts/testing';
import { createPostgresEventStore, sqlClientOf, withSettledHead, type EventStore, type StoredEvent } from '@planledger/event-store';
import { ProjectionRunner, projectionId, SqlReadModelStore } from '@planledger/projections';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { postgresUrl } from './support/secured-api';
import { workspaceRoot } from './support/service-process';

jest.setTimeout(120_000);

const run = promisify(execFile);

/** The built CLI against a store; resolves with its exit code and output, never throws on a non-zero exit. */
async function planledger(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(workspaceRoot, 'dist', 'apps', 'cli', 'main.js'), ...args], {
      env: { PATH: process.env['PATH'] ?? '', EVENT_STORE_URL: url },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('export, then import into a fresh store', () => {
  const schemas: string[] = [];
  const stores: EventStore[] = [];
  let admin: Client;
  let dir: string;

  async function freshStore(): Promise<{ url: string; store: EventStore }> {
    const schema = `pl_export_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    const url = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    // Its head and reads wait for this test's own appends to show in the log (see withSettledHead).
    const store = withSettledHead(
      await createPostgresEventStore({
        connectionString: postgresUrl,
        poolSize: 2,
        pool: { options: `-c search_path=${schema}` },
      }),
      { reads: true },
    );
    stores.push(store);
    return { url, store };
  }

  const all = async (store: EventStore): Promise<StoredEvent[]> => (await store.readAll({ limit: 10_000 })).events;
  const comparable = (events: StoredEvent[]) => events.map(({ position: _position, ...rest }) => rest);

  async function readModels(store: EventStore) {
    const models = await SqlReadModelStore.open(sqlClientOf(store) as NonNullable<ReturnType<typeof sqlClientOf>>);
    const out: Record<string, unknown> = {};
    for (const projection of PROJECTIONS) {
      await new ProjectionRunner(store, models, projection).catchUp();
      out[projectionId(projection)] = Object.fromEntries(await models.all(projectionId(projection)));
    }
    return out;
  }

  beforeAll(async () => {
    admin = new Client({ connectionString: postgresUrl });
    await admin.connect();
    dir = await mkdtemp(join(tmpdir(), 'planledger-export-'));
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  });

  it('reproduces the same events, ids, order, revisions and recorded times, and the same read models', async () => {
    const source = await freshStore();
    await loadDemo(source.store, new Date());
    const file = join(dir, 'demo.ndjson');
    const exported = await planledger(source.url, 'events', 'export', '--format', 'ndjson', '-o', file);
    expect(exported).toMatchObject({ code: 0 });
    const original = await all(source.store);
    expect(exported.stderr).toContain(`exported ${original.length} events`);

    const target = await freshStore();
    const imported = await planledger(target.url, 'events', 'import', file);
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.stderr).toContain(`imported ${original.length} events`);
    // Written by the CLI's process: the newest may show in the log a moment after it ended.
    let restored = await all(target.store);
    for (const deadline = Date.now() + 15_000; restored.length < original.length && Date.now() < deadline;)
      restored = await new Promise<StoredEvent[]>((resolve) => setTimeout(() => resolve(all(target.store)), 50));
    expect(comparable(restored)).toEqual(comparable(original));
    expect(await readModels(target.store)).toEqual(await readModels(source.store));

    // A second import into the now full store is refused and writes nothing.
    const again = await planledger(target.url, 'events', 'import', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds events');
    expect(await all(target.store)).toHaveLength(original.length);

    // The other formats stream the same events: one CloudEvent per line, or a CSV row each.
    const cloud = await planledger(source.url, 'events', 'export', '--format', 'cloudevents', '--project', 'demo-east-region');
    const lines = cloud.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; specversion: string });
    expect(lines.map((l) => l.id)).toEqual(original.filter((e) => e.metadata.projectId === 'demo-east-region').map((e) => e.eventId));
    // Any member sets a correlation id (X-Correlation-Id): one that is a formula must not run in a spreadsheet.
    await new Planning(source.store).openProject('csv-formula', sampleCharter, {
      actor: 'user:csv',
      now: new Date().toISOString(),
      correlationId: '=HYPERLINK("https://evil.example","x")',
    });
    const csv = await planledger(source.url, 'events', 'export', '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe(
      'position,recordedAt,streamId,revision,type,schemaVersion,eventId,actor,projectId,correlationId,data,metadata',
    );
    const formula = csv.stdout.split('\n').find((line) => line.includes('HYPERLINK')) as string;
    expect(formula).toContain(`,"'=HYPERLINK(""https://evil.example"",""x"")",`);
    expect(formula).not.toMatch(/,"?=HYPERLINK/);
  });

  it('refuses a broken export naming the line, and writes nothing', async () => {
    const source = await freshStore();
    await loadDemo(source.store, new Date());
    const file = join(dir, 'broken.ndjson');
    expect((await planledger(source.url, 'events', 'export', '-o', file)).code).toBe(0);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const target = await freshStore();

    const missing = lines.map((l, i) => (i === 41 ? JSON.stringify({ ...JSON.parse(l), eventId: 'not-a-uuid' }) : l)).join('\n');
    await writeFile(file, missing);
    const refused = await planledger(target.url, 'events', 'import', file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file}:42: eventId`);

    // Drop an event that a later one of the same stream follows: the revisions show the hole.
    const streams = lines.map((l) => (JSON.parse(l) as { streamId: string }).streamId);
    const victim = streams.findIndex((stream, i) => i > 50 && streams.indexOf(stream, i + 1) > i);
    const gap = lines.filter((_, i) => i !== victim).join('\n');
    await writeFile(file, gap);
    const out = await planledger(target.url, 'events', 'import', file);
    expect(out.code).toBe(2);
    // The line dropped may be a stream's first event (then it follows revision -1, no event).
    expect(out.stderr).toMatch(/revision \d+ follows revision -?\d+/);
    expect(await all(target.store)).toEqual([]);

    expect((await planledger(target.url, 'events', 'export', '--format', 'xml')).code).toBe(2);
    expect((await planledger(target.url, 'events', 'export', '--until', 'yesterday')).stderr).toContain('--until must be an ISO 8601 time');
  });
});
