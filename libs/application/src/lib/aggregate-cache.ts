import { LRUCache } from 'lru-cache';

/** An aggregate's state as of one revision of its stream (undefined: the stream did not exist). */
export interface Snapshot<State> {
  state: State;
  revision: number | undefined;
}

/** Entries kept when the caller does not say: a project's context and its busiest goals and tasks. */
export const DEFAULT_AGGREGATE_CACHE_SIZE = 10_000;

/**
 * Recently used aggregates, folded, by stream id. Never trusted blindly: the main stream is
 * appended to with the cached revision as its expected revision, and every context stream read
 * from here travels with the append as a condition, so a stale entry costs one refused append and
 * a fresh read, never a decision on outdated state. States are immutable (deciders return new
 * objects), so entries are shared, not copied.
 */
export class AggregateCache {
  private readonly entries: LRUCache<string, Snapshot<unknown>> | undefined;

  /** `maxEntries` 0 keeps nothing: every command reads its streams. */
  constructor(readonly maxEntries: number = DEFAULT_AGGREGATE_CACHE_SIZE) {
    this.entries = maxEntries > 0 ? new LRUCache({ max: maxEntries }) : undefined;
  }

  get<State>(streamId: string): Snapshot<State> | undefined {
    return this.entries?.get(streamId) as Snapshot<State> | undefined;
  }

  /** Keeps the snapshot unless a later revision of the stream is cached already. */
  remember<State>(streamId: string, snapshot: Snapshot<State>): void {
    if (!this.entries) return;
    const cached = this.entries.get(streamId);
    if (cached?.revision !== undefined && (snapshot.revision === undefined || snapshot.revision < cached.revision)) return;
    this.entries.set(streamId, snapshot);
  }

  forget(streamId: string): void {
    this.entries?.delete(streamId);
  }
}
