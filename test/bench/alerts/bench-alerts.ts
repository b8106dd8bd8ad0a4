/**
 * `npm run bench:alerts`: the alert pipeline under load. The built API and worker on PostgreSQL
 * and Redis; this process posts actuals at a steady rate across many goals, receives the webhooks,
 * and measures how long a state change takes from the API accepting the actual that causes it to
 * the signed webhook arriving here.
 *
 *   npm run bench:alerts -- [--rate 500] [--goals 1000] [--seconds 60] [--debounce 250] [--json]
 *
 * The workload: every goal starts a month into its period and gets one small actual when set (off
 * track at once: a goal set with nothing recorded is in its grace period), and the background
 * actuals (small ones, spread evenly over the goals) keep it there. Twice a
 * second a "probe" goal that is off track gets one large actual, which puts it back on track: the
 * time from that POST's answer to its KpiBackOnTrack webhook is the latency reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import Table from 'cli-table3';
import { SignJWT } from 'jose';
import { verifyWebhookSignature } from '@planledger/application';
import { freshDatabase } from '../support/database';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    goals: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    debounce: { type: 'string', default: '250' },
    json: { type: 'boolean', default: false },
  },
});
const RATE = Number(args.rate);
const GOALS = Number(args.goals);
const SECONDS = Number(args.seconds);
const DEBOUNCE_MS = Number(args.debounce);
const PROBES_PER_SECOND = 2;
const ROOT = join(__dirname, '..', '..', '..');
const DB = 'plbench_alerts';
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench-${randomUUID().slice(0, 8)}`;
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const HEADERS: Record<string, string> = { 'content-type': 'application/json' };

/** ioredis options from REDIS_URL. */
function redisOptions() {
  const parsed = new URL(REDIS_URL);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function startProcess(app: 'api' | 'worker', env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [join('dist', 'apps', app, 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  return Object.assign(child, { output: () => output });
}

async function waitFor(child: ChildProcess & { output: () => string }, pattern: RegExp): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (pattern.test(child.output())) return;
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}):\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${pattern}:\n${child.output()}`);
}

async function post(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

interface Hook {
  at: number;
  type: string;
  goalId: string;
  raisedAt: number;
  key: string;
}

async function main(): Promise<void> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(JWT_SECRET));
  HEADERS['authorization'] = `Bearer ${token}`;
  let secret = '';
  const hooks: Hook[] = [];
  let badSignatures = 0;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const at = Date.now();
      if (!verifyWebhookSignature(secret, body, String(req.headers['x-planledger-signature']))) badSignatures++;
      const alert = JSON.parse(body) as { type: string; goalId: string; raisedAt: string };
      hooks.push({
        at,
        type: alert.type,
        goalId: alert.goalId,
        raisedAt: Date.parse(alert.raisedAt),
        key: String(req.headers['idempotency-key']),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  log('creating the database ...');
  const url = await freshDatabase(DB);
  const env = {
    EVENT_STORE_URL: url,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'log',
    DEMO_ON_FIRST_START: 'false',
    WORKER_IN_PROCESS: 'false',
    DOCS_ENABLED: 'false',
    AUTH_JWT_SECRET: JWT_SECRET,
    AUTH_ADMINS: 'user:bench',
    RATE_LIMIT_PER_MINUTE: '1000000',
    NOTIFY_SECRET_KEY: 'bench-notify-key-0123456789abcdefghijkl',
    DRIFT_DEBOUNCE_MS: String(DEBOUNCE_MS),
    ALERT_ESCALATE_AFTER_MINUTES: '0',
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW: new URL(hookUrl).host,
  };
  const apiPort = 3921;
  const api = startProcess('api', { ...env, PORT: String(apiPort) });
  const worker = startProcess('worker', env);
  const events = [
    new QueueEvents('checks', { connection: redisOptions(), prefix: PREFIX }),
    new QueueEvents('deliveries', { connection: redisOptions(), prefix: PREFIX }),
  ];
  const completed = { checks: 0, goalChecks: 0, deliveries: 0 };
  events[0].on('completed', ({ returnvalue }) => {
    completed.checks++;
    // A batched check answers one verdict list per goal; a single check, one list.
    const verdicts: unknown = typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue;
    completed.goalChecks += Array.isArray(verdicts) && verdicts.length > 0 && verdicts.every(Array.isArray) ? verdicts.length : 1;
  });
  events[1].on('completed', () => completed.deliveries++);
  try {
    log('starting the API and the worker ...');
    await Promise.all([waitFor(api, /listening on/), waitFor(worker, /worker started/), ...events.map((e) => e.waitUntilReady())]);
    const base = `http://127.0.0.1:${apiPort}`;
    const projectId = String(
      (
        await post(base, '/projects', {
          name: 'Alert bench',
          managerId: 'bench',
          periodStart: day(-30),
          periodEnd: day(60),
          currency: 'EUR',
          timeZone: 'UTC',
        })
      )['id'],
    );
    secret = String((await post(base, `/projects/${projectId}/alert-subscriptions`, { channel: 'webhook', url: hookUrl }))['secret']);
    log(`setting ${GOALS} goals ...`);
    const goalIds: string[] = [];
    const goal = {
      kpi: { name: 'Revenue', unit: 'EUR', direction: 'higher_is_better', aggregation: 'cumulative' },
      target: 9_000_000,
      baseline: 0,
      startDate: day(-30),
      deadline: day(60),
      phasing: { kind: 'linear' },
      owner: { kind: 'team' },
      tolerance: 0.1,
      relevance: 'bench',
      actualsSource: 'CRM',
    };
    for (let i = 0; i < GOALS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, GOALS - i) }, (_, j) =>
          post(base, `/projects/${projectId}/goals`, { ...goal, title: `Revenue ${i + j}` }),
        ),
      );
      goalIds.push(...batch.map((g) => String(g['id'])));
      await Promise.all(
        batch.map((g) => post(base, `/goals/${String(g['id'])}/actuals`, { value: 1000, businessDate: day(0), source: 'CRM' })),
      );
    }
    // Let the drift alerts of the new goals go out before the measured run.
    for (let waited = 0; hooks.length < GOALS && waited < 120_000; waited += 250) await new Promise((r) => setTimeout(r, 250));
    log(`${hooks.length} drift alerts delivered; ${RATE} actuals/s across ${GOALS} goals for ${SECONDS} s ...`);

    const lastState = new Map<string, string>();
    const probes = new Map<string, number>();
    const latencies: number[] = [];
    const startHooks = hooks.length;
    const startCompleted = { ...completed };
    let sent = 0;
    let failed = 0;
    let inFlight = 0;
    let probesSent = 0;
    const started = Date.now();
    const endAt = started + SECONDS * 1000;
    const send = (goalId: string, value: number, onAnswer?: (at: number) => void) => {
      inFlight++;
      fetch(`${base}/goals/${goalId}/actuals`, {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ value, businessDate: day(0), source: 'CRM' }),
      })
        .then(async (r) => {
          await r.arrayBuffer();
          if (r.status !== 201) failed++;
          else onAnswer?.(Date.now());
        })
        .catch(() => failed++)
        .finally(() => inFlight--);
    };
    let seen = startHooks;
    while (Date.now() < endAt) {
      for (; seen < hooks.length; seen++) {
        const h = hooks[seen];
        lastState.set(h.goalId, h.type);
        const probedAt = probes.get(h.goalId);
        if (probedAt !== undefined && h.type === 'KpiBackOnTrack') {
          latencies.push(h.at - probedAt);
          probes.delete(h.goalId);
        }
      }
      const due = Math.floor(((Date.now() - started) / 1000) * RATE) - sent;
      for (let i = 0; i < due && inFlight < 64; i++) send(goalIds[sent++ % goalIds.length], 1000);
      if (probesSent < Math.floor(((Date.now() - started) / 1000) * PROBES_PER_SECOND)) {
        const candidate = goalIds.find((g) => lastState.get(g) === 'KpiDriftDetected' && !probes.has(g));
        if (candidate) {
          probesSent++;
          probes.set(candidate, Number.POSITIVE_INFINITY);
          lastState.set(candidate, 'probed');
          send(candidate, 6_000_000, (at) => probes.set(candidate, at));
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const elapsed = (Date.now() - started) / 1000;
    const duringRun = {
      checks: completed.checks - startCompleted.checks,
      goalChecks: completed.goalChecks - startCompleted.goalChecks,
      deliveries: completed.deliveries - startCompleted.deliveries,
    };
    log('waiting for the last probes ...');
    for (let waited = 0; probes.size > 0 && waited < 30_000; waited += 100) {
      for (; seen < hooks.length; seen++) {
        const h = hooks[seen];
        const probedAt = probes.get(h.goalId);
        if (probedAt !== undefined && h.type === 'KpiBackOnTrack') {
          latencies.push(h.at - probedAt);
          probes.delete(h.goalId);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const runHooks = hooks.slice(startHooks);
    const alertToHook = runHooks.map((h) => h.at - h.raisedAt);
    const keys = new Set(hooks.map((h) => h.key));
    const result = {
      goals: GOALS,
      targetRate: RATE,
      seconds: Math.round(elapsed),
      debounceMs: DEBOUNCE_MS,
      actualsPerSecond: Math.round((sent - failed) / elapsed),
      failedPosts: failed,
      probes: probesSent,
      probesUnanswered: probes.size,
      probeLatencyMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: Math.max(...latencies),
      },
      alertAppendToWebhookMs: { p50: percentile(alertToHook, 50), p99: percentile(alertToHook, 99) },
      webhooksInRun: runHooks.length,
      duplicateWebhooks: hooks.length - keys.size,
      badSignatures,
      checkJobsPerSecond: Math.round(duringRun.checks / elapsed),
      goalsCheckedPerSecond: Math.round(duringRun.goalChecks / elapsed),
      deliveryJobsPerSecond: Math.round(duringRun.deliveries / elapsed),
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const table = new Table({ head: ['figure', 'value'] });
    table.push(
      ['actuals accepted / s (target)', `${result.actualsPerSecond} (${RATE})`],
      ['goals', GOALS],
      ['probe state changes', `${result.probes} (${result.probesUnanswered} unanswered)`],
      [
        'actual accepted → webhook p50 / p95 / p99 / max ms',
        `${result.probeLatencyMs.p50} / ${result.probeLatencyMs.p95} / ${result.probeLatencyMs.p99} / ${result.probeLatencyMs.max}`,
      ],
      ['alert appended → webhook p50 / p99 ms', `${result.alertAppendToWebhookMs.p50} / ${result.alertAppendToWebhookMs.p99}`],
      [
        'webhooks in the run (duplicates, bad signatures)',
        `${result.webhooksInRun} (${result.duplicateWebhooks}, ${result.badSignatures})`,
      ],
      ['check jobs / s (goals checked / s)', `${result.checkJobsPerSecond} (${result.goalsCheckedPerSecond})`],
      ['delivery jobs / s', result.deliveryJobsPerSecond],
    );
    process.stdout.write(`\nAlert pipeline on PostgreSQL + Redis, debounce ${DEBOUNCE_MS} ms, ${result.seconds} s\n${table.toString()}\n`);
  } finally {
    await Promise.all(events.map((e) => e.close()));
    for (const child of [api, worker]) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    receiver.close();
    // Leave nothing of this run in the shared Redis.
    for (const name of ['checks', 'deliveries']) {
      const queue = new Queue(name, { connection: redisOptions(), prefix: PREFIX });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }
}

main().catch((error: Error) => {
  log(`bench:alerts failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
