/** The caller asked to act on a revision (If-Match) the stream is no longer at. */
export class PreconditionFailed extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number | undefined,
  ) {
    super(`${streamId} is at revision ${actual ?? 'none'}, not ${expected}: reload and try again`);
    this.name = 'PreconditionFailed';
  }
}

/** Concurrent writers kept changing the stream even after a retry. */
export class ConcurrencyConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly actual: number | 'no_stream',
  ) {
    super(`${streamId} was changed by someone else at the same time (now at revision ${actual}); try again`);
    this.name = 'ConcurrencyConflict';
  }
}

/** An Idempotency-Key came back with a different request than the one it first named. */
export class IdempotencyKeyReused extends Error {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(readonly key: string) {
    super(`Idempotency-Key "${key}" was already used for a different request; use a new key`);
    this.name = 'IdempotencyKeyReused';
  }
}
