import type { Request, Response } from 'express';
import { once } from 'node:events';

export interface SseStream {
  /** Fires when the client goes away or the API shuts down. */
  signal: AbortSignal;
  /** Writes one chunk, waiting for the socket to drain when it is full (backpressure). */
  write(chunk: string): Promise<void>;
  /** Writes one message: `id` (for Last-Event-ID), optional `event` name, JSON data. */
  send(id: string, data: unknown, event?: string): Promise<void>;
  end(): void;
}

/**
 * Starts a Server-Sent Events response: headers that stop proxies buffering, a retry hint, a
 * comment line every `heartbeatMs` so idle streams stay open, and an abort signal for the loop
 * feeding it. `open` holds the streams the API ends on shutdown.
 */
export async function openSse(request: Request, response: Response, heartbeatMs: number, open: Set<AbortController>): Promise<SseStream> {
  const stop = new AbortController();
  open.add(stop);
  request.on('close', () => stop.abort());
  response.status(200);
  response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  response.setHeader('Cache-Control', 'no-cache, no-transform');
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();
  const heartbeat = setInterval(() => response.write(`: heartbeat\n\n`), heartbeatMs);
  const write = async (chunk: string) => {
    if (!response.write(chunk)) await once(response, 'drain', { signal: stop.signal }).catch(() => undefined);
  };
  await write('retry: 2000\n\n');
  return {
    signal: stop.signal,
    write,
    send: (id, data, event) => write(`${event ? `event: ${event}\n` : ''}id: ${id}\ndata: ${JSON.stringify(data)}\n\n`),
    end: () => {
      clearInterval(heartbeat);
      open.delete(stop);
      response.end();
    },
  };
}
