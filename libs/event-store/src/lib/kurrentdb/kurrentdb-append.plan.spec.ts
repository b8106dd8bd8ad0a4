import { ANY, NO_STREAM, STREAM_EXISTS, STREAM_STATE } from '@kurrent/kurrentdb-client';
import { multiStreamAppend } from '@kurrent/kurrentdb-client/dist/streams/appendToStream/multiStreamAppend';
import { InvalidAppend } from '../errors';
import type { NewEvent } from '../event-store.port';
import { caseCollisionIssues, planAppend, planAppends, toAppendRecords, toMultiStreamAppend } from './kurrentdb-append.plan';

let n = 0;
const defaults = {
  now: () => new Date('2026-11-02T08:00:00.000Z'),
  newEventId: () => `0190a4b0-0000-7000-8000-${String(++n).padStart(12, '0')}`,
};
const event = (type = 'MeetingHeld', extra: Partial<NewEvent> = {}): NewEvent => ({
  type,
  data: { n: 1 },
  metadata: { actor: 'user:a', projectId: 'p-1' },
  ...extra,
});
const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidAppend) return error.issues;
    throw error;
  }
  throw new Error('expected InvalidAppend');
};

describe('planning an append for KurrentDB', () => {
  it('checks an append as every adapter does, then what only KurrentDB refuses', () => {
    expect(issuesOf(() => planAppend('', [event()], { expected: 'any' }, defaults)).map((i) => i.path)).toContain('streamId');
    expect(issuesOf(() => planAppend('$system', [event()], { expected: 'any' }, defaults))).toEqual([
      { path: 'streamId', message: 'starts with "$", which KurrentDB keeps for its own streams' },
    ]);
    expect(
      issuesOf(() =>
        planAppend('goal-1', [event('X', { metadata: { actor: 'a', planledger: 1 } as never })], { expected: 'any' }, defaults),
      ),
    ).toEqual([{ path: 'events[0].metadata.planledger', message: 'is reserved by the KurrentDB event store' }]);
    expect(
      issuesOf(() => planAppend('goal-1', [event()], { expected: 'any', conditions: [{ streamId: '$$goal-1', revision: 0 }] }, defaults)),
    ).toEqual([{ path: 'options.conditions[0].streamId', message: 'starts with "$", which KurrentDB keeps for its own streams' }]);
    const plan = planAppend('goal-1', [event()], { expected: 3, conditions: [{ streamId: 'project-1', revision: 0 }] }, defaults);
    expect(plan).toMatchObject({
      appends: [{ streamId: 'goal-1', expected: 3 }],
      conditions: [{ streamId: 'project-1', revision: 0 }],
      callerIds: false,
    });
  });

  it('checks an append to several streams: each part, no stream twice, no condition on a stream written', () => {
    expect(issuesOf(() => planAppends([], undefined, defaults))).toEqual([
      { path: 'appends', message: 'must hold at least one stream append' },
    ]);
    expect(issuesOf(() => planAppends('x', undefined, defaults))).toEqual([{ path: 'appends', message: 'must be an array' }]);
    const issues = issuesOf(() =>
      planAppends(
        [
          { streamId: 'meeting-1', events: [event()], expected: 'no_stream' },
          { streamId: 'task-1', events: [], expected: 'any' },
          { streamId: 'meeting-1', events: [event()], expected: 'any' },
          { streamId: 'task-2', events: [event()], expected: 'maybe' },
        ],
        { conditions: [{ streamId: 'meeting-1', revision: 0 }] },
        defaults,
      ),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'options.conditions[0].streamId',
      'appends[1].events',
      'appends[2].streamId',
      'appends[3].expected',
    ]);
  });

  it('refuses stream names that differ only in case, which the records API cannot tell apart', () => {
    const plan = planAppends(
      [
        { streamId: 'Goal-1', events: [event()], expected: 'any' },
        { streamId: 'goal-1', events: [event()], expected: 'any' },
      ],
      { conditions: [{ streamId: 'GOAL-1', revision: 0 }] },
      defaults,
    );
    expect(caseCollisionIssues(plan).map((i) => i.path)).toEqual(['appends[1].streamId', 'options.conditions[0].streamId']);
    expect(
      caseCollisionIssues(
        planAppend('goal-1', [event()], { expected: 'any', conditions: [{ streamId: 'goal-2', revision: 1 }] }, defaults),
      ),
    ).toEqual([]);
  });

  it('maps expectations and conditions to stream-state checks and events to records in the order given', () => {
    const plan = planAppends(
      [
        { streamId: 'meeting-1', events: [event('MeetingHeld'), event('MinutesRecorded')], expected: 'no_stream' },
        { streamId: 'task-1', events: [event('TaskPlanned')], expected: 'any' },
        { streamId: 'task-2', events: [event('TaskPlanned')], expected: 4 },
        { streamId: 'team-1', events: [event('MemberJoined')], expected: 'exists' },
      ],
      {
        conditions: [
          { streamId: 'project-1', revision: 7 },
          { streamId: 'strategy-1', revision: 'no_stream' },
        ],
      },
      defaults,
    );
    const { records, checks } = toAppendRecords(plan);
    expect(checks).toEqual([
      { type: STREAM_STATE, streamName: 'meeting-1', expectedState: NO_STREAM },
      { type: STREAM_STATE, streamName: 'task-2', expectedState: 4n },
      { type: STREAM_STATE, streamName: 'team-1', expectedState: STREAM_EXISTS },
      { type: STREAM_STATE, streamName: 'project-1', expectedState: 7n },
      { type: STREAM_STATE, streamName: 'strategy-1', expectedState: NO_STREAM },
    ]);
    expect(records.map((r) => [r.streamName, r.record.type])).toEqual([
      ['meeting-1', 'MeetingHeld'],
      ['meeting-1', 'MinutesRecorded'],
      ['task-1', 'TaskPlanned'],
      ['task-2', 'TaskPlanned'],
      ['team-1', 'MemberJoined'],
    ]);
    expect(records.map((r) => r.record.id)).toEqual(plan.appends.flatMap((a) => a.events.map((e) => e.eventId)));
    const restored = toAppendRecords(plan, (a, e) => (a === 0 && e === 1 ? '2025-01-01T00:00:00.000Z' : undefined)).records;
    expect(JSON.parse((restored[1].record.metadata as Record<string, string>)['planledger'])).toEqual({
      schemaVersion: 1,
      recordedAt: '2025-01-01T00:00:00.000Z',
    });
  });

  it('maps an append to several streams to multiStreamAppend requests the client accepts', async () => {
    const plan = planAppends(
      [
        { streamId: 'meeting-1', events: [event()], expected: 'no_stream' },
        { streamId: 'task-1', events: [event(), event()], expected: 'any' },
        { streamId: 'task-2', events: [event()], expected: 2 },
      ],
      undefined,
      defaults,
    );
    const requests = toMultiStreamAppend(plan);
    expect(requests.map((r) => [r.streamName, r.expectedState, r.events.length])).toEqual([
      ['meeting-1', NO_STREAM, 1],
      ['task-1', ANY, 2],
      ['task-2', 2n, 1],
    ]);
    // The client's own check of the string-only metadata, run before it opens the session.
    await expect(multiStreamAppend.call({ execute: async () => 'sent' } as never, requests)).resolves.toBe('sent');
    expect(() => toMultiStreamAppend({ ...plan, conditions: [{ streamId: 'x', revision: 0 }] })).toThrow(/cannot carry conditions/);
  });
});
