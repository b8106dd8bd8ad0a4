import { setTimeout as sleep } from 'node:timers/promises';
import type { Position } from '../event-store.port';
import { comparePositions } from '../position';

export interface ResubscribeOptions<T> {
  /** Opens the source after a position (exclusive); undefined from the start of the log. */
  open: (after: Position | undefined) => AsyncIterable<T>;
  positionOf: (item: T) => Position;
  after: Position | undefined;
  signal: AbortSignal;
  /** Whether a failure is worth reopening for (a dropped connection) rather than final (access denied). */
  retryable: (error: unknown) => boolean;
  /** Pause before the attempt-th reopening in a row. */
  delayMs?: (attempt: number) => number;
  /** Told of each drop, with the attempt that follows. */
  onDrop?: (error: unknown, attempt: number) => void;
}

const defaultDelay = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 5000);

/**
 * Follows a source that can be reopened from a position, and reopens it after the last item handed
 * out whenever it fails or ends (a subscription the server dropped), until `signal` aborts: no item
 * is lost, and none is handed out twice even if the source repeats the one it was reopened at.
 */
export async function* resubscribing<T>(options: ResubscribeOptions<T>): AsyncGenerator<T, void, undefined> {
  const { open, positionOf, signal, retryable, delayMs = defaultDelay, onDrop } = options;
  let after = options.after;
  let attempt = 0;
  while (!signal.aborted) {
    try {
      for await (const item of open(after)) {
        if (signal.aborted) return;
        const position = positionOf(item);
        if (after !== undefined && comparePositions(position, after) <= 0) continue;
        attempt = 0;
        after = position;
        yield item;
      }
      if (signal.aborted) return;
      onDrop?.(new Error('the subscription ended'), ++attempt);
    } catch (error) {
      if (signal.aborted) return;
      if (!retryable(error)) throw error;
      onDrop?.(error, ++attempt);
    }
    await sleep(delayMs(attempt), undefined, { signal }).catch(() => undefined);
  }
}

/** A readable subscription as the client returns it. */
export interface ClientSubscription<T> extends AsyncIterable<T> {
  unsubscribe(): Promise<void>;
  destroy(error?: Error): unknown;
}

/**
 * Iterates a client subscription until it ends or `signal` aborts, then unsubscribes. Aborting
 * does not wait for the next event: a quiet subscription ends at once.
 */
export async function* untilAborted<T>(subscription: ClientSubscription<T>, signal: AbortSignal): AsyncGenerator<T, void, undefined> {
  const iterator = subscription[Symbol.asyncIterator]();
  let onAbort = () => undefined as void;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = iterator.next();
      // Left pending when the signal wins; it settles when the subscription is torn down.
      next.catch(() => undefined);
      const result = await Promise.race([next, aborted]);
      if (result === 'aborted' || result.done) return;
      yield result.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await subscription.unsubscribe().catch(() => undefined);
    subscription.destroy();
  }
}
