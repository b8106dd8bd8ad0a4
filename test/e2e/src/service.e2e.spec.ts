import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { HealthReport } from '@planledger/contracts';
import { createPostgresEventStore } from '@planledger/event-store';
import { freePort, ServiceProcess } from './support/service-process';
import { TEST_JWT_SECRET, tokenFor } from './support/tokens';

/** What a load balancer, an orchestrator and Prometheus call without a credential. */
const PUBLIC_PATHS = ['/health', '/health/live', '/health/ready', '/metrics'];

jest.setTimeout(90_000);

const postgresUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@/test?host=/var/run/postgresql';
const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

let dir: string;
const running: ServiceProcess[] = [];

function start(app: 'api' | 'worker', env: Record<string, string>): ServiceProcess {
  const proc = ServiceProcess.start(app, { REDIS_URL: redisUrl, ...env }, dir);
  running.push(proc);
  return proc;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'planledger-e2e-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
  await rm(dir, { recursive: true, force: true });
});

describe('the API on the embedded store (no configuration at all)', () => {
  it('answers /health and /docs, then shuts down cleanly on SIGTERM, releasing the data directory', async () => {
    const port = await freePort();
    const api = start('api', { PORT: String(port) });
    await api.waitFor(/PlanLedger API listening on http:\/\/127\.0\.0\.1:\d+/);

    // Without a credential: up or down per dependency, nothing else; the details are the admin's.
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({
      status: 'ok',
      checks: { eventStore: { status: 'up' }, redis: { status: 'up' } },
    });
    const devToken = /Development token \(admin user:dev[^)]*\):\s*(eyJ[\w.-]+)/.exec(api.output)?.[1];
    const health = await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${devToken}` } });
    expect(health.status).toBe(200);
    const body = await health.json();
    expect(body).toMatchObject({
      status: 'ok',
      version: (await import('../../../package.json')).version,
      checks: { eventStore: { status: 'up', adapter: 'pglite', location: join(dir, 'data', 'pglite') }, redis: { status: 'up' } },
    });

    const docs = await fetch(`http://127.0.0.1:${port}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const openApi = (await (await fetch(`http://127.0.0.1:${port}/docs/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: { in: string; name: string }[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
        >
      >;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(openApi.paths)).toContain('/health');
    expect(openApi.paths['/health'].get.responses).toHaveProperty('503');
    expect(openApi.paths['/health/ready'].get.responses).toHaveProperty('503');
    expect(Object.keys(openApi.paths)).toContain('/health/live');
    // Every error answer is documented with the Problem body, for every operation.
    expect(Object.keys(openApi.components.schemas['Problem'].properties)).toEqual(
      expect.arrayContaining(['statusCode', 'code', 'message', 'issues', 'currentRevision']),
    );
    const problem = { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } };
    const operations = Object.entries(openApi.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.filter((o) => o.method === 'post').length).toBeGreaterThanOrEqual(25);
    for (const { path, method, op } of operations) {
      const expected = ['500'];
      if (!PUBLIC_PATHS.includes(path)) expected.push('401', '403', '429');
      if (method === 'post') expected.push('400', '409', '413', '422');
      if (path.includes('{')) expected.push('404');
      if (op.parameters?.some((p) => p.name === 'If-Match')) expected.push('412');
      for (const code of expected)
        expect({ path, method, code, content: op.responses[code]?.content }).toEqual({ path, method, code, content: problem });
    }
    expect(openApi.paths['/goals/{goalId}/target-adjustments']['post'].responses).toHaveProperty('412');

    // The first start of an empty embedded store loads the demo project.
    // The embedded default prints a development admin token; without a credential nothing but /health answers.
    expect((await fetch(`http://127.0.0.1:${port}/projects/demo-east-region`)).status).toBe(401);
    expect(devToken).toBeDefined();
    const demo = await fetch(`http://127.0.0.1:${port}/projects/demo-east-region`, { headers: { authorization: `Bearer ${devToken}` } });
    expect(demo.status).toBe(200);
    expect(demo.headers.get('x-content-type-options')).toBe('nosniff');
    // Beside it, a plain line with a one-time sign-in link: one click gives a signed-in admin in the browser, once.
    const link = /^Sign in from a browser \(once, within 15 minutes\): (http:\/\/\S+\/auth\/link\/[\w-]+)$/m.exec(api.output)?.[1];
    expect(link).toBeDefined();
    const clicked = await fetch(link as string, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe('/');
    const cookies = clicked.headers.getSetCookie().map((c) => c.split(';')[0]);
    expect(cookies).toEqual([expect.stringMatching(/^planledger_session=/), expect.stringMatching(/^planledger_csrf=/)]);
    const me = await fetch(`http://127.0.0.1:${port}/me`, { headers: { cookie: cookies.join('; ') } });
    expect(await me.json()).toMatchObject({ actor: 'user:dev', orgRole: 'admin', via: 'session' });
    expect((await fetch(link as string, { redirect: 'manual' })).status).toBe(401);

    // The in-process runner catches the progress view up with the demo, and /health shows its lag.
    let projections: { name: string; applied: number; pending: number; deadLetters: number }[] = [];
    for (let i = 0; i < 100; i++) {
      projections = (
        (await (await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${devToken}` } })).json()) as {
          checks: { projections: typeof projections };
        }
      ).checks.projections;
      if (projections.every((p) => p.pending === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Alerts and deliveries come next: the drift checks that fill them follow the demo.
    expect(projections.map((p) => p.name)).toEqual(['goal-progress@1', 'task-board@1', 'alerts@1', 'deliveries@2']);
    expect(projections.slice(0, 2)).toEqual([
      { name: 'goal-progress@1', position: expect.any(String), applied: expect.any(Number), pending: 0, deadLetters: 0 },
      { name: 'task-board@1', position: expect.any(String), applied: expect.any(Number), pending: 0, deadLetters: 0 },
    ]);
    expect(projections[0].applied).toBeGreaterThan(100);
    // The same lag for Prometheus, without a credential.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const exposition = await metrics.text();
    expect(exposition).toContain('planledger_projection_pending_events{projection="goal-progress@1"} 0');
    expect(exposition).toContain('planledger_projection_dead_letters{projection="task-board@1"} 0');
    expect(exposition).toMatch(
      new RegExp(`planledger_projection_applied_events\\{projection="goal-progress@1"\\} ${projections[0].applied}\\n`),
    );
    expect(exposition).toContain('planledger_process_resident_memory_bytes');
    const project = (await demo.json()) as { charter: { name: string }; team: { members: unknown[] }; goals: unknown[]; tasks: unknown[] };
    expect(project.charter.name).toBe('East region quarter push');
    expect([project.team.members.length, project.goals.length, project.tasks.length]).toEqual([6, 7, 21]);

    // The in-process worker's drift checks flag the member who falls behind; the alert is in the inbox.
    type InboxAlert = { type: string; goalId?: string; subject: string; data: { to?: string } };
    let inbox: InboxAlert[] = [];
    for (let i = 0; i < 200 && !inbox.some((a) => a.goalId === 'demo-revenue-zhao-lei'); i++) {
      inbox = (
        (await (await fetch(`http://127.0.0.1:${port}/me/alerts`, { headers: { authorization: `Bearer ${devToken}` } })).json()) as {
          alerts: InboxAlert[];
        }
      ).alerts;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(inbox.find((a) => a.goalId === 'demo-revenue-zhao-lei')).toMatchObject({
      type: 'KpiDriftDetected',
      subject: 'Revenue: Zhao Lei',
      data: { to: 'off_track' },
    });
    // Those on pace raise nothing: the one drift alert is the member who falls behind, and nothing is stale.
    expect(inbox.some((a) => a.goalId === 'demo-revenue-wang-fang')).toBe(false);
    expect(inbox.filter((a) => a.type === 'KpiDriftDetected' || a.type === 'GoalWentStale').map((a) => a.goalId)).toEqual([
      'demo-revenue-zhao-lei',
    ]);
    // A handful of overdue tasks, as in a real quarter, whatever day the demo starts on.
    const overdue = (await (
      await fetch(`http://127.0.0.1:${port}/projects/demo-east-region/tasks?overdue=true`, {
        headers: { authorization: `Bearer ${devToken}` },
      })
    ).json()) as { tasks: unknown[] };
    expect(overdue.tasks.length).toBeLessThanOrEqual(5);
    // The token is a line of its own, and alerts work with no extra setting (a generated NOTIFY_SECRET_KEY).
    expect(api.output).toMatch(new RegExp(`^${devToken}$`, 'm'));
    const subscribed = await fetch(`http://127.0.0.1:${port}/projects/demo-east-region/alert-subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${devToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'webhook', url: 'https://hooks.example.com/planledger' }),
    });
    expect(subscribed.status).toBe(201);
    expect(existsSync(join(dir, 'data', 'dev-notify-secret'))).toBe(true);

    // The demo's report renders in both languages.
    const report = (lang: string, accept: string) =>
      fetch(`http://127.0.0.1:${port}/projects/demo-east-region/report`, {
        headers: { authorization: `Bearer ${devToken}`, accept, 'accept-language': lang },
      }).then((r) => r.text());
    expect(await report('zh-CN', 'text/markdown')).toMatch(/^# 项目报告: East region quarter push[\s\S]*## 策略[\s\S]*## 已召开会议: 2/);
    expect(await report('en', 'text/html')).toMatch(
      /<h1>Project report: East region quarter push<\/h1>[\s\S]*<h2>Issues \(2 opened, 1 resolved\)<\/h2>/,
    );
    const previous = (await (
      await fetch(`http://127.0.0.1:${port}/projects/demo-east-region-previous/report`, {
        headers: { authorization: `Bearer ${devToken}` },
      })
    ).json()) as { project: { status: string }; evaluations: unknown[] };
    expect(previous.project.status).toBe('closed');
    expect(previous.evaluations).toHaveLength(2);

    expect(existsSync(join(dir, 'data', 'pglite', 'planledger.lock'))).toBe(true);
    expect(await api.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(api.output).toMatch(/SIGTERM received: PlanLedger API is shutting down[\s\S]*PlanLedger API stopped/);
    expect(existsSync(join(dir, 'data', 'pglite', 'planledger.lock'))).toBe(false);
  });

  it('refuses to open a data directory another running process holds, saying which', async () => {
    const first = start('api', { PORT: String(await freePort()) });
    await first.waitFor(/listening on/);
    const second = start('api', { PORT: String(await freePort()) });
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.output).toMatch(/in use by process \d+/);
  });

  it('reports Redis down as degraded, not down: commands do not need Redis', async () => {
    const port = await freePort();
    const api = start('api', { PORT: String(port), REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    await api.waitFor(/listening on/);
    const devToken = /Development token \(admin user:dev[^)]*\):\s*(eyJ[\w.-]+)/.exec(api.output)?.[1];
    const health = await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${devToken}` } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      checks: { eventStore: { status: 'up' }, redis: { status: 'down', error: expect.any(String) } },
    });
    // Rate limits count in memory meanwhile: authenticated commands still go through.
    const opened = await fetch(`http://127.0.0.1:${port}/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${devToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Redis-less',
        managerId: 'm',
        periodStart: '2026-10-01',
        periodEnd: '2026-12-31',
        currency: 'EUR',
        timeZone: 'Europe/Berlin',
      }),
    });
    expect(opened.status).toBe(201);
    expect(api.output).toMatch(/counting requests in this process until it is back/);
  });
});

describe('start-up configuration', () => {
  it.each([
    [{ PORT: 'eighty' }, 'Invalid configuration: PORT must be a number (got "eighty")'],
    [{ EVENT_STORE_URL: 'mysql://db/x' }, 'Invalid configuration: EVENT_STORE_URL has an unknown scheme "mysql:"'],
    [{ REDIS_URL: 'localhost' }, 'Invalid configuration: REDIS_URL must be a URL like redis://127.0.0.1:6379 (got "localhost")'],
  ])('stops on %p with one line naming the variable', async (env, line) => {
    for (const app of ['api', 'worker'] as const) {
      const proc = start(app, env);
      const exit = await proc.exited;
      expect(exit.code).toBe(78);
      expect(proc.output.trim().split('\n')).toEqual([expect.stringContaining(line)]);
    }
  });
});

it('refuses to start the API on PostgreSQL without a way to verify credentials', async () => {
  const proc = start('api', { EVENT_STORE_URL: postgresUrl });
  expect((await proc.exited).code).toBe(78);
  expect(proc.output.trim().split('\n')).toEqual([
    expect.stringContaining('Invalid configuration: AUTH_JWT_SECRET must be set (or AUTH_JWKS_URL with AUTH_JWT_ISSUER)'),
  ]);
});

describe('API and worker on PostgreSQL', () => {
  const schema = `pl_e2e_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const url = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

  beforeAll(async () => {
    const client = new Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
  });
  afterAll(async () => {
    const client = new Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('runs side by side: the API reports PostgreSQL, the worker follows appends made by others, both stop on SIGTERM', async () => {
    const port = await freePort();
    const api = start('api', { PORT: String(port), EVENT_STORE_URL: url, AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_ADMINS: 'user:admin' });
    await api.waitFor(/listening on/);
    const worker = start('worker', { EVENT_STORE_URL: url, LOG_LEVEL: 'debug', EVENT_STORE_POLL_MS: '50' });
    await worker.waitFor(/Following the event log/);

    const health = (await (
      await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${await tokenFor('admin')}` } })
    ).json()) as HealthReport;
    expect(health.checks.eventStore).toMatchObject({
      status: 'up',
      adapter: 'postgres',
      location: expect.stringMatching(/^postgres:\/\//),
    });

    const store = await createPostgresEventStore({ connectionString: url });
    await store.appendToStream('project-e2e', [{ type: 'ProjectOpened', data: { name: 'Q4' }, metadata: { actor: 'user:e2e' } }], {
      expected: 'no_stream',
    });
    await store.close();
    await worker.waitFor(/ProjectOpened on project-e2e@0/, 10_000);

    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(worker.output).toMatch(/PlanLedger worker stopped/);
    expect(await api.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
