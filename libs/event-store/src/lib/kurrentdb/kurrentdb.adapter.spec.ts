import { randomUUID } from 'node:crypto';
import { UnavailableError } from '@kurrent/kurrentdb-client';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { KurrentDbEventStore } from './kurrentdb.adapter';
import { readServerFeatures } from './kurrentdb-server-features';
import { SimulatedKurrentDb } from './testing/simulated-kurrentdb';

// The adapter's own logic (retries, read-backs, paging past other events, resubscribing) run
// through the whole contract against a model of the server's documented semantics. This is not
// KurrentDB: kurrentdb.adapter.int.spec.ts runs the same contract against a real server.
async function adapterOn(server: SimulatedKurrentDb, options: ConstructorParameters<typeof KurrentDbEventStore>[3] = {}) {
  const client = server.client();
  return new KurrentDbEventStore(client, { adapter: 'kurrentdb', location: 'simulated' }, await readServerFeatures(client), {
    warn: () => undefined,
    ...options,
  });
}

for (const version of ['26.1.0', '24.10.6'] as const) {
  const server = new SimulatedKurrentDb(version);
  describeEventStoreContract(`KurrentDB adapter on a simulated ${version} server (a model of the server, not KurrentDB)`, {
    open: (options) => adapterOn(server, options),
    openSecond: () => adapterOn(server),
  });
}

describe('the KurrentDB adapter on a simulated server', () => {
  const event = (eventId?: string) => ({ ...(eventId ? { eventId } : {}), type: 'Thing', data: { n: 1 }, metadata: { actor: 'user:a' } });

  it('sends an append again with the same ids when no answer came in time, and writes it once', async () => {
    const server = new SimulatedKurrentDb();
    const store = await adapterOn(server);
    server.unansweredWrites = 1;
    const stream = `lost-${randomUUID()}`;
    const result = await store.appendToStream(stream, [event(), event()], { expected: 'no_stream' });
    expect(result).toMatchObject({ nextRevision: 1, duplicate: false });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('gives up with the transport’s error when the server cannot be reached', async () => {
    const server = new SimulatedKurrentDb();
    const store = await adapterOn(server, { appendAttempts: 2 });
    server.unreachable = true;
    await expect(store.appendToStream(`lost-${randomUUID()}`, [event()], { expected: 'any' })).rejects.toBeInstanceOf(UnavailableError);
    server.unreachable = false;
  });

  it('answers a retry whose first attempt was stored but not answered as the original append', async () => {
    const server = new SimulatedKurrentDb();
    const store = await adapterOn(server);
    const stream = `retry-${randomUUID()}`;
    const batch = [event(randomUUID()), event(randomUUID())];
    server.unansweredWrites = 1;
    const first = await store.appendToStream(stream, batch, { expected: 'any' });
    // The second attempt found the ids stored by the first: this call wrote them.
    expect(first).toMatchObject({ nextRevision: 1, duplicate: false });
    expect(await store.appendToStream(stream, batch, { expected: 'any' })).toEqual({ ...first, duplicate: true });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('resubscribes after the server drops a subscription, handing out every event once', async () => {
    const server = new SimulatedKurrentDb();
    const store = await adapterOn(server, { resubscribeDelayMs: () => 5 });
    const stream = `sub-${randomUUID()}`;
    const head = await store.headPosition();
    const controller = new AbortController();
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of store.subscribe({ after: head, signal: controller.signal })) {
        if (e.streamId !== stream) continue;
        seen.push(e.revision);
        if (seen.length === 6) controller.abort();
      }
    })();
    for (let i = 0; i < 6; i++) {
      await store.appendToStream(stream, [event()], { expected: 'any' });
      if (i % 2 === 1) server.dropSubscriptions();
    }
    const timer = setTimeout(() => controller.abort(), 10_000);
    await done;
    clearTimeout(timer);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('pages past other applications’ and the server’s own events without handing them out or stopping early', async () => {
    const server = new SimulatedKurrentDb();
    const store = await adapterOn(server, { scanBatchSize: 3 });
    const head = await store.headPosition();
    for (let i = 0; i < 5; i++) server.writeOther('shop-9', 'OrderPlaced', { i });
    for (let i = 0; i < 5; i++) server.writeOther(`$stats-${i}`, '$statsCollected', { i });
    await store.appendToStream(`mine-${randomUUID()}`, [event()], { expected: 'no_stream' });
    const page = await store.readAll({ after: head, limit: 1 });
    expect(page.events.map((e) => e.type)).toEqual(['Thing']);
    expect(await store.headPosition()).toBe(page.position);
    for (let i = 0; i < 5; i++) server.writeOther('shop-9', 'OrderPlaced', { i });
    expect(await store.headPosition()).toBe(page.position);
  });
});
