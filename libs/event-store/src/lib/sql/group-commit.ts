import { setImmediate as nextTurn } from 'node:timers/promises';
import type { PreparedAppend } from '../append-input';
import type { AppendCondition } from '../event-store.port';

/** How large one group-commit transaction may grow. */
export interface GroupCommitLimits {
  /**
   * Units (appends, or atomic appends to several streams) per transaction. Each unit runs in a
   * subtransaction; PostgreSQL caches 64 of them per transaction before every other session's
   * snapshots slow down, so more is refused.
   */
  maxAppends: number;
  /** Serialized event JSON per transaction; a unit larger than this goes alone. */
  maxBytes: number;
  /**
   * Batches written at once, each in a transaction of its own: with two, one is being written while
   * the other commits, and two server processes share the work. PGlite has one connection, so one.
   */
  maxBatches: number;
}

export const DEFAULT_GROUP_COMMIT_LIMITS: GroupCommitLimits = Object.freeze({
  maxAppends: 64,
  maxBytes: 4 * 1024 * 1024,
  maxBatches: 2,
});

/** One unit of a batch: its parts are written all or none; conditions travel with the first. */
export interface BatchUnit {
  parts: PreparedAppend[];
  conditions: AppendCondition[];
}

/** What the database answered for one part of a unit that was written (or found stored already). */
export interface PartRow {
  revision: string;
  tx: string;
  positions: string[];
  duplicate: boolean;
}

/** A unit refused inside the batch, with the part that failed and the database's error. */
export interface UnitFailure {
  part: number;
  code: string;
  message: string;
  detail: string | null;
  constraint: string | null;
}

export type UnitAnswer = { rows: PartRow[] } | { failure: UnitFailure };

interface Pending {
  unit: BatchUnit;
  bytes: number;
  resolve: (answer: UnitAnswer) => void;
  reject: (error: unknown) => void;
}

/**
 * Natural batching of appends: a unit goes at once while fewer than `maxBatches` batches are in
 * flight; units that arrive while they are being written and committed wait, and go together in
 * the next transaction. There is no timer, so a lone append is never delayed. `write` runs one batch in one transaction and answers every
 * unit of it; when it throws, the transaction did not commit (or its outcome is unknown) and
 * every unit of the batch gets that error.
 */
export class GroupCommitter {
  private readonly queue: Pending[] = [];
  private writers = 0;

  constructor(
    private readonly write: (units: BatchUnit[]) => Promise<UnitAnswer[]>,
    private readonly limits: GroupCommitLimits = DEFAULT_GROUP_COMMIT_LIMITS,
  ) {}

  /** Resolves once the unit's transaction has committed (or refused the unit). */
  submit(unit: BatchUnit): Promise<UnitAnswer> {
    return new Promise<UnitAnswer>((resolve, reject) => {
      const bytes = unit.parts.reduce((n, part) => n + Buffer.byteLength(part.json), 0);
      this.queue.push({ unit, bytes, resolve, reject });
      if (this.writers < this.limits.maxBatches) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writers += 1;
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          const answers = await this.write(batch.map((p) => p.unit));
          batch.forEach((pending, i) => pending.resolve(answers[i]));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
        // The callers just answered run before the next batch is taken (to the end of this turn of
        // the event loop, no longer), so the appends they make next join it rather than each
        // other's following batch: without this, batches alternate between one append and the rest.
        await nextTurn();
      }
    } finally {
      this.writers -= 1;
    }
  }

  /** The oldest units that fit the limits; at least one, however large. */
  private take(): Pending[] {
    let bytes = this.queue[0].bytes;
    let count = 1;
    while (count < this.queue.length && count < this.limits.maxAppends && bytes + this.queue[count].bytes <= this.limits.maxBytes) {
      bytes += this.queue[count].bytes;
      count += 1;
    }
    return this.queue.splice(0, count);
  }
}
