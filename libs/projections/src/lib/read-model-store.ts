import type { JsonObject, Position, StoredEvent } from '@planledger/event-store';

/** What the runner does inside one batch's transaction. */
export interface BatchTransaction {
  /**
   * Takes the projection's lock for this transaction and answers its checkpoint (undefined: from
   * the start), or `busy` when another runner holds the lock.
   */
  lockCheckpoint(): Promise<{ position: Position | undefined } | 'busy'>;
  docs(keys: readonly string[]): Promise<Map<string, JsonObject>>;
  /** Writes the documents (undefined deletes) and moves the checkpoint, all in this transaction. */
  commit(changes: ReadonlyMap<string, JsonObject | undefined>, position: Position, applied: number): Promise<void>;
  deadLetter(event: StoredEvent, error: string): Promise<void>;
}

export interface DeadLetter {
  eventId: string;
  position: Position;
  type: string;
  error: string;
}

/** Where read models, their checkpoints and their dead letters live. */
export interface ReadModelStore {
  /** Runs `fn` in one transaction for the projection; nothing of it stays when `fn` throws. */
  batch<T>(projection: string, fn: (tx: BatchTransaction) => Promise<T>): Promise<T>;
  get(projection: string, key: string): Promise<JsonObject | undefined>;
  all(projection: string): Promise<Map<string, JsonObject>>;
  /** Documents whose top-level text field `field` equals `value`. */
  find(projection: string, field: string, value: string): Promise<Map<string, JsonObject>>;
  checkpoint(projection: string): Promise<{ position: Position | undefined; applied: number }>;
  deadLetters(projection: string): Promise<DeadLetter[]>;
  /** Forgets the projection's documents, checkpoint and dead letters (a rebuild's scratch space). */
  reset(projection: string): Promise<void>;
  /**
   * Atomically replaces `target`'s documents, checkpoint and dead letters with `source`'s, and
   * empties `source`; waits for a batch `target`'s runner has in flight. Readers see the old view or
   * the new one, never a mix. Answers false, changing nothing, when `source` has no checkpoint
   * (another rebuild promoted it first).
   */
  promote(source: string, target: string): Promise<boolean>;
}
