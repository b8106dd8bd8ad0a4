import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = ServiceProcess.start(
        'api',
        { PORT: String(port), EVENT_STORE_URL: 'memory:', REDIS_URL: 'redis://127.0.0.1:6379', AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_ADMINS: 'user:admin', RATE_LIMIT_PER_MINUTE: '5' },
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
});
