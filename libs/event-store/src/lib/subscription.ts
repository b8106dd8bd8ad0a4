import type { ReadAllOptions, ReadAllPage, StoredEvent, SubscribeOptions } from './event-store.port';
import { checkReadAllOptions } from './read-options';

/**
 * Wakes waiting subscribers when this process appends, so local subscribers see new events at
 * once; appends from other processes are found by polling. A generation counter makes a wake-up
 * that lands between a read and the wait impossible to miss.
 */
export class AppendSignal {
  private generation = 0;
  private waiters = new Set<() => void>();

  get current(): number {
    return this.generation;
  }

  notify(): void {
    this.generation += 1;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next append after `seenGeneration`, after `timeoutMs`, or when `signal` aborts. */
  wait(seenGeneration: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.generation !== seenGeneration || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

export const DEFAULT_POLL_INTERVAL_MS = 100;
const DEFAULT_BATCH_SIZE = 1000;

/**
 * Catch-up then live subscription built on `readAll`; shared by every adapter. Malformed options
 * are refused at once (not on the first iteration), and closing the store (`closing`) ends the
 * subscription instead of leaving it to fail on a closed connection.
 */
export function followLog(
  readAll: (options: ReadAllOptions) => Promise<ReadAllPage>,
  appended: AppendSignal,
  pollIntervalMs: number,
  closing: AbortSignal,
  options: SubscribeOptions = {},
): AsyncIterable<StoredEvent> {
  const { batchSize = DEFAULT_BATCH_SIZE, types, projectId } = options;
  checkReadAllOptions({ after: options.after, limit: batchSize, types, projectId });
  const signal = options.signal ? AbortSignal.any([options.signal, closing]) : closing;
  return {
    async *[Symbol.asyncIterator]() {
      let after = options.after;
      while (!signal?.aborted) {
        const seen = appended.current;
        const page = await readAll({ after, limit: batchSize, types, projectId });
        for (const event of page.events) {
          if (signal?.aborted) return;
          yield event;
        }
        after = page.position;
        if (page.events.length < batchSize) await appended.wait(seen, pollIntervalMs, signal);
      }
    },
  };
}
