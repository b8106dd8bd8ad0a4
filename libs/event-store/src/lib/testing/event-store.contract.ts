import { randomUUID } from 'node:crypto';
import { DuplicateEventId, InvalidAppend, InvalidReadOptions, WrongExpectedVersion } from '../errors';
import type { AppendResult, EventStore, MultiAppendResult, NewEvent, Position, StoredEvent } from '../event-store.port';
import { comparePositions } from '../position';
import { countEvents } from '../sql/sql-event-store';
import type { Upcaster } from '../upcasting';
import { describeCapabilityCases, expectConditionsRefused, type CapabilityHarness } from './event-store-capabilities.contract';
import { rawStore, withSettledHead } from './settled-head';

/** What an adapter's test file provides to run the shared contract. */
export interface EventStoreHarness extends CapabilityHarness {
  /** Opens a store; the contract never assumes it is empty. */
  open(options?: { upcasters?: Upcaster[] }): Promise<EventStore>;
  /**
   * Appends inside a transaction that stays open until `commit` is called, on a connection of
   * its own. Only adapters that run concurrent transactions (PostgreSQL) can provide it; with a
   * single connection (PGlite) or none (in-memory) a reader can never observe an open append.
   */
  appendInOpenTransaction?: (store: EventStore, streamId: string, events: NewEvent[]) => Promise<{ commit(): Promise<void> }>;
  /** Releases what `open` created besides the store itself. */
  teardown?: () => Promise<void>;
}

export const UPCAST_TEST_TYPE = 'ContractThingRenamed';

const uid = () => randomUUID().slice(0, 8);
const event = (type = 'ContractThingHappened', data: NewEvent['data'] = { n: 1 }, extra: Partial<NewEvent> = {}): NewEvent => ({
  type,
  data,
  metadata: { actor: 'user:contract', projectId: 'p-contract' },
  ...extra,
});
const events = (count: number, tag = 'e'): NewEvent[] =>
  Array.from({ length: count }, (_, i) => event('ContractThingHappened', { tag, i }));

async function readAllAfter(store: EventStore, after: Position | undefined, filter?: (e: StoredEvent) => boolean): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, limit: 500 });
    out.push(...(filter ? page.events.filter(filter) : page.events));
    if (page.events.length < 500) return out;
    position = page.position;
  }
}

async function expectRejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

/** The observable behaviour every EventStore adapter must have. */
export function describeEventStoreContract(name: string, harness: EventStoreHarness): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;

    beforeAll(async () => {
      // Heads and reads after this suite's own appends include them (see withSettledHead).
      store = withSettledHead(await harness.open(), { reads: true });
    });
    afterAll(async () => {
      await store?.close();
      await harness.teardown?.();
    });

    describe('appending', () => {
      it('creates a stream at revision 0 and fills in ids, metadata and positions', async () => {
        const stream = `thing-${uid()}`;
        const result = await store.appendToStream(stream, [event(), event()], { expected: 'no_stream' });
        expect(result.nextRevision).toBe(1);
        expect(result.duplicate).toBe(false);
        expect(comparePositions(result.positions[0], result.positions[1])).toBeLessThan(0);

        const read = await store.readStream(stream);
        expect(read.map((e) => e.revision)).toEqual([0, 1]);
        expect(read.map((e) => e.position)).toEqual(result.positions);
        const first = read[0];
        expect(first.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(first).toMatchObject({ type: 'ContractThingHappened', schemaVersion: 1, data: { n: 1 }, streamId: stream });
        expect(first.metadata).toMatchObject({ actor: 'user:contract', projectId: 'p-contract', correlationId: first.eventId });
        expect(read[1].metadata.correlationId).toBe(first.eventId);
        expect(Number.isNaN(Date.parse(first.metadata.occurredAt))).toBe(false);
        expect(Math.abs(Date.parse(first.recordedAt) - Date.now())).toBeLessThan(60_000);
        expect(await store.streamRevision(stream)).toBe(1);
      });

      it.each([
        ['no_stream', 'on a new stream', undefined, 0],
        ['any', 'on a new stream', undefined, 0],
        ['any', 'on an existing stream', 2, 3],
        ['exists', 'on an existing stream', 2, 3],
        [2, 'at that exact revision', 2, 3],
      ] as const)('accepts expected %p %s', async (expected, _label, existing, revision) => {
        const stream = `thing-${uid()}`;
        if (existing !== undefined) await store.appendToStream(stream, events(existing + 1), { expected: 'no_stream' });
        const result = await store.appendToStream(stream, [event()], { expected });
        expect(result.nextRevision).toBe(revision);
      });

      it.each([
        ['no_stream', 'on an existing stream', 2, 2],
        ['exists', 'on a new stream', undefined, 'no_stream'],
        [0, 'on a new stream', undefined, 'no_stream'],
        [1, 'on a stream at revision 2', 2, 2],
        [3, 'on a stream at revision 2', 2, 2],
      ] as const)('refuses expected %p %s, naming the actual revision and writing nothing', async (expected, _label, existing, actual) => {
        const stream = `thing-${uid()}`;
        if (existing !== undefined) await store.appendToStream(stream, events(existing + 1), { expected: 'no_stream' });
        const head = await store.headPosition();
        const error = await expectRejection(store.appendToStream(stream, [event()], { expected }), WrongExpectedVersion);
        expect(error).toMatchObject({ streamId: stream, expected, actual, code: 'WRONG_EXPECTED_VERSION' });
        expect(await store.streamRevision(stream)).toBe(existing);
        expect(await readAllAfter(store, head, (e) => e.streamId === stream)).toEqual([]);
      });

      it('lets exactly one of many concurrent appends with the same expected revision win, with nothing half-written', async () => {
        const stream = `race-${uid()}`;
        await store.appendToStream(stream, [event()], { expected: 'no_stream' });
        for (let round = 0; round < 5; round++) {
          const revision = 3 * round;
          const attempts = Array.from({ length: 12 }, (_, writer) =>
            store.appendToStream(stream, events(3, `r${round}w${writer}`), { expected: revision }),
          );
          const settled = await Promise.allSettled(attempts);
          const won = settled.filter((s) => s.status === 'fulfilled');
          const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(11);
          for (const loss of lost) {
            expect(loss.reason).toBeInstanceOf(WrongExpectedVersion);
            expect((loss.reason as WrongExpectedVersion).actual).toBe(revision + 3);
          }
        }
        const stored = await store.readStream(stream);
        expect(stored.map((e) => e.revision)).toEqual(Array.from({ length: 16 }, (_, i) => i));
        // Each winning batch of three is whole: the same writer's tag three times in a row.
        for (let i = 1; i < stored.length; i += 3) {
          const tags = stored.slice(i, i + 3).map((e) => e.data['tag']);
          expect(new Set(tags).size).toBe(1);
        }
      });

      it('appends every one of many concurrent "any" appends to one stream exactly once, in revision order', async () => {
        const stream = `any-${uid()}`;
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => store.appendToStream(stream, [event('ContractThingHappened', { i })], { expected: 'any' })),
        );
        const stored = await store.readStream(stream);
        expect(stored).toHaveLength(30);
        expect(new Set(stored.map((e) => e.data['i'])).size).toBe(30);
        expect(results.map((r) => r.nextRevision).sort((a, b) => a - b)).toEqual(stored.map((e) => e.revision));
      });
    });

    describe('appends conditional on other streams', () => {
      it('appends when every other stream is still at the revision given, an absent one included', async () => {
        if (store.capabilities.conditions === 'refused') return expectConditionsRefused(store);
        const [stream, context, absent] = [`cond-${uid()}`, `ctx-${uid()}`, `ctx-${uid()}`];
        await store.appendToStream(context, events(2), { expected: 'no_stream' });
        const result = await store.appendToStream(stream, [event()], {
          expected: 'no_stream',
          conditions: [
            { streamId: context, revision: 1 },
            { streamId: absent, revision: 'no_stream' },
          ],
        });
        expect(result.nextRevision).toBe(0);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it.each([
        ['moved on', 2, 1, 2],
        ['was created', 0, 'no_stream', 0],
        ['does not exist', undefined, 0, 'no_stream'],
      ] as const)('refuses, naming the other stream, when it %s, and writes nothing', async (_label, existing, revision, actual) => {
        if (store.capabilities.conditions === 'refused') return expectConditionsRefused(store);
        const [stream, context] = [`cond-${uid()}`, `ctx-${uid()}`];
        if (existing !== undefined) await store.appendToStream(context, events(existing + 1), { expected: 'no_stream' });
        const head = await store.headPosition();
        const error = await expectRejection(
          store.appendToStream(stream, [event()], { expected: 'no_stream', conditions: [{ streamId: context, revision }] }),
          WrongExpectedVersion,
        );
        expect(error).toMatchObject({ streamId: context, expected: revision, actual });
        expect(await store.streamRevision(stream)).toBeUndefined();
        expect(await store.headPosition()).toEqual(head);
      });

      it('answers a clean retry with the original result even after the other stream moved', async () => {
        if (store.capabilities.conditions === 'refused') return expectConditionsRefused(store);
        const [stream, context] = [`cond-${uid()}`, `ctx-${uid()}`];
        await store.appendToStream(context, [event()], { expected: 'no_stream' });
        const batch = [event('A', {}, { eventId: randomUUID() })];
        const options = { expected: 'no_stream' as const, conditions: [{ streamId: context, revision: 0 }] };
        const first = await store.appendToStream(stream, batch, options);
        await store.appendToStream(context, [event()], { expected: 0 });
        expect(await store.appendToStream(stream, batch, options)).toEqual({ ...first, duplicate: true });
        await expectRejection(store.appendToStream(stream, [event()], { ...options, expected: 0 }), WrongExpectedVersion);
      });

      it('refuses every one of many appends conditioned on a revision the other stream has left', async () => {
        if (store.capabilities.conditions === 'refused') return expectConditionsRefused(store);
        const context = `ctx-${uid()}`;
        await store.appendToStream(context, [event()], { expected: 'no_stream' });
        const racing = Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? store.appendToStream(context, [event()], { expected: 'any' }).then(() => 'moved')
            : store
                .appendToStream(`cond-${uid()}`, [event()], { expected: 'no_stream', conditions: [{ streamId: context, revision: 0 }] })
                .then(
                  (r) => `appended:${r.positions[0]}`,
                  (e: unknown) => (e instanceof WrongExpectedVersion && e.streamId === context ? 'refused' : `unexpected:${String(e)}`),
                ),
        );
        const outcomes = await Promise.all(racing);
        expect(outcomes.filter((o) => o.startsWith('unexpected'))).toEqual([]);
        // Whatever the interleaving, after the context moved nothing conditioned on revision 0 is accepted.
        await expectRejection(
          store.appendToStream(`cond-${uid()}`, [event()], { expected: 'no_stream', conditions: [{ streamId: context, revision: 0 }] }),
          WrongExpectedVersion,
        );
        expect(await store.streamRevision(context)).toBe(10);
      });
    });

    describe('atomic appends to several streams', () => {
      // Adapters that refuse them are held to that by the capability cases.
      const atomic = () => store.capabilities.multiStreamAppends === 'atomic';

      it('answers a retry of the whole with the original results and writes nothing; a part stored alone refuses it all', async () => {
        if (!atomic()) return expect(store.capabilities.multiStreamAppends).toBe('refused');
        const [a, b] = [`multi-${uid()}`, `multi-${uid()}`];
        const parts = [
          { streamId: a, events: [event('A', {}, { eventId: randomUUID() })], expected: 'no_stream' as const },
          {
            streamId: b,
            events: [event('B', {}, { eventId: randomUUID() }), event('B', {}, { eventId: randomUUID() })],
            expected: 'no_stream' as const,
          },
        ];
        const first = await store.appendToStreams(parts);
        const head = await store.headPosition();
        expect(await store.appendToStreams(parts)).toEqual({
          streams: first.streams.map((r) => ({ ...r, duplicate: true })),
          duplicate: true,
        });
        expect(await store.headPosition()).toEqual(head);
        // The first part's ids stored, the new part's not: not a clean retry, and nothing of it is written.
        const c = `multi-${uid()}`;
        await expectRejection(
          store.appendToStreams([parts[0], { streamId: c, events: [event('C', {}, { eventId: randomUUID() })], expected: 'no_stream' }]),
          DuplicateEventId,
        );
        expect(await store.streamRevision(c)).toBeUndefined();
        expect(await store.headPosition()).toEqual(head);
      });

      it('checks conditions with the write, naming the stream that moved, and writes nothing', async () => {
        if (!atomic() || store.capabilities.conditions === 'refused')
          return expect(atomic() && store.capabilities.conditions === 'atomic').toBe(false);
        const [a, b, context] = [`multi-${uid()}`, `multi-${uid()}`, `ctx-${uid()}`];
        await store.appendToStream(context, events(2), { expected: 'no_stream' });
        const parts = [
          { streamId: a, events: [event()], expected: 'no_stream' as const },
          { streamId: b, events: [event()], expected: 'no_stream' as const },
        ];
        const error = await expectRejection(
          store.appendToStreams(parts, { conditions: [{ streamId: context, revision: 0 }] }),
          WrongExpectedVersion,
        );
        expect(error).toMatchObject({ streamId: context, expected: 0, actual: 1 });
        expect([await store.streamRevision(a), await store.streamRevision(b)]).toEqual([undefined, undefined]);
        const ok = await store.appendToStreams(parts, { conditions: [{ streamId: context, revision: 1 }] });
        expect(ok.streams.map((r) => r.nextRevision)).toEqual([0, 0]);
      });

      it('lets exactly one of many racing appends that share a stream win, each winner whole and each loser absent', async () => {
        if (!atomic()) return expect(store.capabilities.multiStreamAppends).toBe('refused');
        const shared = `multi-shared-${uid()}`;
        await store.appendToStream(shared, [event()], { expected: 'no_stream' });
        const own = Array.from({ length: 12 }, () => `multi-own-${uid()}`);
        const outcomes = await Promise.all(
          own.map((streamId) =>
            store
              .appendToStreams([
                { streamId: shared, events: [event('Shared', { by: streamId })], expected: 0 },
                { streamId, events: events(3, streamId), expected: 'no_stream' },
              ])
              .then(
                () => 'won',
                (e: unknown) => (e instanceof WrongExpectedVersion && e.streamId === shared ? 'lost' : `unexpected:${String(e)}`),
              ),
          ),
        );
        expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
        expect(outcomes.filter((o) => o !== 'won' && o !== 'lost')).toEqual([]);
        const winner = own[outcomes.indexOf('won')];
        expect((await store.readStream(shared)).map((e) => e.data['by'])).toEqual([undefined, winner]);
        const revisions = await Promise.all(own.map((streamId) => store.streamRevision(streamId)));
        expect(revisions).toEqual(own.map((streamId) => (streamId === winner ? 2 : undefined)));
      });

      it('refuses a stream named twice or an event id in two parts, naming the part, and writes nothing', async () => {
        const [a, b] = [`multi-${uid()}`, `multi-${uid()}`];
        const id = randomUUID();
        const head = await store.headPosition();
        const twice = await expectRejection(
          store.appendToStreams([
            { streamId: a, events: [event()], expected: 'no_stream' },
            { streamId: a, events: [event()], expected: 'any' },
          ]),
          InvalidAppend,
        );
        expect(twice.issues.map((i) => i.path)).toContain('appends[1].streamId');
        if (atomic()) {
          const reused = await expectRejection(
            store.appendToStreams([
              { streamId: a, events: [event('A', {}, { eventId: id })], expected: 'no_stream' },
              { streamId: b, events: [event('B', {}, { eventId: id })], expected: 'no_stream' },
            ]),
            InvalidAppend,
          );
          expect(reused.issues.map((i) => i.path)).toEqual(['appends[1].events[0].eventId']);
        }
        const empty = await expectRejection(store.appendToStreams([]), InvalidAppend);
        expect(empty.issues.map((i) => i.path)).toEqual(['appends']);
        expect(await store.headPosition()).toEqual(head);
      });
    });

    describe('many appends made at once (a group-committed batch on the SQL stores)', () => {
      it('answers each on its own: accepted, conflicting, retried, partly stored and malformed appends', async () => {
        const run = uid();
        const [existing, other, twice, fresh] = [`mix-${run}`, `mix-other-${run}`, `mix-twice-${run}`, `mix-fresh-${run}`];
        const stored = event('Stored', { s: 1 }, { eventId: randomUUID() });
        const first = await store.appendToStream(existing, [stored, event()], { expected: 'no_stream' });
        await store.appendToStream(other, [event()], { expected: 'no_stream' });
        const again = [event('Again', {}, { eventId: randomUUID() })];
        // A first append goes at once; on a store that batches, the others queue behind it and go together.
        const outcomes = await Promise.allSettled<unknown>([
          store.appendToStream(`mix-lead-${run}`, events(3, 'lead'), { expected: 'no_stream' }),
          store.appendToStream(fresh, events(2, 'fresh'), { expected: 'no_stream' }),
          store.appendToStream(other, [event()], { expected: 5 }),
          store.appendToStream(existing, [stored], { expected: 'no_stream' }),
          store.appendToStream(existing, [stored, event('Partly', {})], { expected: 'any' }),
          store.appendToStream(`mix-bad-${run}`, [event('9 lives')], { expected: 'any' }),
          store.appendToStream(existing, [event('Next', { n: 2 })], { expected: 1 }),
          store.appendToStream(twice, [event('Twice', { i: 'a' })], { expected: 'any' }),
          store.appendToStream(twice, [event('Twice', { i: 'b' })], { expected: 'any' }),
          store.appendToStream(`mix-again-${run}`, again, { expected: 'any' }),
          store.appendToStream(`mix-again-${run}`, again, { expected: 'any' }),
        ]);
        const value = (i: number) => (outcomes[i] as PromiseFulfilledResult<AppendResult>).value;
        const reason = (i: number) => (outcomes[i] as PromiseRejectedResult).reason as unknown;
        expect(outcomes.map((o) => o.status)).toEqual([
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
          'rejected',
          'rejected',
          'fulfilled',
          'fulfilled',
          'fulfilled',
          'fulfilled',
          'fulfilled',
        ]);
        expect(value(1)).toMatchObject({ nextRevision: 1, duplicate: false });
        expect(reason(2)).toBeInstanceOf(WrongExpectedVersion);
        expect(reason(2)).toMatchObject({ streamId: other, expected: 5, actual: 0 });
        // The clean retry answers the original position; the append that reuses only some ids writes nothing.
        expect(value(3)).toEqual({ nextRevision: 0, positions: [first.positions[0]], duplicate: true });
        expect(reason(4)).toBeInstanceOf(DuplicateEventId);
        expect(reason(5)).toBeInstanceOf(InvalidAppend);
        expect((reason(5) as InvalidAppend).issues.map((i) => i.path)).toEqual(['events[0].type']);
        expect(value(6)).toMatchObject({ nextRevision: 2, duplicate: false });
        expect([value(7).nextRevision, value(8).nextRevision].sort()).toEqual([0, 1]);
        expect([value(9).duplicate, value(10).duplicate].sort()).toEqual([false, true]);
        expect(value(9).positions).toEqual(value(10).positions);

        expect((await store.readStream(fresh)).map((e) => e.data['i'])).toEqual([0, 1]);
        expect((await store.readStream(existing)).map((e) => e.type)).toEqual(['Stored', 'ContractThingHappened', 'Next']);
        expect(await store.streamRevision(other)).toBe(0);
        expect(await store.streamRevision(`mix-bad-${run}`)).toBeUndefined();
        const twiceRead = await store.readStream(twice);
        expect(twiceRead.map((e) => e.data['i'])).toEqual(value(7).nextRevision === 0 ? ['a', 'b'] : ['b', 'a']);
        expect(twiceRead.map((e) => e.position)).toEqual(
          [value(7), value(8)].sort((a, b) => a.nextRevision - b.nextRevision).map((r) => r.positions[0]),
        );
        expect(await store.readStream(`mix-again-${run}`)).toHaveLength(1);
      });

      it('writes each atomic append to several streams whole or not at all beside single appends', async () => {
        if (store.capabilities.multiStreamAppends !== 'atomic') return expect(store.capabilities.multiStreamAppends).toBe('refused');
        const run = uid();
        const [a, b, c, d, taken, single] = ['a', 'b', 'c', 'd', 'taken', 'single'].map((n) => `mix-${n}-${run}`);
        await store.appendToStream(taken, [event()], { expected: 'no_stream' });
        const outcomes = await Promise.allSettled<unknown>([
          store.appendToStream(`mix-lead-${run}`, [event()], { expected: 'no_stream' }),
          store.appendToStreams([
            { streamId: a, events: [event()], expected: 'no_stream' },
            { streamId: b, events: events(2), expected: 'no_stream' },
          ]),
          store.appendToStreams([
            { streamId: c, events: [event()], expected: 'no_stream' },
            { streamId: taken, events: [event()], expected: 'no_stream' },
          ]),
          // Both writes to `single` expect 'any': without group commit they race, and either may land first.
          store.appendToStream(single, [event()], { expected: 'any' }),
          store.appendToStreams([
            { streamId: single, events: [event()], expected: 'any' },
            { streamId: d, events: [event()], expected: 'no_stream' },
          ]),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        expect((outcomes[1] as PromiseFulfilledResult<MultiAppendResult>).value.streams.map((r) => r.nextRevision)).toEqual([0, 1]);
        expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ streamId: taken, actual: 0 });
        expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersion);
        expect((outcomes[4] as PromiseFulfilledResult<MultiAppendResult>).value.streams.map((r) => r.nextRevision)[1]).toBe(0);
        const revisions = await Promise.all([a, b, c, d, taken, single].map((s) => store.streamRevision(s)));
        expect(revisions).toEqual([0, 1, undefined, 0, 0, 1]);
      });
    });

    describe('retried appends', () => {
      it('returns the original revision and positions for the same event ids and writes nothing', async () => {
        const stream = `retry-${uid()}`;
        const batch = [event('A', { a: 1 }, { eventId: randomUUID() }), event('B', { b: 2 }, { eventId: randomUUID() })];
        const first = await store.appendToStream(stream, batch, { expected: 'no_stream' });
        await store.appendToStream(stream, [event()], { expected: 1 });
        // The retry carries the stale expectation of the first attempt: still a clean retry.
        const again = await store.appendToStream(stream, batch, { expected: 'no_stream' });
        expect(again).toEqual({ nextRevision: first.nextRevision, positions: first.positions, duplicate: true });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('writes once when the same append is retried concurrently', async () => {
        const stream = `retry-${uid()}`;
        const batch = [event('A', {}, { eventId: randomUUID() }), event('B', {}, { eventId: randomUUID() })];
        const results = await Promise.all(Array.from({ length: 10 }, () => store.appendToStream(stream, batch, { expected: 'any' })));
        expect(new Set(results.map((r) => r.positions.join()))).toHaveProperty('size', 1);
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('refuses an append that reuses only some stored ids, or ids stored in another stream', async () => {
        const stream = `retry-${uid()}`;
        const stored = event('A', {}, { eventId: randomUUID() });
        await store.appendToStream(stream, [stored], { expected: 'no_stream' });
        await expectRejection(store.appendToStream(stream, [stored, event()], { expected: 'any' }), DuplicateEventId);
        const other = `other-${uid()}`;
        if (store.capabilities.idsInOtherStreams === 'refused') {
          await expectRejection(store.appendToStream(other, [stored], { expected: 'any' }), DuplicateEventId);
        } else {
          // Declared 'not-detected': the append is written, and the id then names an event in each stream.
          expect(await store.appendToStream(other, [stored], { expected: 'any' })).toMatchObject({ nextRevision: 0, duplicate: false });
          expect((await store.readStream(other)).map((e) => e.eventId)).toEqual([stored.eventId]);
        }
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('counting', () => {
      it('counts the events after a position, of some types, up to a cap, as reading them would', async () => {
        const kind = `Counted${uid().slice(0, 8)}`;
        const start = (await store.readAll({ limit: 10_000 })).position;
        await store.appendToStream(`count-${uid()}`, [...events(5), event(kind), event(kind), event(kind)], { expected: 'no_stream' });
        await store.headPosition(); // until the append is visible (countEvents reads the database itself)
        expect(await countEvents(store, { after: start })).toBe(8);
        expect(await countEvents(store, { after: start, types: [kind] })).toBe(3);
        expect(await countEvents(store, { after: start, limit: 4 })).toBe(4);
        const [, second] = (await store.readAll({ after: start, types: [kind] })).events;
        expect(await countEvents(store, { after: second.position, types: [kind] })).toBe(1);
      });
    });

    describe('reading a stream', () => {
      it('reads ranges forwards and backwards with a limit, and an unknown stream as empty', async () => {
        const stream = `range-${uid()}`;
        await store.appendToStream(stream, events(6), { expected: 'no_stream' });
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(stream, options)).map((e) => e.revision);
        expect(await revisions({ from: 2 })).toEqual([2, 3, 4, 5]);
        expect(await revisions({ from: 1, to: 3 })).toEqual([1, 2, 3]);
        expect(await revisions({ limit: 2 })).toEqual([0, 1]);
        expect(await revisions({ direction: 'backwards' })).toEqual([5, 4, 3, 2, 1, 0]);
        expect(await revisions({ direction: 'backwards', from: 3, limit: 2 })).toEqual([3, 2]);
        expect(await store.readStream(`missing-${uid()}`)).toEqual([]);
        expect(await store.streamRevision(`missing-${uid()}`)).toBeUndefined();
      });

      it('refuses malformed read options with a clear error', async () => {
        await expectRejection(store.readStream('', {}), InvalidReadOptions);
        // Ids no append accepts (NUL, white space, too long) are refused before they reach the database.
        await expectRejection(store.readStream('task-\u0000'), InvalidReadOptions);
        await expectRejection(store.readStream('a b'), InvalidReadOptions);
        await expectRejection(store.streamRevision('x'.repeat(201)), InvalidReadOptions);
        await expectRejection(store.readAll({ projectId: 'p\u0000' }), InvalidReadOptions);
        await expectRejection(store.readStream('x', { from: -1 }), InvalidReadOptions);
        await expectRejection(store.readStream('x', { limit: 0 }), InvalidReadOptions);
        await expectRejection(store.readStream('x', { direction: 'sideways' as never }), InvalidReadOptions);
        await expectRejection(store.readAll({ after: 'not-a-position' }), InvalidReadOptions);
        await expectRejection(store.readAll({ limit: 10_001 }), InvalidReadOptions);
        // A subscription refuses bad options when it is asked for, not at its first iteration.
        expect(() => store.subscribe({ after: 'not-a-position' })).toThrow(InvalidReadOptions);
        expect(() => store.subscribe({ batchSize: 0 })).toThrow(InvalidReadOptions);
      });
    });

    describe('the global log', () => {
      it('delivers every event exactly once, in order, to readAll and to a live subscriber while 8 writers append', async () => {
        const run = uid();
        const head = await store.headPosition();
        const writers = 8;
        const appendsPerWriter = 25;
        const streams = Array.from({ length: 20 }, (_, i) => `feed-${run}-${i}`);
        const expectedCount = writers * appendsPerWriter * 2;
        const ours = (e: StoredEvent) => e.streamId.startsWith(`feed-${run}-`);

        const controller = new AbortController();
        const received: StoredEvent[] = [];
        const subscriber = (async () => {
          for await (const e of store.subscribe({ after: head, signal: controller.signal, batchSize: 37 })) {
            if (!ours(e)) continue;
            received.push(e);
            if (received.length === expectedCount) controller.abort();
          }
        })();

        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < appendsPerWriter; i++) {
              const stream = streams[(w * 7 + i) % streams.length];
              await store.appendToStream(stream, [event('FeedA', { w, i }), event('FeedB', { w, i })], { expected: 'any' });
            }
          }),
        );
        const timeout = setTimeout(() => controller.abort(), 20_000);
        await subscriber;
        clearTimeout(timeout);

        const paged = await readAllAfter(store, head, ours);
        for (const feed of [received, paged]) {
          expect(feed).toHaveLength(expectedCount);
          expect(new Set(feed.map((e) => e.eventId)).size).toBe(expectedCount);
          for (let i = 1; i < feed.length; i++) expect(comparePositions(feed[i - 1].position, feed[i].position)).toBeLessThan(0);
          // Per-stream order holds inside the global order: revisions 0, 1, 2, … with no gap.
          const next = new Map<string, number>();
          for (const e of feed) {
            expect(e.revision).toBe(next.get(e.streamId) ?? 0);
            next.set(e.streamId, e.revision + 1);
          }
        }
        expect(received.map((e) => e.eventId)).toEqual(paged.map((e) => e.eventId));
      }, 60_000);

      if (harness.appendInOpenTransaction) {
        const appendInOpenTransaction = harness.appendInOpenTransaction;
        it('neither skips nor reorders an event whose transaction commits after a later one', async () => {
          const run = uid();
          const ours = (e: StoredEvent) => e.streamId.endsWith(run);
          const head = await store.headPosition();
          const controller = new AbortController();
          const received: string[] = [];
          const subscriber = (async () => {
            for await (const e of store.subscribe({ after: head, signal: controller.signal })) {
              if (!ours(e)) continue;
              received.push(e.streamId);
              if (received.length === 2) controller.abort();
            }
          })();

          const early = await appendInOpenTransaction(rawStore(store), `early-${run}`, [event('Early')]);
          let committed = false;
          try {
            await store.appendToStream(`late-${run}`, [event('Late')], { expected: 'no_stream' });
            // The later append has committed, but the earlier transaction could still commit in
            // front of it: readers must hold it back rather than hand it out and move past.
            expect(await readAllAfter(rawStore(store), head, ours)).toEqual([]);
            await new Promise((r) => setTimeout(r, 300));
            expect(received).toEqual([]);

            await early.commit();
            committed = true;
            const timeout = setTimeout(() => controller.abort(), 10_000);
            await subscriber;
            clearTimeout(timeout);
            expect(received).toEqual([`early-${run}`, `late-${run}`]);
            expect((await readAllAfter(store, head, ours)).map((e) => e.streamId)).toEqual([`early-${run}`, `late-${run}`]);
          } finally {
            // A failed expectation must not leave the transaction (and its locks) open.
            if (!committed) await early.commit();
            controller.abort();
            await subscriber;
          }
        }, 30_000);
      }

      it('filters by type and project and pages with the returned position', async () => {
        const run = uid();
        const head = await store.headPosition();
        await store.appendToStream(
          `f-${run}`,
          [
            event(`Keep${run}`, { i: 0 }),
            event(`Drop${run}`, { i: 1 }),
            event(`Keep${run}`, { i: 2 }, { metadata: { actor: 'user:contract', projectId: `p-${run}` } }),
          ],
          { expected: 'no_stream' },
        );
        const byType = await store.readAll({ after: head, types: [`Keep${run}`] });
        expect(byType.events.map((e) => e.data['i'])).toEqual([0, 2]);
        const byProject = await store.readAll({ after: head, projectId: `p-${run}` });
        expect(byProject.events.map((e) => e.data['i'])).toEqual([2]);
        const first = await store.readAll({ after: head, types: [`Keep${run}`], limit: 1 });
        const second = await store.readAll({ after: first.position, types: [`Keep${run}`], limit: 1 });
        expect([...first.events, ...second.events].map((e) => e.data['i'])).toEqual([0, 2]);
        const empty = await store.readAll({ after: second.position, types: [`Keep${run}`] });
        expect(empty).toEqual({ events: [], position: second.position });
        expect(comparePositions(await store.headPosition(), second.position)).toBeGreaterThanOrEqual(0);
      });

      it('ends a subscription when its signal aborts', async () => {
        const controller = new AbortController();
        const seen: StoredEvent[] = [];
        const done = (async () => {
          for await (const e of store.subscribe({ after: await store.headPosition(), signal: controller.signal })) seen.push(e);
        })();
        await new Promise((r) => setTimeout(r, 50));
        controller.abort();
        await expect(done).resolves.toBeUndefined();
      });
    });

    describe('payloads', () => {
      it('round-trips large payloads and unicode, Chinese text included', async () => {
        const stream = `订单-${uid()}`;
        const big = '销售目标'.repeat(60_000); // 240,000 characters, 720 KB of UTF-8
        const data = { 名称: '华东区第四季度销售冲刺', emoji: '📈✅', big, nested: { 数组: [1, 2.5, -3, true, null, '客户'] } };
        await store.appendToStream(stream, [event('BigOrderRecorded', data, { metadata: { actor: '用户:王芳', projectId: '项目-1' } })], {
          expected: 'no_stream',
        });
        const [stored] = await store.readStream(stream);
        expect(stored.data).toEqual(data);
        expect(stored.streamId).toBe(stream);
        expect(stored.metadata).toMatchObject({ actor: '用户:王芳', projectId: '项目-1' });
        const byProject = await store.readAll({ projectId: '项目-1', limit: 10_000 });
        expect(byProject.events.map((e) => e.eventId)).toContain(stored.eventId);
      });
    });

    describe('bad input', () => {
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      it.each([
        ['an empty stream id', '', [event()], { expected: 'any' }, 'streamId'],
        ['a stream id with white space', 'a b', [event()], { expected: 'any' }, 'streamId'],
        ['an unknown expectation', 's', [event()], { expected: 'maybe' }, 'options.expected'],
        ['a negative revision', 's', [event()], { expected: -1 }, 'options.expected'],
        ['no events', 's', [], { expected: 'any' }, 'events'],
        ['events that are not an array', 's', 'nope', { expected: 'any' }, 'events'],
        ['data that is not an object', 's', [{ ...event(), data: 'text' }], { expected: 'any' }, 'events[0].data'],
        ['a function in data', 's', [event('X', { f: (() => 1) as never })], { expected: 'any' }, 'events[0].data.f'],
        ['a bigint in data', 's', [event('X', { n: 10n as never })], { expected: 'any' }, 'events[0].data.n'],
        ['NaN in data', 's', [event('X', { n: Number.NaN })], { expected: 'any' }, 'events[0].data.n'],
        ['a Date in data', 's', [event('X', { d: new Date() as never })], { expected: 'any' }, 'events[0].data.d'],
        ['a NUL character', 's', [event('X', { s: 'a\u0000b' })], { expected: 'any' }, 'events[0].data.s'],
        ['a lone surrogate', 's', [event('X', { s: '\ud800' })], { expected: 'any' }, 'events[0].data.s'],
        ['a circular structure', 's', [event('X', circular as never)], { expected: 'any' }, 'events[0].data'],
        ['a missing actor', 's', [{ type: 'X', data: {}, metadata: {} }], { expected: 'any' }, 'events[0].metadata.actor'],
        ['a malformed type', 's', [event('9 lives')], { expected: 'any' }, 'events[0].type'],
        ['a malformed event id', 's', [event('X', {}, { eventId: 'abc' })], { expected: 'any' }, 'events[0].eventId'],
        [
          'a repeated event id',
          's',
          [
            event('X', {}, { eventId: '0190a4b0-0000-7000-8000-000000000001' }),
            event('X', {}, { eventId: '0190a4b0-0000-7000-8000-000000000001' }),
          ],
          { expected: 'any' },
          'events[1].eventId',
        ],
        ['conditions that are not an array', 's', [event()], { expected: 'any', conditions: 'ctx' }, 'options.conditions'],
        [
          'a condition without a revision',
          's',
          [event()],
          { expected: 'any', conditions: [{ streamId: 'ctx' }] },
          'options.conditions[0].revision',
        ],
        [
          'a condition with a negative revision',
          's',
          [event()],
          { expected: 'any', conditions: [{ streamId: 'ctx', revision: -1 }] },
          'options.conditions[0].revision',
        ],
        [
          'a condition on a malformed stream id',
          's',
          [event()],
          { expected: 'any', conditions: [{ streamId: '', revision: 0 }] },
          'options.conditions[0].streamId',
        ],
        [
          'a condition on the stream appended to',
          'self',
          [event()],
          { expected: 'any', conditions: [{ streamId: 'self', revision: 0 }] },
          'options.conditions[0].streamId',
        ],
        [
          'a repeated condition',
          's',
          [event()],
          {
            expected: 'any',
            conditions: [
              { streamId: 'ctx', revision: 0 },
              { streamId: 'ctx', revision: 1 },
            ],
          },
          'options.conditions[1].streamId',
        ],
        [
          'too many conditions',
          's',
          [event()],
          { expected: 'any', conditions: Array.from({ length: 51 }, (_, i) => ({ streamId: `ctx-${i}`, revision: 0 })) },
          'options.conditions',
        ],
      ])('refuses %s, naming the field, and writes nothing', async (_label, streamId, batch, options, path) => {
        const head = await store.headPosition();
        const stream = streamId === 's' ? `bad-${uid()}` : streamId;
        const error = await expectRejection(store.appendToStream(stream, batch as NewEvent[], options as never), InvalidAppend);
        expect(error.issues.map((i) => i.path)).toContainEqual(expect.stringContaining(path));
        expect(error.message).toContain(path);
        expect(await store.headPosition()).toEqual(head);
      });

      it('refuses an event larger than the limit', async () => {
        const error = await expectRejection(
          store.appendToStream(`bad-${uid()}`, [event('X', { s: 'x'.repeat(1024 * 1024 + 1) })], { expected: 'any' }),
          InvalidAppend,
        );
        expect(error.message).toMatch(/larger than/);
      });
    });

    describeCapabilityCases(() => store, {
      ...harness,
      openSecond: harness.openSecond && ((s: EventStore) => (harness.openSecond as (s: EventStore) => Promise<EventStore>)(rawStore(s))),
    });

    describe('upcasting', () => {
      it('runs the registered upcasters in a chain before handing events out', async () => {
        const upcasters: Upcaster[] = [
          { type: UPCAST_TEST_TYPE, fromVersion: 1, upcast: (d) => ({ ...d, title: d['name'] ?? null, name: null }) },
          { type: UPCAST_TEST_TYPE, fromVersion: 2, upcast: (d) => ({ title: d['title'] ?? null, v3: true }) },
        ];
        const upcasting = await harness.open({ upcasters });
        try {
          const stream = `up-${uid()}`;
          await upcasting.appendToStream(
            stream,
            [
              event(UPCAST_TEST_TYPE, { name: 'old' }, { schemaVersion: 1 }),
              event(UPCAST_TEST_TYPE, { title: 'mid', name: null }, { schemaVersion: 2 }),
              event(UPCAST_TEST_TYPE, { title: 'new', v3: true }, { schemaVersion: 3 }),
            ],
            { expected: 'no_stream' },
          );
          const read = await upcasting.readStream(stream);
          expect(read.map((e) => [e.schemaVersion, e.data])).toEqual([
            [3, { title: 'old', v3: true }],
            [3, { title: 'mid', v3: true }],
            [3, { title: 'new', v3: true }],
          ]);
          const page = await upcasting.readAll({ after: undefined, types: [UPCAST_TEST_TYPE], limit: 10_000 });
          expect(page.events.filter((e) => e.streamId === stream).every((e) => e.schemaVersion === 3)).toBe(true);
        } finally {
          await upcasting.close();
        }
      }, 30_000);
    });
  });
}
