import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, ServiceProcess } from './support/service-process';
import { TEST_JWT_SECRET, tokenFor } from './support/tokens';

jest.setTimeout(60_000);

/** Two API replicas sharing one Redis: a credential's requests count against one limit across both. */
describe('rate limits per credential, shared through Redis', () => {
  const apis: { proc: ServiceProcess; base: string }[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'planledger-rate-'));
    // Two replicas of one installation, and a third installation on the same Redis with a prefix of its own.
    for (const prefix of ['planledger', 'planledger', 'other-installation']) {
      const port = await freePort();
      const proc = ServiceProcess.start(
        'api',
        {
          PORT: String(port),
          EVENT_STORE_URL: 'memory:',
          REDIS_URL: 'redis://127.0.0.1:6379',
          QUEUE_PREFIX: prefix,
          AUTH_JWT_SECRET: TEST_JWT_SECRET,
          AUTH_ADMINS: 'user:admin',
          RATE_LIMIT_PER_MINUTE: '5',
          AUTH_FAILURES_PER_MINUTE: '20',
        },
        dir,
      );
      apis.push({ proc, base: `http://127.0.0.1:${port}` });
    }
    await Promise.all(apis.map((a) => a.proc.waitFor(/listening on/)));
  });
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.proc.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once a credential used up its minute on either replica, and not for another credential', async () => {
    // A subject of its own, so earlier runs sharing this Redis do not count.
    const token = `Bearer ${await tokenFor(`rate-${randomUUID()}`)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${apis[i % 2].base}/projects`, { headers: { authorization: token } });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await response.json()).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const other = `Bearer ${await tokenFor(`rate-${randomUUID()}`)}`;
    expect((await fetch(`${apis[0].base}/projects`, { headers: { authorization: other } })).status).toBe(200);
  });

  it('counts one quota per principal however the header is spelled, across every route, and apart per installation', async () => {
    const raw = await tokenFor(`rate-${randomUUID()}`);
    const spellings = [`Bearer ${raw}`, `bearer ${raw}`, `BEARER   ${raw}`, `  Bearer ${raw}  `, `Bearer\t${raw}`];
    const routes = ['/projects', '/me', '/me/alerts', '/events?limit=1', '/projects'];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${apis[i % 2].base}${routes[i % routes.length]}`, {
        headers: { authorization: spellings[i % spellings.length] },
      });
      statuses.push(response.status);
    }
    // Five in all, whatever the route, the spelling or the replica: the sixth is refused.
    expect(statuses.slice(0, 5).every((s) => s < 400)).toBe(true);
    expect(statuses[5]).toBe(429);
    // Another installation sharing the Redis keeps counters of its own.
    expect((await fetch(`${apis[2].base}/projects`, { headers: { authorization: `Bearer ${raw}` } })).status).toBe(200);
  });

  it('refuses guessing: 50 wrong keys from one address get 429 after the failure limit, and a right key from elsewhere still works', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const response = await fetch(`${apis[i % 2].base}/projects`, {
        headers: { authorization: `ApiKey plk_${randomUUID()}.${'x'.repeat(30)}${i}` },
      });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
    expect(statuses.slice(-10)).toEqual(Array(10).fill(429));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
  });

  it('counts /admin/queues against the same limits as every route', async () => {
    const token = `Bearer ${await tokenFor(`rate-${randomUUID()}`)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${apis[0].base}/admin/queues`, { headers: { authorization: token } })).status);
    // Not an admin: refused five times, then limited like any route.
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
    expect((await fetch(`${apis[1].base}/projects`, { headers: { authorization: token } })).status).toBe(429);
  });
});

/** A client that sends its request slower than HTTP_REQUEST_TIMEOUT_MS allows is cut off, and nothing of it is written. */
describe('a request trickled in', () => {
  let proc: ServiceProcess;
  let base: string;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'planledger-slow-'));
    port = await freePort();
    proc = ServiceProcess.start(
      'api',
      {
        PORT: String(port),
        EVENT_STORE_URL: 'memory:',
        REDIS_URL: 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: `slow-${randomUUID().slice(0, 8)}`,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        AUTH_ADMINS: 'user:admin',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
      },
      dir,
    );
    base = `http://127.0.0.1:${port}`;
    await proc.waitFor(/listening on/);
  });
  afterAll(async () => {
    await proc?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 408 and closes the connection once the whole request is not in by HTTP_REQUEST_TIMEOUT_MS, writing nothing, while others are served', async () => {
    const token = await tokenFor('user:admin');
    const count = async () =>
      ((await (await fetch(`${base}/projects`, { headers: { authorization: `Bearer ${token}` } })).json()) as { projects: unknown[] })
        .projects.length;
    const before = await count();
    const body = JSON.stringify({ projectId: `slow-${randomUUID().slice(0, 8)}`, name: 'Sent a byte at a time' });
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const started = Date.now();
    socket.write(
      `POST /projects HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    // One byte every 250 ms: the body would take about 15 s; the server gives it 2 s (checked each second).
    let sent = 0;
    const trickle = setInterval(() => {
      if (socket.destroyed || sent >= body.length) return clearInterval(trickle);
      socket.write(body[sent++]);
    }, 250);
    try {
      // Meanwhile another client is served at once.
      expect(await count()).toBe(before);
      const end = await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(sent).toBeLessThan(body.length);
      // Cut off near the 2 s limit (it is checked each second), not after Node's default of 300 s.
      expect(end - started).toBeGreaterThanOrEqual(2000);
      expect(end - started).toBeLessThan(10_000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    expect(await count()).toBe(before);
  });
});
