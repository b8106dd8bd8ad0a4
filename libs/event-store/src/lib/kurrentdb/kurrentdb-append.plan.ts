import { STREAM_STATE, type AppendRecordInput, type AppendStreamRequest, type ConsistencyCheck } from '@kurrent/kurrentdb-client';
import { APPEND_LIMITS, prepareAppend, type AppendDefaults, type PreparedEvent } from '../append-input';
import { InvalidAppend, type InvalidAppendIssue } from '../errors';
import type { AppendCondition, ExpectedRevision, StreamAppend } from '../event-store.port';
import { reservedMetadataIssues, toRecordEvent } from './kurrentdb-event.serialiser';
import { toConditionState, toStreamState } from './kurrentdb-expectation.mapping';

export type { MultiAppendOptions, MultiAppendResult, StreamAppend } from '../event-store.port';

/** One stream's part of an append, checked, with ids and defaults filled in. */
export interface PlannedAppend {
  streamId: string;
  expected: ExpectedRevision;
  events: PreparedEvent[];
}

export interface PlannedAppends {
  appends: PlannedAppend[];
  conditions: AppendCondition[];
  /** Whether the caller supplied any event id: only then can the append be a retry. */
  callerIds: boolean;
}

/** Stream ids the server keeps for itself: "$…" are system and metadata streams. */
const RESERVED_STREAM = /^\$/;

/**
 * Checks one append as every adapter does (prepareAppend), and what only KurrentDB refuses: metadata
 * keys the adapter keeps for itself, and the server's own stream names. Throws InvalidAppend
 * naming every problem; nothing is sent.
 */
export function planAppend(streamId: unknown, events: unknown, options: unknown, defaults: AppendDefaults): PlannedAppends {
  const prepared = prepareAppend(streamId, events, options, defaults);
  const issues = [...reservedStreamIssues(prepared.streamId, 'streamId'), ...reservedMetadataIssues(prepared.events)];
  prepared.conditions.forEach((c, i) => issues.push(...reservedStreamIssues(c.streamId, `options.conditions[${i}].streamId`)));
  if (issues.length > 0) throw new InvalidAppend(issues);
  return {
    appends: [{ streamId: prepared.streamId, expected: prepared.expected, events: prepared.events }],
    conditions: prepared.conditions,
    callerIds: prepared.callerIds,
  };
}

/**
 * Checks an append to several streams: each part as a single append would be (paths start with
 * `appends[i].`), no stream twice, no condition on a stream written, at most as many events in all
 * as one append may hold. Throws InvalidAppend naming every problem; nothing is sent.
 */
export function planAppends(appends: unknown, options: unknown, defaults: AppendDefaults): PlannedAppends {
  if (!Array.isArray(appends)) throw new InvalidAppend([{ path: 'appends', message: 'must be an array' }]);
  if (appends.length === 0) throw new InvalidAppend([{ path: 'appends', message: 'must hold at least one stream append' }]);
  const conditionsGiven = options !== null && typeof options === 'object' ? (options as { conditions?: unknown }).conditions : undefined;
  const issues: InvalidAppendIssue[] = [];
  const planned: PlannedAppend[] = [];
  let conditions: AppendCondition[] = [];
  let callerIds = false;
  const seen = new Map<string, number>();
  appends.forEach((raw: unknown, index) => {
    const part = (raw ?? {}) as Partial<StreamAppend>;
    const first = typeof part.streamId === 'string' ? seen.get(part.streamId) : undefined;
    if (first !== undefined)
      issues.push({ path: `appends[${index}].streamId`, message: `repeats stream ${part.streamId} (appends[${first}])` });
    else if (typeof part.streamId === 'string') seen.set(part.streamId, index);
    try {
      // The conditions are checked once, with the first part (the same rules hold for every part).
      const plan = planAppend(
        part.streamId,
        part.events,
        { expected: part.expected, conditions: index === 0 ? conditionsGiven : undefined },
        defaults,
      );
      if (index === 0) conditions = plan.conditions;
      callerIds ||= plan.callerIds;
      planned.push(plan.appends[0]);
    } catch (error) {
      if (!(error instanceof InvalidAppend)) throw error;
      for (const issue of error.issues) issues.push({ ...issue, path: partPath(index, issue.path) });
    }
  });
  conditions.forEach((condition, i) => {
    const written = seen.get(condition.streamId);
    if (written !== undefined)
      issues.push({
        path: `options.conditions[${i}].streamId`,
        message: `names stream ${condition.streamId}, written by appends[${written}]; use its expected`,
      });
  });
  // One id names one event: the same caller id in two parts is refused, as by every adapter.
  const owner = new Map<string, number>();
  planned.forEach((part, index) =>
    part.events.forEach((e, i) => {
      const other = owner.get(e.eventId);
      if (other !== undefined && other !== index)
        issues.push({ path: `appends[${index}].events[${i}].eventId`, message: `repeats an event id of appends[${other}]` });
      owner.set(e.eventId, index);
    }),
  );
  const total = planned.reduce((n, a) => n + a.events.length, 0);
  if (total > APPEND_LIMITS.eventsPerAppend)
    issues.push({ path: 'appends', message: `must hold at most ${APPEND_LIMITS.eventsPerAppend} events in all` });
  if (issues.length > 0) throw new InvalidAppend(issues);
  return { appends: planned, conditions, callerIds };
}

/**
 * The records API keys its streams ignoring case (the server's stream index is case-insensitive),
 * so two stream names equal but for case would be taken for one stream: refused rather than risked.
 */
export function caseCollisionIssues(plan: PlannedAppends): InvalidAppendIssue[] {
  const issues: InvalidAppendIssue[] = [];
  const named = new Map<string, string>();
  const check = (streamId: string, path: string) => {
    const other = named.get(streamId.toLowerCase());
    if (other !== undefined && other !== streamId)
      issues.push({ path, message: `differs from stream ${other} only in case, which KurrentDB's records API cannot tell apart` });
    else named.set(streamId.toLowerCase(), streamId);
  };
  const multi = plan.appends.length > 1;
  plan.appends.forEach((a, i) => check(a.streamId, multi ? `appends[${i}].streamId` : 'streamId'));
  plan.conditions.forEach((c, i) => check(c.streamId, `options.conditions[${i}].streamId`));
  return issues;
}

/**
 * appendRecords (26.1+): every event a record naming its stream, in the order given (the log keeps
 * it); each stream's expectation and each condition a stream-state check. A stream expected 'any'
 * needs no check.
 */
export function toAppendRecords(
  plan: PlannedAppends,
  recordedAt?: (append: number, event: number) => string | undefined,
): { records: AppendRecordInput[]; checks: ConsistencyCheck[] } {
  const checks: ConsistencyCheck[] = [];
  for (const append of plan.appends) {
    if (append.expected !== 'any')
      checks.push({ type: STREAM_STATE, streamName: append.streamId, expectedState: toStreamState(append.expected) });
  }
  for (const condition of plan.conditions) {
    checks.push({ type: STREAM_STATE, streamName: condition.streamId, expectedState: toConditionState(condition.revision) });
  }
  const records = plan.appends.flatMap((append, a) =>
    append.events.map((event, e) => ({ streamName: append.streamId, record: toRecordEvent(event, recordedAt?.(a, e)) })),
  );
  return { records, checks };
}

/** multiStreamAppend (25.1+): one request per stream with its own expectation; no conditions. */
export function toMultiStreamAppend(plan: PlannedAppends): AppendStreamRequest[] {
  if (plan.conditions.length > 0) throw new Error('multiStreamAppend cannot carry conditions');
  return plan.appends.map((append) => ({
    streamName: append.streamId,
    expectedState: toStreamState(append.expected),
    events: append.events.map((event) => toRecordEvent(event)),
  }));
}

/** Where a part's issue is: conditions are the whole append's, everything else the part's. */
function partPath(index: number, path: string): string {
  if (path.startsWith('options.conditions')) return path;
  return `appends[${index}].${path.replace(/^options\./, '')}`;
}

function reservedStreamIssues(streamId: string, path: string): InvalidAppendIssue[] {
  return RESERVED_STREAM.test(streamId) ? [{ path, message: 'starts with "$", which KurrentDB keeps for its own streams' }] : [];
}
