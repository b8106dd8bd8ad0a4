import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CommandClient, CommandOutcomeUnknown, CommandRefused, retryAfterMs } from './command-client';

interface Seen {
  key: string | undefined;
  ifMatch: string | undefined;
  path: string;
  body: string;
  at: number;
}

/**
 * A real HTTP server that keeps commands by Idempotency-Key the way the API does (a key is stored
 * once; its replay answers the first result) and fails the first attempts as a test tells it.
 */
class FlakyApi {
  readonly seen: Seen[] = [];
  readonly stored = new Map<string, { id: string; body: string }>();
  private server!: Server;
  url = '';

  constructor(private readonly behave: (attempt: number, req: IncomingMessage, res: ServerResponse, store: () => string) => unknown) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const key = req.headers['idempotency-key'] as string | undefined;
        this.seen.push({ key, ifMatch: req.headers['if-match'], path: req.url ?? '', body, at: Date.now() });
        // Stores the command (once per key) and gives the answer the API would.
        const store = () => {
          const first = this.stored.get(key ?? '') ?? { id: `goal-${this.stored.size + 1}`, body };
          if (key) this.stored.set(key, first);
          return JSON.stringify({ id: first.id, streamId: `goal-${first.id}`, revision: 0, position: '1', events: ['GoalSet'] });
        };
        this.behave(this.seen.length, req, res, store);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const created = (res: ServerResponse, body: string) => res.writeHead(201, { 'content-type': 'application/json' }).end(body);
const problem = (res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers }).end(JSON.stringify({ code, message: code }));

const actual = { value: 1200, businessDate: '2026-11-02', source: 'CRM' };
let api: FlakyApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

function client(url: string, extra: Partial<ConstructorParameters<typeof CommandClient>[0]> = {}) {
  return new CommandClient({ baseUrl: url, authorization: 'Bearer t', retry: { initialDelayMs: 5, maxDelayMs: 2000 }, ...extra });
}

describe('when an attempt fails without an answer', () => {
  it('retries with the same key after a 503, a reset connection and a 502, and the command is stored once', async () => {
    api = await new FlakyApi((attempt, _req, res, store) => {
      if (attempt === 1) return problem(res, 503, 'STORE_UNAVAILABLE', { 'retry-after': '0' });
      // Stored, then the connection is lost before the answer: the client cannot tell it was written.
      if (attempt === 2) return void (store(), res.socket?.destroy());
      if (attempt === 3) return problem(res, 502, 'BAD_GATEWAY');
      return created(res, store());
    }).start();
    const retries: string[] = [];
    const answer = await client(api.url, { onRetry: (r) => retries.push(r.reason) }).recordActual('g1', actual);

    expect(answer).toMatchObject({ id: 'goal-1', events: ['GoalSet'] });
    expect(api.seen).toHaveLength(4);
    expect(new Set(api.seen.map((s) => s.key)).size).toBe(1);
    expect(api.seen[0].key).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(api.seen.map((s) => s.body)).size).toBe(1);
    expect(api.stored.size).toBe(1);
    expect(retries).toEqual(['HTTP 503', expect.stringMatching(/ECONNRESET|socket|other side closed/i), 'HTTP 502']);
  });

  it('retries an attempt that gets no answer in time, with the same key', async () => {
    api = await new FlakyApi((attempt, _req, res, store) => {
      const body = store();
      // The first answer comes long after the client stopped waiting.
      if (attempt === 1) return void setTimeout(() => created(res, body), 3000).unref();
      created(res, body);
    }).start();
    const answer = await client(api.url, { timeoutMs: 300 }).setGoal('p1', {} as never, 'goal-from-crm-17');

    expect(answer.id).toBe('goal-1');
    expect(api.seen.map((s) => s.key)).toEqual(['goal-from-crm-17', 'goal-from-crm-17']);
    expect(api.stored.size).toBe(1);
  });

  it('waits at least as long as Retry-After asks', async () => {
    api = await new FlakyApi((attempt, _req, res, store) =>
      attempt === 1 ? problem(res, 503, 'STORE_UNAVAILABLE', { 'retry-after': '1' }) : created(res, store()),
    ).start();
    await client(api.url).recordActual('g1', actual);

    expect(api.seen).toHaveLength(2);
    expect(api.seen[1].at - api.seen[0].at).toBeGreaterThanOrEqual(950);
  });

  it('gives up after the last attempt with the key, and the same key later applies the command once', async () => {
    let down = true;
    api = await new FlakyApi((_attempt, _req, res, store) => {
      if (!down) return void created(res, store());
      store();
      problem(res, 500, 'INTERNAL_ERROR');
    }).start();
    const commands = client(api.url, { retry: { maxAttempts: 3, initialDelayMs: 5 } });
    const error = await commands.recordActual('g1', actual).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CommandOutcomeUnknown);
    const unknown = error as CommandOutcomeUnknown;
    expect(unknown).toMatchObject({ attempts: 3, status: 500 });
    expect(unknown.message).toContain(unknown.idempotencyKey);
    expect(api.seen.map((s) => s.key)).toEqual([unknown.idempotencyKey, unknown.idempotencyKey, unknown.idempotencyKey]);

    down = false;
    await commands.recordActual('g1', actual, { idempotencyKey: unknown.idempotencyKey });
    expect(api.stored.size).toBe(1);
  });
});

describe('when the API answers', () => {
  it('sends a fresh key with each command, the If-Match asked for, and never retries a refusal', async () => {
    api = await new FlakyApi((attempt, _req, res, store) =>
      attempt === 2 ? problem(res, 422, 'REASON_REQUIRED') : created(res, store()),
    ).start();
    const commands = client(api.url);
    await commands.recordActual('g1', actual);
    const refusal = await commands.adjustGoalTarget('g1', { target: 5, reason: 'x' }, { ifMatch: 3 }).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(CommandRefused);
    expect(refusal).toMatchObject({ status: 422, problem: { code: 'REASON_REQUIRED' } });
    expect(api.seen).toHaveLength(2);
    expect(api.seen[0].key).not.toBe(api.seen[1].key);
    expect(api.seen.map((s) => [s.path, s.ifMatch])).toEqual([
      ['/goals/g1/actuals', undefined],
      ['/goals/g1/target-adjustments', '"3"'],
    ]);
  });

  it('retries a 429 after its Retry-After, and reports a refusal when the API stays busy', async () => {
    api = await new FlakyApi((_attempt, _req, res) => problem(res, 429, 'RATE_LIMITED', { 'retry-after': '0' })).start();
    const error = await client(api.url, { retry: { maxAttempts: 2, initialDelayMs: 5 } })
      .recordActual('g1', actual)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CommandRefused);
    expect(error).toMatchObject({ status: 429, problem: { code: 'RATE_LIMITED' } });
    expect(api.seen).toHaveLength(2);
  });

  it('stops when the caller aborts', async () => {
    api = await new FlakyApi((_attempt, _req, res) => problem(res, 503, 'STORE_UNAVAILABLE')).start();
    const stop = new AbortController();
    const call = client(api.url, { retry: { maxAttempts: 100, initialDelayMs: 50, maxDelayMs: 50 } }).recordActual('g1', actual, {
      signal: stop.signal,
    });
    while (api.seen.length < 2) await new Promise((r) => setTimeout(r, 10));
    stop.abort(new Error('shutting down'));

    await expect(call).rejects.toThrow('shutting down');
    expect(api.seen.length).toBeLessThan(100);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-02T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Mon, 02 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Mon, 02 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
