import {
  AccessDeniedError,
  AppendConsistencyViolationError,
  AppendRecordSizeExceededError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamTombstonedError,
  TimeoutError,
  TransactionMaxSizeExceededError,
  UnavailableError,
  UnsupportedError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { InvalidAppend, WrongExpectedVersion } from '../errors';
import type { AppendCondition, ExpectedRevision } from '../event-store.port';
import { fromCurrentState } from './kurrentdb-expectation.mapping';
import { tooOld } from './kurrentdb-server-features';

/** What an append asked for, to name the right stream and field when the server refuses it. */
export interface AppendContext {
  /** The streams written, in the order given. */
  appends: readonly { streamId: string; expected: ExpectedRevision; eventIds: readonly string[] }[];
  conditions: readonly AppendCondition[];
  /** Whether the caller appended to several streams (issue paths then start with appends[i]). */
  multi: boolean;
}

/**
 * The port's error for a refused append, or the error itself when it is not a refusal (a lost
 * connection, a server fault). The first stream (or condition) in the caller's order that does
 * not hold is the one named, as on PostgreSQL.
 */
export function toAppendError(error: unknown, context: AppendContext): unknown {
  const at = (index: number, field: string) => (context.multi ? `appends[${index}].${field}` : field);
  const indexOf = (streamName: string) => context.appends.findIndex((a) => a.streamId === streamName);

  if (error instanceof WrongExpectedVersionError) {
    const index = Math.max(indexOf(error.streamName), 0);
    const append = context.appends[index];
    return new WrongExpectedVersion(append.streamId, append.expected, fromCurrentState(error.actualState));
  }
  if (error instanceof AppendConsistencyViolationError) {
    const order = (stream: string) => {
      const appended = indexOf(stream);
      if (appended >= 0) return appended;
      const condition = context.conditions.findIndex((c) => c.streamId === stream);
      return condition >= 0 ? context.appends.length + condition : Number.MAX_SAFE_INTEGER;
    };
    const [first] = [...error.violations].sort((a, b) => order(a.streamName) - order(b.streamName));
    if (first === undefined) return error;
    const appended = context.appends.find((a) => a.streamId === first.streamName);
    const condition = context.conditions.find((c) => c.streamId === first.streamName);
    const expected = appended?.expected ?? condition?.revision ?? 'any';
    return new WrongExpectedVersion(first.streamName, expected, fromCurrentState(first.actualState));
  }
  if (error instanceof StreamDeletedError || error instanceof StreamTombstonedError) {
    const stream = error instanceof StreamDeletedError ? error.streamName : error.stream;
    const index = Math.max(indexOf(stream), 0);
    return new InvalidAppend([{ path: at(index, 'streamId'), message: `names stream ${stream}, which is deleted in KurrentDB` }]);
  }
  if (error instanceof MaxAppendSizeExceededError || error instanceof TransactionMaxSizeExceededError) {
    const max = error instanceof MaxAppendSizeExceededError ? error.maxAppendSize : error.maxSize;
    return new InvalidAppend([
      { path: context.multi ? 'appends' : 'events', message: `are together larger than the server's maximum append size (${max} bytes)` },
    ]);
  }
  if (error instanceof AppendRecordSizeExceededError) {
    const index = Math.max(indexOf(error.stream), 0);
    const event = Math.max(context.appends[index]?.eventIds.indexOf(error.recordId.toLowerCase()) ?? 0, 0);
    return new InvalidAppend([
      { path: at(index, `events[${event}]`), message: `is larger than the server's maximum event size (${error.maxSize} bytes)` },
    ]);
  }
  // The server changed under a running client (a downgrade): refused as on a server known to be too old.
  if (error instanceof UnsupportedError)
    return tooOld(context.conditions.length > 0 ? 'conditions' : 'several streams', `older than ${error.minimumVersion}`);
  if (error instanceof AccessDeniedError) {
    return new Error(
      `KurrentDB refused access to ${context.appends.map((a) => a.streamId).join(', ')}: the user in EVENT_STORE_URL needs to read and write these streams and $all`,
    );
  }
  return error;
}

/**
 * Whether an append may have been lost on the way (no answer, a node that went away, a leader
 * change) and must be sent again with the same event ids: the server drops a retry that reaches it
 * before the first write is replicated, so only a deadline tells.
 */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof DeadlineExceededError ||
    error instanceof UnavailableError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError ||
    (error instanceof Error && /^(4|14) (DEADLINE_EXCEEDED|UNAVAILABLE):/.test(error.message))
  );
}
