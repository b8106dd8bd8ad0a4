import { appendRecords } from '@kurrent/kurrentdb-client/dist/streams/appendToStream/appendRecords';
import { prepareAppend } from '../append-input';
import type { NewEvent } from '../event-store.port';
import {
  ENVELOPE_KEY,
  fromRecordedEvent,
  reservedMetadataIssues,
  toJsonEvent,
  toRecordEvent,
  type RecordedEventLike,
} from './kurrentdb-event.serialiser';

const defaults = { now: () => new Date('2026-11-02T08:00:00.000Z'), newEventId: () => '0190a4b0-0000-7000-8000-00000000000a' };
const prepared = (event: Partial<NewEvent> = {}) =>
  prepareAppend(
    'goal-1',
    [
      {
        type: 'GoalTargetAdjusted',
        schemaVersion: 3,
        data: { target: 1200.5, 原因: '华东区扩张', nested: { list: [1, null, 'x'] } },
        metadata: { actor: 'user:王芳', projectId: 'p-1', attempt: 2, tags: ['a', 'b'], approved: true, note: null, skipped: undefined },
        ...event,
      },
    ],
    { expected: 'any' },
    defaults,
  ).events[0];

const copy = (value: unknown) => (value === undefined || value instanceof Uint8Array ? value : JSON.parse(JSON.stringify(value)));

/** What the server hands back when the event is read: the same metadata, plus its own keys for records. */
const asRead = (data: unknown, metadata: unknown, extra: Partial<RecordedEventLike> = {}): RecordedEventLike => ({
  streamId: 'goal-1',
  id: '0190A4B0-0000-7000-8000-00000000000A',
  revision: 4n,
  type: 'GoalTargetAdjusted',
  isJson: true,
  data: copy(data),
  metadata: copy(metadata),
  created: new Date('2026-11-02T08:00:01.250Z'),
  position: { commit: 9000n, prepare: 8800n },
  ...extra,
});

const expectedStored = {
  eventId: '0190a4b0-0000-7000-8000-00000000000a',
  type: 'GoalTargetAdjusted',
  schemaVersion: 3,
  data: { target: 1200.5, 原因: '华东区扩张', nested: { list: [1, null, 'x'] } },
  metadata: {
    actor: 'user:王芳',
    projectId: 'p-1',
    attempt: 2,
    tags: ['a', 'b'],
    approved: true,
    note: null,
    correlationId: '0190a4b0-0000-7000-8000-00000000000a',
    occurredAt: '2026-11-02T08:00:00.000Z',
  },
  streamId: 'goal-1',
  revision: 4,
  position: '00000000000000009000-00000000000000008800',
  recordedAt: '2026-11-02T08:00:01.250Z',
};

describe('events on KurrentDB', () => {
  it('round-trips an event through the classic append: data and metadata as JSON, schema version in our envelope', () => {
    const event = toJsonEvent(prepared());
    expect(event).toMatchObject({ id: expectedStored.eventId, contentType: 'application/json', type: 'GoalTargetAdjusted' });
    expect((event.metadata as Record<string, unknown>)[ENVELOPE_KEY]).toEqual({ schemaVersion: 3 });
    expect((event.metadata as Record<string, unknown>)['projectId']).toBe('p-1');
    expect(fromRecordedEvent(asRead(event.data, event.metadata))).toEqual(expectedStored);
  });

  it('round-trips an event through the records API, whose metadata holds strings only', async () => {
    const event = toRecordEvent(prepared());
    const metadata = event.metadata as Record<string, unknown>;
    expect(Object.values(metadata).every((v) => typeof v === 'string')).toBe(true);
    expect(metadata['projectId']).toBe('p-1');
    expect(metadata['attempt']).toBe('2');
    // The client's own check before it sends records accepts them (and refuses anything else).
    const sent = { execute: async () => 'sent' };
    await expect(appendRecords.call(sent as never, [{ streamName: 'goal-1', record: event }])).resolves.toBe('sent');
    await expect(
      appendRecords.call(sent as never, [{ streamName: 'goal-1', record: { ...event, metadata: { n: 1 } } as never }]),
    ).rejects.toThrow(/string values/);
    // Read back, the server shows the properties as metadata, with its schema keys added.
    const read = asRead(event.data, { ...metadata, '$schema.name': 'GoalTargetAdjusted', '$schema.format': 'Json' });
    expect(fromRecordedEvent(read)).toEqual(expectedStored);
  });

  it('prefers the recorded time kept by a restore over the time the server wrote the event', () => {
    for (const event of [toJsonEvent(prepared(), '2025-03-01T09:30:00.000Z'), toRecordEvent(prepared(), '2025-03-01T09:30:00.000Z')]) {
      expect(fromRecordedEvent(asRead(event.data, event.metadata))?.recordedAt).toBe('2025-03-01T09:30:00.000Z');
    }
  });

  it.each([
    ['a system event without metadata', asRead({}, undefined, { type: '$statsCollected' })],
    ['an event without our envelope', asRead({ a: 1 }, { actor: 'x' })],
    ['binary data', asRead({}, { [ENVELOPE_KEY]: { schemaVersion: 1 } }, { isJson: false, data: new Uint8Array([1]) })],
    ['data that is not an object', asRead('text', { [ENVELOPE_KEY]: { schemaVersion: 1 } })],
    ['metadata that is not JSON', asRead({}, undefined, { metadata: new Uint8Array([0xff]) })],
    ['an envelope without a valid schema version', asRead({}, { [ENVELOPE_KEY]: { schemaVersion: 0 } })],
  ])('does not hand out %s', (_label, recorded) => {
    expect(fromRecordedEvent(recorded)).toBeUndefined();
  });

  it('says which server it needs when an event comes without its log position', () => {
    const event = toJsonEvent(prepared());
    expect(() => fromRecordedEvent(asRead(event.data, event.metadata, { position: undefined }))).toThrow(/KurrentDB 22\.10 or later/);
  });

  it('names every metadata key the adapter keeps for itself', () => {
    const event = prepared({ metadata: { actor: 'u', planledger: 'mine', '$schema.name': 'X' } as never });
    expect(reservedMetadataIssues([prepared(), event])).toEqual([
      { path: 'events[1].metadata.planledger', message: 'is reserved by the KurrentDB event store' },
      { path: 'events[1].metadata.$schema.name', message: 'is reserved by the KurrentDB event store' },
    ]);
  });
});
