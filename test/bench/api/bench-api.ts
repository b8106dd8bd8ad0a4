/**
 * `npm run bench:api`: drives the command API on PostgreSQL with autocannon (record an actual,
 * adjust a target, plan a task) and, in the same run, a bare NestJS endpoint doing one INSERT.
 * Both servers run as their own processes; the load generator runs here.
 *
 *   npm run bench:api -- [--seconds 10] [--connections 16] [--json] [--profile <dir>]
 *
 * --profile writes a V8 CPU profile of the API process into <dir> (open it in Chrome DevTools).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Request } from 'autocannon';
import Table from 'cli-table3';
import { SignJWT } from 'jose';
import { demoQuarter } from '@planledger/application';
import { freshDatabase } from '../support/database';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const DB = 'plbench_api';
const ROOT = join(__dirname, '..', '..', '..');
const GOALS = 50;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Starts a server and resolves once `readyUrl` answers; fails with its output if it exits first. */
async function startServer(args: string[], env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before it was ready:\n${output}`);
    const status = await fetch(readyUrl, { method: 'POST', headers: HEADERS, body: '{}' })
      .then((r) => r.status)
      .catch(() => 0);
    if (status > 0) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not answer ${readyUrl} within 60 s:\n${output}`);
}

// The API verifies bearer tokens against this secret; user:bench is an organisation admin.
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const HEADERS: Record<string, string> = { 'content-type': 'application/json' };

async function post(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`seeding ${path} failed: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function seed(base: string) {
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const quarter = demoQuarter(new Date());
  const [start, end] = [iso(quarter.start), iso(quarter.end)];
  const project = await post(base, '/projects', {
    name: 'Bench project',
    managerId: 'bench',
    periodStart: start,
    periodEnd: end,
    currency: 'EUR',
    timeZone: 'Europe/Berlin',
  });
  const projectId = String(project['id']);
  await post(base, `/projects/${projectId}/members`, {
    memberId: 'rep-1',
    name: 'Rep One',
    role: 'Account executive',
    weeklyCapacityHours: 40,
  });
  const goalIds: string[] = [];
  for (let i = 0; i < GOALS; i++) {
    const goal = await post(base, `/projects/${projectId}/goals`, {
      title: `Revenue ${i}`,
      kpi: { name: 'Revenue', unit: 'EUR', direction: 'higher_is_better', aggregation: 'cumulative' },
      target: 100_000,
      baseline: 80_000,
      startDate: start,
      deadline: end,
      phasing: { kind: 'linear' },
      owner: { kind: 'team' },
      tolerance: 0.1,
      relevance: 'bench',
      actualsSource: 'CRM',
    });
    goalIds.push(String(goal['id']));
  }
  return { projectId, goalIds, today: new Date().toISOString().slice(0, 10), dueDate: end };
}

interface Result {
  scenario: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function run(scenario: string, url: string, request: Request): Promise<Result> {
  log(`${scenario}: ${CONNECTIONS} connections for ${SECONDS} s ...`);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests: [request] });
  return {
    scenario,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main(): Promise<void> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(JWT_SECRET));
  HEADERS['authorization'] = `Bearer ${token}`;
  const url = await freshDatabase(DB);
  const apiPort = 3911;
  const barePort = 3912;
  const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
  const api = await startServer(
    [...profiling, join('dist', 'apps', 'api', 'main.js')],
    {
      EVENT_STORE_URL: url,
      PORT: String(apiPort),
      LOG_LEVEL: 'warn',
      DEMO_ON_FIRST_START: 'false',
      WORKER_IN_PROCESS: 'false',
      DOCS_ENABLED: 'false',
      AUTH_JWT_SECRET: JWT_SECRET,
      AUTH_ADMINS: 'user:bench',
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    `http://127.0.0.1:${apiPort}/projects`,
  );
  const bare = await startServer(
    ['-r', '@swc-node/register', join('test', 'bench', 'api', 'bare-insert.server.ts')],
    {
      SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'),
      BENCH_BARE_DATABASE_URL: url,
      PORT: String(barePort),
    },
    `http://127.0.0.1:${barePort}/insert`,
  );
  try {
    const base = `http://127.0.0.1:${apiPort}`;
    log('seeding a project with 50 goals ...');
    const { projectId, goalIds, today, dueDate } = await seed(base);
    let n = 0;
    const pick = () => goalIds[n++ % goalIds.length];
    const results: Result[] = [];
    const payload = { type: 'ActualRecorded', value: 1250.5, currency: 'EUR', note: 'bench row of about the size of an actual' };
    results.push(
      await run('bare NestJS INSERT (baseline)', `http://127.0.0.1:${barePort}`, {
        method: 'POST',
        path: '/insert',
        headers: HEADERS,
        body: JSON.stringify(payload),
      }),
    );
    results.push(
      await run('record actual', base, {
        method: 'POST',
        path: '/goals',
        headers: HEADERS,
        setupRequest: (req) => ({
          ...req,
          path: `/goals/${pick()}/actuals`,
          body: JSON.stringify({ value: 1250.5, businessDate: today, source: 'CRM', externalRef: `crm-${n}-${Math.random()}` }),
        }),
      }),
    );
    results.push(
      await run('adjust target', base, {
        method: 'POST',
        path: '/goals',
        headers: HEADERS,
        setupRequest: (req) => ({
          ...req,
          path: `/goals/${pick()}/target-adjustments`,
          body: JSON.stringify({ target: 100_000 + (n++ % 100_000) + 1, reason: 'bench adjustment' }),
        }),
      }),
    );
    results.push(
      await run('plan task', base, {
        method: 'POST',
        path: `/projects/${projectId}/tasks`,
        headers: HEADERS,
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ title: `Task ${n++}`, goalId: pick(), dueDate, assigneeId: 'rep-1' }) }),
      }),
    );
    results.push(
      await run('bare NestJS INSERT (again, for drift)', `http://127.0.0.1:${barePort}`, {
        method: 'POST',
        path: '/insert',
        headers: HEADERS,
        body: JSON.stringify(payload),
      }),
    );

    if (args.json) {
      process.stdout.write(`${JSON.stringify({ seconds: SECONDS, connections: CONNECTIONS, results }, null, 2)}\n`);
      return;
    }
    const table = new Table({ head: ['scenario', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'] });
    for (const r of results) table.push([r.scenario, r.requestsPerSecond.toLocaleString('en-US'), r.p50Ms, r.p99Ms, r.non2xx, r.errors]);
    process.stdout.write(`\nCommand API on PostgreSQL, ${CONNECTIONS} connections, ${SECONDS} s per scenario\n${table.toString()}\n`);
  } finally {
    bare.kill('SIGTERM');
    // The API writes its CPU profile on the way out: wait for it.
    const exited = new Promise((resolve) => api.once('exit', resolve));
    api.kill('SIGTERM');
    await exited;
    if (args.profile) log(`CPU profile of the API written to ${args.profile}`);
  }
}

main().catch((error: Error) => {
  log(`bench:api failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
