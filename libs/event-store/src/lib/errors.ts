import type { ExpectedRevision } from './event-store.port';

/** Base class of every error the event store raises on purpose. */
export class EventStoreError extends Error {
  constructor(message: string, readonly code: string) {
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
  constructor(readonly streamId: string, detail: string) {
    super(`Event ids already stored for stream "${streamId}": ${detail}`, 'DUPLICATE_EVENT_ID');
  }
}

/** A read option is out of range or malformed. */
export class InvalidReadOptions extends EventStoreError {
  constructor(message: string) {
    super(message, 'INVALID_READ_OPTIONS');
  }
}
