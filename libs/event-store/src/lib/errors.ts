import type { ExpectedRevision } from './event-store.port';

/** Base class of every error the event store raises on purpose. */
export class EventStoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the revision the appender expected; nothing was written. */
export class WrongExpectedVersion extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision when the append was refused; `'no_stream'` when it does not exist. */
    readonly actual: number | 'no_stream',
  ) {
    super(
      `Wrong expected version for stream "${streamId}": expected ${String(expected)}, actual ${String(actual)}`,
      'WRONG_EXPECTED_VERSION',
    );
  }
}

export interface InvalidAppendIssue {
  /** Where the problem is, e.g. `events[2].data.amount`. */
  path: string;
  message: string;
}

/** The append request is malformed; each issue names the field and the problem. Nothing was written. */
export class InvalidAppend extends EventStoreError {
  constructor(readonly issues: InvalidAppendIssue[]) {
    super(`Invalid append: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, 'INVALID_APPEND');
  }
}

/** Some of the event ids are stored already (or in another stream): the append is not a clean retry. */
export class DuplicateEventId extends EventStoreError {
  constructor(
    readonly streamId: string,
    detail: string,
  ) {
    super(`Event ids already stored for stream "${streamId}": ${detail}`, 'DUPLICATE_EVENT_ID');
  }
}

/** A read option is out of range or malformed. */
export class InvalidReadOptions extends EventStoreError {
  constructor(message: string) {
    super(message, 'INVALID_READ_OPTIONS');
  }
}

/**
 * The store cannot be reached or did not answer in time (refused or broken connection, no pooled
 * connection within the acquisition timeout, the statement timeout, a server shutting down). The
 * operation may or may not have taken effect when the failure came mid-commit: callers answer
 * "try again" (HTTP 503 with Retry-After), and a retry with the same idempotency key is safe.
 */
export class EventStoreUnavailable extends EventStoreError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The event store is unavailable: ${reason}`, 'STORE_UNAVAILABLE');
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** SQLSTATE classes and codes that mean the server is unreachable, going away or timed out, not that the request was wrong. */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[1-3]|53300|57014|58000|58030)$/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Query read timeout|not queryable|Client was closed|terminating connection/i;

/** Whether `error` (from the database driver or the socket) says the store is unavailable rather than the request wrong. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailable) return true;
  // Not `instanceof Error`: a socket error made by Node's own code may come from another realm
  // (a test runner's sandbox, a worker), and it is still a broken connection.
  if (typeof error !== 'object' || error === null || error instanceof EventStoreError) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}

/** `error` as an EventStoreUnavailable when it is one (see isUnavailable), else unchanged. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof EventStoreUnavailable || !isUnavailable(error)) return error;
  const e = error as { code?: string; message?: string };
  return new EventStoreUnavailable(e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(error)), { cause: error });
}
