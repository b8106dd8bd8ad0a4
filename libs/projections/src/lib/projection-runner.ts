import type { EventStore, JsonObject, StoredEvent } from '@planledger/event-store';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectionId, type Projection } from './projection';
import type { ReadModelStore } from './read-model-store';

export interface StepResult {
  /** Events read and applied (or dead-lettered) by this step. */
  applied: number;
  /** Another runner held the projection: this one did nothing. */
  busy: boolean;
}

export interface RunnerOptions {
  /** Events per batch (one transaction each); default 500. */
  batchSize?: number;
  /** Pause when caught up or busy before looking again; default 100 ms. */
  idleMs?: number;
  /** Where the documents and checkpoint live; default `name@version` (a rebuild uses a scratch id). */
  id?: string;
}

/**
 * Applies one projection to the log: catch-up, then live. Each batch is read from the log, then
 * applied in one transaction together with the checkpoint, under the projection's lock; if the
 * checkpoint moved since the read (another runner), the batch is dropped and read again. An event
 * whose `evolve` throws goes to the dead letters with the error, and the projection goes on.
 */
export class ProjectionRunner<Doc extends JsonObject = JsonObject> {
  readonly id: string;
  private readonly batchSize: number;
  private readonly idleMs: number;
  /** The page after the last one applied, read while that one was being committed. */
  private prefetched: { after: string | undefined; page: ReturnType<EventStore['readAll']> } | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly models: ReadModelStore,
    private readonly projection: Projection<Doc>,
    options: RunnerOptions = {},
  ) {
    this.id = options.id ?? projectionId(projection);
    this.batchSize = options.batchSize ?? 500;
    this.idleMs = options.idleMs ?? 100;
  }

  /** Applies at most one batch. */
  async step(): Promise<StepResult> {
    const from = (await this.models.checkpoint(this.id)).position;
    const ahead = this.prefetched;
    this.prefetched = undefined;
    const page = ahead !== undefined && ahead.after === from ? await ahead.page : await this.read(from);
    if (page.events.length === 0) return { applied: 0, busy: false };
    // A full page means more may follow: read it while this one is applied.
    if (page.events.length === this.batchSize) {
      const next = this.read(page.position);
      next.catch(() => undefined);
      this.prefetched = { after: page.position, page: next };
    }
    return this.models.batch(this.id, async (tx) => {
      const lock = await tx.lockCheckpoint();
      if (lock === 'busy') return { applied: 0, busy: true };
      // Another runner applied events since this one read the page: read again next step.
      if (lock.position !== from) return { applied: 0, busy: true };
      const keys = [...new Set(page.events.flatMap((e) => this.safeKeys(e)))];
      const docs = (await tx.docs(keys)) as Map<string, Doc>;
      const changes = new Map<string, Doc | undefined>();
      for (const event of page.events) {
        const touched = new Map<string, Doc | undefined>();
        try {
          for (const key of this.projection.keysOf(event)) {
            const current = touched.has(key) ? touched.get(key) : changes.has(key) ? changes.get(key) : docs.get(key);
            touched.set(key, this.projection.evolve(current, event, key));
          }
        } catch (error) {
          // The event changes nothing; the dead letter says why, for a fix and a rebuild.
          await tx.deadLetter(event, error instanceof Error ? error.message : String(error));
          continue;
        }
        for (const [key, doc] of touched) changes.set(key, doc);
      }
      await tx.commit(changes as Map<string, JsonObject | undefined>, page.position as string, page.events.length);
      return { applied: page.events.length, busy: false };
    });
  }

  /** Steps until the projection has applied everything in the log at the time it gets there. */
  async catchUp(onProgress?: (applied: number) => void, signal?: AbortSignal): Promise<number> {
    let total = 0;
    while (!signal?.aborted) {
      const { applied, busy } = await this.step();
      total += applied;
      if (applied > 0) onProgress?.(total);
      if (busy) await sleep(this.idleMs);
      else if (applied === 0) return total;
    }
    return total;
  }

  /** Catches up, then follows the log until `signal` aborts; `onStep` hears of every step that reached the store. */
  async run(signal: AbortSignal, onStep?: (applied: number) => void): Promise<void> {
    while (!signal.aborted) {
      const { applied } = await this.step();
      onStep?.(applied);
      if (applied === 0) await sleep(this.idleMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private read(after: string | undefined) {
    return this.store.readAll({ after, types: [...this.projection.eventTypes], limit: this.batchSize });
  }

  private safeKeys(event: StoredEvent): readonly string[] {
    try {
      return this.projection.keysOf(event);
    } catch {
      return [];
    }
  }
}
