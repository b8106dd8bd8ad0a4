import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpoint, MemoryCheckpoint } from './checkpoint';
import { FeedClient, FeedRefused, type FeedEvent } from './feed-client';

const position = (n: number) => `${String(n).padStart(20, '0')}-${String(n).padStart(20, '0')}`;
const EVENTS = Array.from({ length: 50 }, (_, i) => ({
  specversion: '1.0',
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  source: '/projects/p1',
  type: 'io.planledger.ActualRecorded',
  subject: 'goal-g1',
  time: '2026-11-27T00:00:00.000Z',
  datacontenttype: 'application/json',
  dataschema: 'urn:planledger:schema:ActualRecorded:1',
  data: { goalId: 'g1', actualId: `a${i}`, value: i, businessDate: '2026-11-02', source: 'CRM' },
  position: position(i + 1),
  streamrevision: i,
  actor: 'user:t',
}));

/**
 * A real HTTP server speaking the feed's SSE: it resumes after Last-Event-ID and drops the
 * connection after `dropEvery` messages, as a restarting API or a broken network would.
 */
function feedServer(dropEvery: number, status = 200) {
  const seen: (string | undefined)[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const last = request.headers['last-event-id'] as string | undefined;
    seen.push(last);
    if (status !== 200) {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'UNAUTHENTICATED' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const from = last === undefined ? 0 : EVENTS.findIndex((e) => e.position === last) + 1;
    const batch = EVENTS.slice(from, from + dropEvery);
    response.write('retry: 100\n\n: heartbeat\n\n');
    for (const event of batch) response.write(`id: ${event.position}\ndata: ${JSON.stringify(event)}\n\n`);
    // Everything sent: the end of the log stays open; otherwise the connection is cut.
    if (from + dropEvery < EVENTS.length) setTimeout(() => response.destroy(), 5);
  });
  return new Promise<{ url: string; seen: typeof seen; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      });
    }),
  );
}

describe('FeedClient', () => {
  it('hands out every event once, in order, reconnecting with Last-Event-ID when the connection drops', async () => {
    const server = await feedServer(7);
    const reconnects: number[] = [];
    const client = new FeedClient({
      baseUrl: server.url,
      authorization: 'Bearer t',
      checkpoint: new MemoryCheckpoint(),
      backoffMs: 5,
      maxBackoffMs: 20,
      onReconnect: (_, attempt) => reconnects.push(attempt),
    });
    const stop = new AbortController();
    const got: FeedEvent[] = [];
    await client.consume((event) => {
      got.push(event);
      if (got.length === EVENTS.length) stop.abort();
    }, stop.signal);
    await server.close();
    expect(got.map((e) => e.id)).toEqual(EVENTS.map((e) => e.id));
    expect(got[3]).toMatchObject({
      type: 'io.planledger.ActualRecorded',
      event: { type: 'ActualRecorded', data: { actualId: 'a3', value: 3 } },
    });
    // Each reconnection resumed after the last event handed out.
    expect(server.seen).toEqual([undefined, ...[7, 14, 21, 28, 35, 42, 49].map(position)]);
    expect(reconnects.length).toBe(7);
  });

  it('resumes from a file checkpoint after a restart, without the events already handled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'planledger-sdk-'));
    const file = join(dir, 'nested', 'checkpoint');
    const server = await feedServer(1000);
    try {
      const first = new AbortController();
      const handled: string[] = [];
      await new FeedClient({ baseUrl: server.url, authorization: 'Bearer t', checkpoint: new FileCheckpoint(file) }).consume((event) => {
        handled.push(event.id);
        if (handled.length === 20) first.abort();
      }, first.signal);
      expect((await readFile(file, 'utf8')).trim()).toBe(position(20));

      const second = new AbortController();
      await new FeedClient({ baseUrl: server.url, authorization: () => 'Bearer t', checkpoint: new FileCheckpoint(file) }).consume(
        (event) => {
          handled.push(event.id);
          if (handled.length === EVENTS.length) second.abort();
        },
        second.signal,
      );
      expect(handled).toEqual(EVENTS.map((e) => e.id));
      expect(server.seen.at(-1)).toBe(position(20));
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives up at once on a refusal retrying cannot fix', async () => {
    const server = await feedServer(10, 401);
    const client = new FeedClient({ baseUrl: server.url, authorization: 'Bearer nope', checkpoint: new MemoryCheckpoint() });
    await expect(client.consume(() => undefined)).rejects.toMatchObject({ name: 'FeedRefused', status: 401 });
    await expect(client.consume(() => undefined)).rejects.toBeInstanceOf(FeedRefused);
    await server.close();
  });
});
