import {
  createPgliteEventStore,
  createPostgresEventStore,
  InMemoryEventStore,
  sqlClientOf,
  type EventStore,
  type JsonObject,
  type StoredEvent,
  withSettledHead,
} from '@planledger/event-store';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { InMemoryReadModelStore } from './in-memory-read-model-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { rebuildProjection } from './rebuild';
import type { ReadModelStore } from './read-model-store';
import { SqlReadModelStore } from './sql-read-model-store';

jest.setTimeout(60_000);

const postgresUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@/test?host=/var/run/postgresql';

/** Per project: how many actuals, their sum, and the goals seen; "Poison" events make it throw. */
interface Totals extends JsonObject {
  actuals: number;
  sum: number;
  goals: string[];
}
const totals: Projection<Totals> = {
  name: 'test-totals',
  version: 1,
  eventTypes: ['ActualRecorded', 'GoalSet', 'Poison', 'ProjectDropped'],
  keysOf: (event) => [String(event.metadata.projectId)],
  evolve: (doc, event) => {
    if (event.type === 'Poison') throw new Error(`cannot read ${String(event.data['why'])}`);
    if (event.type === 'ProjectDropped') return undefined;
    const current = doc ?? { actuals: 0, sum: 0, goals: [] };
    if (event.type === 'GoalSet') return { ...current, goals: [...current.goals, String(event.data['goalId'])] };
    return { ...current, actuals: current.actuals + 1, sum: current.sum + Number(event.data['value']) };
  },
};

/** The same projection folded from scratch over every event, without the runner. */
function foldFromScratch(events: StoredEvent[]): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const event of events) {
    if (!totals.eventTypes.includes(event.type)) continue;
    for (const key of totals.keysOf(event)) {
      try {
        const next = totals.evolve(out.get(key), event, key);
        if (next === undefined) out.delete(key);
        else out.set(key, next);
      } catch {
        // dead-lettered by the runner: changes nothing
      }
    }
  }
  return out;
}

async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let after: string | undefined, page; ; after = page.position) {
    page = await store.readAll({ after, limit: 1000 });
    out.push(...page.events);
    if (page.events.length < 1000) return out;
  }
}

async function write(store: EventStore, projects: number, actualsPerProject: number): Promise<void> {
  await Promise.all(
    Array.from({ length: projects }, async (_, p) => {
      const projectId = `p${p}`;
      await store.appendToStream(
        `goal-${projectId}`,
        [{ type: 'GoalSet', data: { goalId: `g${p}` }, metadata: { actor: 'user:t', projectId } }],
        { expected: 'any' },
      );
      for (let i = 0; i < actualsPerProject; i++) {
        await store.appendToStream(
          `goal-${projectId}`,
          [{ type: 'ActualRecorded', data: { value: i + 1 }, metadata: { actor: 'user:t', projectId } }],
          { expected: 'any' },
        );
      }
    }),
  );
}

function sqlOf(store: EventStore) {
  const sql = sqlClientOf(store);
  if (!sql) throw new Error(`${store.info.adapter} has no SQL database`);
  return sql;
}

interface Backend {
  name: string;
  open(): Promise<{ store: EventStore; models: ReadModelStore; close(): Promise<void> }>;
}

const schemas: string[] = [];
const backends: Backend[] = [
  {
    name: 'in-memory',
    open: async () => {
      const store = new InMemoryEventStore();
      return { store, models: new InMemoryReadModelStore(), close: () => store.close() };
    },
  },
  {
    name: 'PGlite',
    open: async () => {
      const store = await createPgliteEventStore({ dataDir: undefined });
      return { store, models: await SqlReadModelStore.open(sqlOf(store)), close: () => store.close() };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const schema = `pl_proj_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
      const admin = new Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      schemas.push(schema);
      const store = await createPostgresEventStore({ connectionString: postgresUrl, pool: { options: `-c search_path=${schema}` } });
      return { store, models: await SqlReadModelStore.open(sqlOf(store)), close: () => store.close() };
    },
  },
];

afterAll(async () => {
  if (schemas.length === 0) return;
  const admin = new Client({ connectionString: postgresUrl });
  await admin.connect();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

describe.each(backends)('projection runner on $name', (backend) => {
  let env: Awaited<ReturnType<Backend['open']>>;
  beforeEach(async () => {
    const opened = await backend.open();
    // A runner caught up sees every append the test made (another test's open write elsewhere in
    // the cluster can hold the newest ones back a moment; see withSettledHead).
    env = { ...opened, store: withSettledHead(opened.store, { reads: true }) };
  });
  afterEach(async () => {
    await env.close();
  });

  it('catches up in batches to exactly what folding every event from scratch gives, then follows new events', async () => {
    await write(env.store, 5, 40);
    const runner = new ProjectionRunner(env.store, env.models, totals, { batchSize: 37 });
    const progress: number[] = [];
    expect(await runner.catchUp((n) => progress.push(n))).toBe(205);
    expect(progress.length).toBeGreaterThan(3);
    expect(await env.models.all('test-totals@1')).toEqual(foldFromScratch(await allEvents(env.store)));
    expect(await env.models.get('test-totals@1', 'p3')).toEqual({ actuals: 40, sum: 820, goals: ['g3'] });

    await write(env.store, 7, 3);
    await runner.catchUp();
    expect(await env.models.all('test-totals@1')).toEqual(foldFromScratch(await allEvents(env.store)));
    expect((await env.models.checkpoint('test-totals@1')).applied).toBe(205 + 28);
  });

  it('applies each event once with two runners catching up at the same time', async () => {
    await write(env.store, 6, 50);
    const [a, b] = [
      new ProjectionRunner(env.store, env.models, totals, { batchSize: 20, idleMs: 5 }),
      new ProjectionRunner(env.store, env.models, totals, { batchSize: 20, idleMs: 5 }),
    ];
    const [byA, byB] = await Promise.all([a.catchUp(), b.catchUp()]);
    expect(byA + byB).toBe(306);
    expect((await env.models.checkpoint('test-totals@1')).applied).toBe(306);
    expect(await env.models.all('test-totals@1')).toEqual(foldFromScratch(await allEvents(env.store)));
  });

  it('sends an event its projection cannot apply to the dead letters, with the error, and goes on', async () => {
    await write(env.store, 1, 2);
    await env.store.appendToStream(
      'bad-1',
      [{ type: 'Poison', data: { why: 'this one' }, metadata: { actor: 'user:t', projectId: 'p0' } }],
      { expected: 'no_stream' },
    );
    await write(env.store, 1, 2);
    await new ProjectionRunner(env.store, env.models, totals).catchUp();
    expect(await env.models.deadLetters('test-totals@1')).toEqual([
      { eventId: expect.any(String), position: expect.any(String), type: 'Poison', error: 'cannot read this one' },
    ]);
    expect(await env.models.get('test-totals@1', 'p0')).toEqual({ actuals: 4, sum: 6, goals: ['g0', 'g0'] });
  });

  it('keeps nothing of a batch whose transaction dies after writing, and ends equal to a clean run once restarted', async () => {
    await write(env.store, 3, 30);
    // The third batch dies after its documents and checkpoint are written, before the commit.
    let batches = 0;
    const dying: ReadModelStore = {
      ...env.models,
      get: (p, k) => env.models.get(p, k),
      find: (p, f, v) => env.models.find(p, f, v),
      all: (p) => env.models.all(p),
      checkpoint: (p) => env.models.checkpoint(p),
      deadLetters: (p) => env.models.deadLetters(p),
      batch: (projection, fn) =>
        env.models.batch(projection, (tx) =>
          fn({
            ...tx,
            lockCheckpoint: () => tx.lockCheckpoint(),
            docs: (keys) => tx.docs(keys),
            deadLetter: (event, error) => tx.deadLetter(event, error),
            commit: async (changes, position, applied) => {
              await tx.commit(changes, position, applied);
              if (++batches === 3) throw new Error('killed mid-batch');
            },
          }),
        ),
    };
    await expect(new ProjectionRunner(env.store, dying, totals, { batchSize: 20 }).catchUp()).rejects.toThrow('killed mid-batch');
    expect((await env.models.checkpoint('test-totals@1')).applied).toBe(40);
    const partial = await env.models.all('test-totals@1');
    expect([...partial.values()].map((d) => d as Totals).reduce((n, d) => n + d.actuals + d.goals.length, 0)).toBe(40);

    await new ProjectionRunner(env.store, env.models, totals, { batchSize: 20 }).catchUp();
    expect((await env.models.checkpoint('test-totals@1')).applied).toBe(93);
    expect(await env.models.all('test-totals@1')).toEqual(foldFromScratch(await allEvents(env.store)));
  });

  it('deletes a document when evolve returns nothing', async () => {
    await write(env.store, 2, 1);
    await env.store.appendToStream('drop-p1', [{ type: 'ProjectDropped', data: {}, metadata: { actor: 'user:t', projectId: 'p1' } }], {
      expected: 'no_stream',
    });
    await new ProjectionRunner(env.store, env.models, totals).catchUp();
    expect([...(await env.models.all('test-totals@1')).keys()]).toEqual(['p0']);
  });

  it('rebuilds beside the live view while it serves and a live runner applies, then swaps in a copy equal to a clean fold', async () => {
    // The live view was built by a release whose projection counted every actual twice.
    const buggy: Projection<Totals> = { ...totals, evolve: (doc, event, key) => totals.evolve(totals.evolve(doc, event, key), event, key) };
    await write(env.store, 4, 40);
    await new ProjectionRunner(env.store, env.models, buggy).catchUp();
    const before = await env.models.all('test-totals@1');
    expect(before).not.toEqual(foldFromScratch(await allEvents(env.store)));

    // The fixed release: a worker follows the log live while the rebuild runs and writers go on.
    const stop = new AbortController();
    const live = new ProjectionRunner(env.store, env.models, totals, { batchSize: 25, idleMs: 5 }).run(stop.signal);
    const seen: (Totals | undefined)[] = [];
    let progress = 0;
    const rebuild = rebuildProjection(env.store, env.models, totals, { batchSize: 10, onProgress: (n) => (progress = n) });
    const writing = write(env.store, 4, 10);
    while (progress === 0) {
      seen.push((await env.models.get('test-totals@1', 'p0')) as Totals | undefined);
      await new Promise((r) => setTimeout(r, 1));
    }
    // While the copy fills, readers still get the old view, never nothing.
    expect(seen.every((doc) => doc !== undefined)).toBe(true);
    const result = await rebuild;
    await writing;
    expect(result).toMatchObject({ projection: 'test-totals@1', promoted: true });
    expect(result.applied).toBeGreaterThanOrEqual(164);
    await new ProjectionRunner(env.store, env.models, totals).catchUp();
    stop.abort();
    await live;

    const events = await allEvents(env.store);
    expect(await env.models.all('test-totals@1')).toEqual(foldFromScratch(events));
    // Each event applied once: the copy's count carried over, plus what the live runner added.
    expect((await env.models.checkpoint('test-totals@1')).applied).toBe(events.length);
    expect(await env.models.all('test-totals@1~rebuild')).toEqual(new Map());
  });

  it('ends equal to a clean fold, each event applied once, when two rebuilds and a worker run at once', async () => {
    await write(env.store, 5, 30);
    const stop = new AbortController();
    const live = new ProjectionRunner(env.store, env.models, totals, { batchSize: 7, idleMs: 5 }).run(stop.signal);
    const results = await Promise.all([
      rebuildProjection(env.store, env.models, totals, { batchSize: 9 }),
      rebuildProjection(env.store, env.models, totals, { batchSize: 13 }),
      write(env.store, 2, 10),
    ]);
    expect(results.slice(0, 2).some((r) => r && 'promoted' in r && r.promoted)).toBe(true);
    await new ProjectionRunner(env.store, env.models, totals).catchUp();
    stop.abort();
    await live;
    const events = await allEvents(env.store);
    expect(await env.models.all('test-totals@1')).toEqual(foldFromScratch(events));
    expect((await env.models.checkpoint('test-totals@1')).applied).toBe(events.length);
  });

  it('leaves the live view untouched when a rebuild is stopped', async () => {
    await write(env.store, 3, 20);
    await new ProjectionRunner(env.store, env.models, totals).catchUp();
    const before = await env.models.all('test-totals@1');
    const stop = new AbortController();
    const result = await rebuildProjection(env.store, env.models, totals, {
      batchSize: 5,
      signal: stop.signal,
      onProgress: () => stop.abort(),
    });
    expect(result).toMatchObject({ promoted: false, applied: 5 });
    expect(await env.models.all('test-totals@1')).toEqual(before);
    expect((await env.models.checkpoint('test-totals@1')).applied).toBe(63);
  });
});
