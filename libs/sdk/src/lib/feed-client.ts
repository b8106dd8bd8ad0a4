import type { CloudEventJson, PlanLedgerEvent } from '@planledger/contracts';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { CheckpointStore } from './checkpoint';

/** A feed event with its data typed by its event type. */
export type FeedEvent = Omit<CloudEventJson, 'data'> & { event: PlanLedgerEvent };

export interface FeedClientOptions {
  /** The API's base URL, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** `Bearer <token>` or `Bearer plk_…` (an API key); a function is asked on every (re)connection. */
  authorization: string | (() => string | Promise<string>);
  checkpoint: CheckpointStore;
  /** Only these event types (the server filters). */
  types?: readonly PlanLedgerEvent['type'][];
  projectId?: string;
  /** First wait before reconnecting; doubles up to `maxBackoffMs`, with full jitter. Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Told of every lost connection before the client waits and reconnects. */
  onReconnect?: (error: unknown, attempt: number, waitMs: number) => void;
  fetch?: typeof fetch;
}

/** Refused by the server for a reason retrying cannot fix (a bad credential, no access, bad input). */
export class FeedRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the feed refused the connection: ${status} ${body.slice(0, 200)}`);
    this.name = 'FeedRefused';
  }
}

const PREFIX = 'io.planledger.';

/**
 * Follows the PlanLedger feed over Server-Sent Events from the checkpoint, handing out typed
 * events one at a time. Backpressure is the caller's pace: the stream is read only as events are
 * asked for. Lost connections are retried with exponential backoff and full jitter, resuming with
 * Last-Event-ID after the last event handed out.
 *
 * `consume(handler)` saves each event's position once its handler has finished, so a consumer
 * that stops or crashes mid-event gets that event again and never skips one; a handler that keeps
 * its own state and the checkpoint in one write (see the example consumer) sees each event once.
 */
export class FeedClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: FeedClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async *events(signal?: AbortSignal): AsyncGenerator<FeedEvent> {
    let position = await this.options.checkpoint.load();
    let attempt = 0;
    while (!signal?.aborted) {
      const connection = new AbortController();
      const stop = () => connection.abort();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const response = await this.connect(position, connection.signal);
        attempt = 0;
        for await (const message of messages(response, connection.signal)) {
          const event = toFeedEvent(message);
          position = event.position;
          yield event;
        }
        // The server ended the stream (a restart): reconnect at once.
      } catch (error) {
        if (signal?.aborted) return;
        if (error instanceof FeedRefused && error.status < 500 && error.status !== 429) throw error;
        attempt++;
        const ceiling = Math.min(this.options.maxBackoffMs ?? 30_000, (this.options.backoffMs ?? 250) * 2 ** (attempt - 1));
        const wait = Math.round(Math.random() * ceiling);
        this.options.onReconnect?.(error, attempt, wait);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      } finally {
        signal?.removeEventListener('abort', stop);
        connection.abort();
      }
    }
  }

  /** Runs `handler` on every event in order, saving the checkpoint after each, until `signal` aborts. */
  async consume(handler: (event: FeedEvent) => Promise<void> | void, signal?: AbortSignal): Promise<void> {
    for await (const event of this.events(signal)) {
      await handler(event);
      await this.options.checkpoint.save(event.position);
      if (signal?.aborted) return;
    }
  }

  private async connect(position: string | undefined, signal: AbortSignal): Promise<Response> {
    const query = new URLSearchParams();
    if (this.options.types?.length) query.set('type', this.options.types.join(','));
    if (this.options.projectId) query.set('projectId', this.options.projectId);
    const authorization =
      typeof this.options.authorization === 'function' ? await this.options.authorization() : this.options.authorization;
    const response = await this.fetch(`${this.options.baseUrl.replace(/\/$/, '')}/events/stream${query.size ? `?${query}` : ''}`, {
      headers: { accept: 'text/event-stream', authorization, ...(position ? { 'last-event-id': position } : {}) },
      signal,
    });
    if (response.status !== 200 || !response.body) throw new FeedRefused(response.status, await response.text().catch(() => ''));
    return response;
  }
}

async function* messages(response: Response, signal: AbortSignal): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => void queue.push(message) });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  try {
    while (!signal.aborted) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) {
        const message = queue.shift() as EventSourceMessage;
        if (message.event === 'error') throw new Error(`the server stopped the stream: ${message.data}`);
        yield message;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function toFeedEvent(message: EventSourceMessage): FeedEvent {
  const { data, ...cloudEvent } = JSON.parse(message.data) as CloudEventJson;
  return { ...cloudEvent, event: { type: cloudEvent.type.slice(PREFIX.length), data } as PlanLedgerEvent };
}
