import { randomUUID } from 'node:crypto';
import { InvalidAppend, WrongExpectedVersion } from '../errors';
import type { EventStore, NewEvent } from '../event-store.port';
import { comparePositions } from '../position';

// The cases where an adapter may declare, in its capabilities, a weaker promise than PostgreSQL's:
// each holds the adapter to what it declares, and the full promise where it declares that.

const uid = () => randomUUID().slice(0, 8);
const event = (type = 'ContractThingHappened', extra: Partial<NewEvent> = {}): NewEvent => ({
  type,
  data: { n: 1 },
  metadata: { actor: 'user:contract', projectId: 'p-contract' },
  ...extra,
});
const withId = (type: string): NewEvent => event(type, { eventId: randomUUID() });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/**
 * For an adapter whose capabilities say conditions are refused: an append carrying one is refused
 * with InvalidAppend naming options.conditions, and nothing is written.
 */
export async function expectConditionsRefused(store: EventStore): Promise<void> {
  const [stream, context] = [`cond-${uid()}`, `ctx-${uid()}`];
  const head = await store.headPosition();
  const error = await rejection(
    store.appendToStream(stream, [event()], { expected: 'no_stream', conditions: [{ streamId: context, revision: 'no_stream' }] }),
  );
  expect(error).toBeInstanceOf(InvalidAppend);
  expect((error as InvalidAppend).issues.map((i) => i.path)).toEqual(['options.conditions']);
  expect(await store.streamRevision(stream)).toBeUndefined();
  expect(await store.headPosition()).toEqual(head);
}

export interface CapabilityHarness {
  /**
   * A second store object on the same data (another client, as another process would have), to
   * race appends through two objects. Required for an adapter whose duplicate flag is 'per-process'.
   */
  openSecond?: (store: EventStore) => Promise<EventStore>;
}

export function describeCapabilityCases(current: () => EventStore, harness: CapabilityHarness): void {
  describe('where adapters may promise less (capabilities)', () => {
    it('declares a capability for every promise, each one of the values the port defines', () => {
      const { capabilities } = current();
      expect(['atomic', 'refused']).toContain(capabilities.conditions);
      expect(['atomic', 'refused']).toContain(capabilities.multiStreamAppends);
      expect(['exact', 'per-process']).toContain(capabilities.duplicateFlag);
      expect(['refused', 'not-detected']).toContain(capabilities.idsInOtherStreams);
      expect(['always', 'recent']).toContain(capabilities.looseRetries);
      expect(Array.isArray(capabilities.reservedMetadataKeys) && Array.isArray(capabilities.reservedStreamPrefixes)).toBe(true);
    });

    it('writes identical appends racing through two store objects once', async () => {
      const store = current();
      if (!harness.openSecond) {
        // Without a second object to race through, only the exact promise is proven (by the case above).
        expect(store.capabilities.duplicateFlag).toBe('exact');
        return;
      }
      const other = await harness.openSecond(store);
      try {
        const stream = `race2-${uid()}`;
        const batch = [withId('A'), withId('B')];
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).appendToStream(stream, batch, { expected: 'no_stream' })),
        );
        expect(new Set(results.map((r) => r.positions.join()))).toHaveProperty('size', 1);
        const fresh = results.filter((r) => !r.duplicate).length;
        if (store.capabilities.duplicateFlag === 'exact') expect(fresh).toBe(1);
        else expect(fresh).toBeGreaterThanOrEqual(1);
        expect((await store.readStream(stream)).map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
      } finally {
        await other.close();
      }
    });

    it("recognises a retry with expected 'any' made soon after the original, other appends in between", async () => {
      const store = current();
      const stream = `loose-${uid()}`;
      const batch = [withId('A'), withId('B')];
      const first = await store.appendToStream(stream, batch, { expected: 'any' });
      await store.appendToStream(stream, [event()], { expected: 'any' });
      await store.appendToStream(stream, [event(), event()], { expected: 'exists' });
      // Recognised on every adapter while the retry is recent; 'always' adapters keep it for good.
      expect(await store.appendToStream(stream, batch, { expected: 'any' })).toEqual({ ...first, duplicate: true });
      expect(await store.appendToStream(stream, batch, { expected: 'exists' })).toEqual({ ...first, duplicate: true });
      expect(await store.readStream(stream)).toHaveLength(5);
    });

    it('refuses metadata keys and stream ids it keeps for itself, naming the field; other adapters store them as given', async () => {
      const store = current();
      const { reservedMetadataKeys, reservedStreamPrefixes } = store.capabilities;
      for (const key of new Set(['planledger', '$schema.name', ...reservedMetadataKeys])) {
        const stream = `meta-${uid()}`;
        const append = store.appendToStream(stream, [event('X', { metadata: { actor: 'user:contract', [key]: 'mine' } })], {
          expected: 'no_stream',
        });
        if (reservedMetadataKeys.includes(key)) {
          const error = await rejection(append);
          expect(error).toBeInstanceOf(InvalidAppend);
          expect((error as InvalidAppend).issues.map((i) => i.path)).toEqual([`events[0].metadata.${key}`]);
          expect(await store.streamRevision(stream)).toBeUndefined();
        } else {
          await append;
          expect((await store.readStream(stream))[0].metadata[key]).toBe('mine');
        }
      }
      for (const prefix of new Set(['$', ...reservedStreamPrefixes])) {
        const stream = `${prefix}probe-${uid()}`;
        const append = store.appendToStream(stream, [event()], { expected: 'no_stream' });
        if (reservedStreamPrefixes.some((p) => stream.startsWith(p))) {
          const error = await rejection(append);
          expect(error).toBeInstanceOf(InvalidAppend);
          expect((error as InvalidAppend).issues.map((i) => i.path)).toEqual(['streamId']);
          expect(await store.readStream(stream)).toEqual([]);
        } else {
          await append;
          expect(await store.readStream(stream)).toHaveLength(1);
        }
      }
    });

    it('appends to several streams atomically, or refuses to as its capabilities say, writing nothing', async () => {
      const store = current();
      const appendToStreams = store.appendToStreams.bind(store);
      const [a, b, c] = [`multi-${uid()}`, `multi-${uid()}`, `multi-${uid()}`];
      await store.appendToStream(c, [event()], { expected: 'no_stream' });
      const head = await store.headPosition();
      const both = [
        { streamId: a, events: [event('A1'), event('A2')], expected: 'no_stream' as const },
        { streamId: b, events: [event('B1')], expected: 'no_stream' as const },
      ];
      if (store.capabilities.multiStreamAppends === 'refused') {
        const error = await rejection(appendToStreams(both));
        expect(error).toBeInstanceOf(InvalidAppend);
        expect((error as InvalidAppend).issues.map((i) => i.path)).toEqual(['appends']);
        expect(await store.headPosition()).toEqual(head);
        return;
      }
      const result = await appendToStreams(both);
      expect(result.duplicate).toBe(false);
      expect(result.streams.map((s) => s.nextRevision)).toEqual([1, 0]);
      const positions = result.streams.flatMap((s) => s.positions);
      for (let i = 1; i < positions.length; i++) expect(comparePositions(positions[i - 1], positions[i])).toBeLessThan(0);
      expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A1', 'A2']);
      // One expectation that does not hold refuses the whole append, naming that stream.
      const before = await store.headPosition();
      const error = await rejection(
        appendToStreams([
          { streamId: `multi-${uid()}`, events: [event()], expected: 'no_stream' },
          { streamId: c, events: [event()], expected: 'no_stream' },
        ]),
      );
      expect(error).toBeInstanceOf(WrongExpectedVersion);
      expect(error).toMatchObject({ streamId: c, actual: 0 });
      expect(await store.headPosition()).toEqual(before);
    });
  });
}
