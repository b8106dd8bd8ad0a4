import type { JsonObject, Position, StoredEvent } from '@planledger/event-store';
import type { BatchTransaction, DeadLetter, ReadModelStore } from './read-model-store';

/** Read models in memory, for tests and the in-memory store; batches run one at a time. */
export class InMemoryReadModelStore implements ReadModelStore {
  private readonly docsByProjection = new Map<string, Map<string, JsonObject>>();
  private readonly checkpoints = new Map<string, { position: Position | undefined; applied: number }>();
  private readonly letters = new Map<string, DeadLetter[]>();
  private queue: Promise<unknown> = Promise.resolve();

  batch<T>(projection: string, fn: (tx: BatchTransaction) => Promise<T>): Promise<T> {
    const run = async () => {
      const pendingLetters: DeadLetter[] = [];
      let committed: { changes: ReadonlyMap<string, JsonObject | undefined>; position: Position; applied: number } | undefined;
      const result = await fn({
        lockCheckpoint: async () => ({ position: this.checkpoints.get(projection)?.position }),
        docs: async (keys) => {
          const docs = this.docsByProjection.get(projection) ?? new Map<string, JsonObject>();
          return new Map(keys.filter((k) => docs.has(k)).map((k) => [k, structuredClone(docs.get(k) as JsonObject)]));
        },
        commit: async (changes, position, applied) => {
          committed = { changes, position, applied };
        },
        deadLetter: async (event: StoredEvent, error: string) => {
          pendingLetters.push({ eventId: event.eventId, position: event.position, type: event.type, error });
        },
      });
      // Only a batch that finished is applied: a throw above leaves everything as it was.
      if (committed) {
        const docs = this.docsByProjection.get(projection) ?? new Map<string, JsonObject>();
        for (const [key, doc] of committed.changes) {
          if (doc === undefined) docs.delete(key);
          else docs.set(key, structuredClone(doc));
        }
        this.docsByProjection.set(projection, docs);
        const before = this.checkpoints.get(projection)?.applied ?? 0;
        this.checkpoints.set(projection, { position: committed.position, applied: before + committed.applied });
        this.letters.set(projection, [...(this.letters.get(projection) ?? []), ...pendingLetters]);
      }
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async get(projection: string, key: string): Promise<JsonObject | undefined> {
    const doc = this.docsByProjection.get(projection)?.get(key);
    return doc === undefined ? undefined : structuredClone(doc);
  }

  async all(projection: string): Promise<Map<string, JsonObject>> {
    return new Map([...(this.docsByProjection.get(projection) ?? new Map<string, JsonObject>())].map(([k, v]) => [k, structuredClone(v)]));
  }

  async find(projection: string, field: string, value: string): Promise<Map<string, JsonObject>> {
    return new Map([...(await this.all(projection))].filter(([, doc]) => doc[field] === value));
  }

  async checkpoint(projection: string): Promise<{ position: Position | undefined; applied: number }> {
    return this.checkpoints.get(projection) ?? { position: undefined, applied: 0 };
  }

  async deadLetters(projection: string): Promise<DeadLetter[]> {
    return [...(this.letters.get(projection) ?? [])];
  }

  reset(projection: string): Promise<void> {
    return this.exclusive(async () => {
      this.docsByProjection.delete(projection);
      this.checkpoints.delete(projection);
      this.letters.delete(projection);
    });
  }

  async promote(source: string, target: string): Promise<boolean> {
    let promoted = false;
    await this.exclusive(async () => {
      if (!this.checkpoints.has(source)) return;
      promoted = true;
      this.docsByProjection.set(target, this.docsByProjection.get(source) ?? new Map());
      this.checkpoints.set(target, this.checkpoints.get(source) ?? { position: undefined, applied: 0 });
      this.letters.set(target, this.letters.get(source) ?? []);
      this.docsByProjection.delete(source);
      this.checkpoints.delete(source);
      this.letters.delete(source);
    });
    return promoted;
  }

  /** Runs `fn` between batches, never during one. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
