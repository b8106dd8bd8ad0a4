/**
 * `npm run bench:read`: the read side on PostgreSQL.
 *
 *   npm run bench:read -- [--events 1000000] [--queries 100] [--fresh] [--json]
 *
 * 1. Writes a log of about --events events through the application's commands (one project of
 *    about 100,000 events, the rest spread over projects of about 10,000), unless the database
 *    already holds that log from an earlier run (--fresh forces a rewrite).
 * 2. Raw scan: reads every event in global order, in this process.
 * 3. Rebuild: runs `planledger projections rebuild` as its own process (the real CLI, every
 *    projection) and reads its events/s and peak memory from what it prints.
 * 4. Time travel: starts the built API and asks `GET /projects/big-p0/plan?asOf=` at --queries
 *    random moments; beside it, in this process, moments folded from scratch with no snapshots
 *    (the baseline the cache is measured against). Twice: first as written (the project's 100,000
 *    events recorded within a few minutes, the worst case for the read-ahead past each moment),
 *    then with their recorded times spread evenly over 92 days in log order, as a quarter's
 *    project has them.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { SignJWT } from 'jose';
import { planAsOf, syntheticLogSize, writeSyntheticLog, type SyntheticLogShape } from '@planledger/application';
import { createPostgresEventStore, type EventStore } from '@planledger/event-store';
import { Client } from 'pg';
import { BENCH_ADMIN_URL, freshDatabase } from '../support/database';
import { rawScan } from '../support/raw-scan';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '100' },
    fresh: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const TARGET = Number(args.events);
const QUERIES = Number(args.queries);
const DB = 'plbench_read';
const ROOT = join(__dirname, '..', '..', '..');
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

const log = (message: string) => process.stderr.write(`${message}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (n: number) => Math.round(n * 10) / 10;

// The timed project: a tenth of the log (100,000 events at the default size), a fifth of it plan events.
const bigEvents = Math.min(TARGET / 10, 100_000);
const big: SyntheticLogShape = {
  projects: 1,
  goalsPerProject: 16,
  tasksPerProject: Math.round((bigEvents * 0.2) / 3),
  actualsPerGoal: Math.max(1, Math.round((bigEvents * 0.8) / 16)),
};
const rest: SyntheticLogShape = { projects: 0, goalsPerProject: 10, tasksPerProject: 100, actualsPerGoal: 1000 };
rest.projects = Math.max(0, Math.ceil((TARGET - syntheticLogSize(big)) / syntheticLogSize({ ...rest, projects: 1 })));
const expected = syntheticLogSize(big) + syntheticLogSize(rest);

async function databaseUrl(): Promise<{ url: string; reused: boolean }> {
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${DB}`;
  if (!args.fresh) {
    const client = new Client({ connectionString: url.toString() });
    const count = await client
      .connect()
      // A log whose times were spread by an earlier run is not as written any more: rewrite it.
      .then(() =>
        client.query<{ n: string }>(
          "SELECT CASE WHEN to_regclass('plbench_spread') IS NULL THEN count(*)::text ELSE '-1' END AS n FROM pl_events",
        ),
      )
      .then((r) => Number(r.rows[0].n))
      .catch(() => -1);
    if (count === expected) {
      // Same log as last time: only the read models go, so the rebuild starts from nothing.
      await client.query('DROP TABLE IF EXISTS pl_read_models, pl_projection_checkpoints, pl_dead_letters');
      await client.query('DELETE FROM pl_migrations WHERE version > 1000');
      await client.end();
      return { url: url.toString(), reused: true };
    }
    await client.end().catch(() => undefined);
  }
  return { url: await freshDatabase(DB), reused: false };
}

async function writeLog(store: EventStore): Promise<void> {
  const bar = new SingleBar({
    format: 'writing the log [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 10_000,
  });
  bar.start(expected, 0);
  await writeSyntheticLog(store, { ...big, onProgress: (n) => bar.update(n) }, 'big');
  const before = syntheticLogSize(big);
  await writeSyntheticLog(store, { ...rest, onProgress: (n) => bar.update(before + n) }, 'rest');
  bar.stop();
}

/** The real CLI in its own process; its output gives events, seconds and peak memory. */
async function rebuild(url: string): Promise<{ events: number; seconds: number; peakMb: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['dist/apps/cli/main.js', 'projections', 'rebuild'], {
    cwd: ROOT,
    env: { ...process.env, EVENT_STORE_URL: url, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`rebuild exited ${code}:\n${output}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(output.trim());
  // The CLI's last lines: one per projection, then "all: N events in S s".
  const events = Number(/^all: (\d+) events in/m.exec(output)?.[1] ?? NaN);
  const peakMb = Number(/peak memory (\d+) MB/.exec(output)?.[1] ?? NaN);
  return { events, seconds, peakMb };
}

async function timeTravel(url: string, store: EventStore) {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ first: Date; last: Date; n: string }>(
    "SELECT min(recorded_at) AS first, max(recorded_at) AS last, count(*)::text AS n FROM pl_events WHERE metadata->>'projectId' = 'big-p0'",
  );
  await client.end();
  const first = rows[0].first.getTime();
  const last = rows[0].last.getTime();
  let seed = 20261127;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const moments = Array.from({ length: QUERIES }, () => new Date(first + Math.floor(random() * (last - first + 1))).toISOString());

  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const api = spawn(process.execPath, ['dist/apps/api/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      EVENT_STORE_URL: url,
      AUTH_JWT_SECRET: JWT_SECRET,
      AUTH_ADMINS: 'user:bench',
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let apiOutput = '';
  api.stderr?.on('data', (chunk: Buffer) => (apiOutput += chunk.toString()));
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
  const get = async (path: string) => {
    const started = process.hrtime.bigint();
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { tasks?: unknown[] };
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, tasks: body.tasks?.length ?? 0 };
  };
  try {
    for (let waited = 0; ; waited += 200) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (waited > 60_000 || api.exitCode !== null) throw new Error(`API did not start:\n${apiOutput}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const cold = await get(`/projects/big-p0/plan?asOf=${encodeURIComponent(new Date(last).toISOString())}`);
    const warm: number[] = [];
    for (const moment of moments) warm.push((await get(`/projects/big-p0/plan?asOf=${encodeURIComponent(moment)}`)).ms);
    // Baseline in the same run: moments folded from scratch, no snapshots and no HTTP.
    const scratch: number[] = [];
    for (const moment of moments.slice(0, Math.min(30, moments.length))) {
      const started = process.hrtime.bigint();
      await planAsOf(store, 'big-p0', moment);
      scratch.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    warm.sort((a, b) => a - b);
    scratch.sort((a, b) => a - b);
    return { projectEvents: Number(rows[0].n), cold: cold.ms, tasks: cold.tasks, warm, scratch };
  } finally {
    api.kill('SIGTERM');
  }
}

/** Recorded times of big-p0's events spread evenly over the 92 days before its first, in log order. */
async function spreadOverAQuarter(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`
    WITH ranked AS (
      SELECT global_position, row_number() OVER (ORDER BY transaction_id, global_position) AS n, count(*) OVER () AS total, min(recorded_at) OVER () AS first
        FROM pl_events WHERE project_id = 'big-p0')
    UPDATE pl_events e SET recorded_at = r.first - interval '92 days' + (interval '92 days' * r.n / r.total)
      FROM ranked r WHERE e.global_position = r.global_position`);
  await client.query('CREATE TABLE plbench_spread ()');
  await client.end();
}

async function main(): Promise<void> {
  const { url, reused } = await databaseUrl();
  const store = await createPostgresEventStore({ connectionString: url, poolSize: 4 });
  try {
    if (reused) log(`reusing the ${expected} events already in ${DB} (--fresh rewrites them)`);
    else {
      log(`writing ${expected} events into ${DB}`);
      await writeLog(store);
    }
    // What autovacuum does soon after a bulk load; without statistics the planner misjudges the
    // filtered scans of a freshly written table.
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('ANALYZE pl_events');
    await client.end();
    log('raw scan of the log');
    const scan = await rawScan(store);
    log('rebuilding every projection with planledger projections rebuild');
    const built = await rebuild(url);
    log(`timing plan?asOf on big-p0 (${QUERIES} moments), as written`);
    const compressed = await timeTravel(url, store);
    await spreadOverAQuarter(url);
    log(`timing plan?asOf on big-p0 (${QUERIES} moments), recorded over 92 days`);
    const travel = await timeTravel(url, store);

    const results = {
      machine: { cpus: cpus().length, node: process.version },
      log: { events: scan.events, bigProjectEvents: travel.projectEvents, tasksInBigProject: travel.tasks },
      rawScan: { eventsPerSecond: Math.round(scan.events / scan.seconds), seconds: ms(scan.seconds) },
      rebuild: {
        events: built.events,
        seconds: ms(built.seconds),
        eventsPerSecond: Math.round(built.events / built.seconds),
        peakMemoryMb: built.peakMb,
        ratioToRawScan: Math.round((built.events / built.seconds / (scan.events / scan.seconds)) * 100) / 100,
      },
      planAsOfCompressed: {
        firstMs: ms(compressed.cold),
        p50Ms: ms(percentile(compressed.warm, 50)),
        p95Ms: ms(percentile(compressed.warm, 95)),
        fromScratchP50Ms: ms(percentile(compressed.scratch, 50)),
        fromScratchP95Ms: ms(percentile(compressed.scratch, 95)),
      },
      planAsOf: {
        queries: QUERIES,
        firstMs: ms(travel.cold),
        p50Ms: ms(percentile(travel.warm, 50)),
        p95Ms: ms(percentile(travel.warm, 95)),
        maxMs: ms(travel.warm[travel.warm.length - 1]),
        fromScratchP50Ms: ms(percentile(travel.scratch, 50)),
        fromScratchP95Ms: ms(percentile(travel.scratch, 95)),
      },
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return;
    }
    const table = new Table({ head: ['measure', 'value', 'aim'] });
    table.push(
      ['events in the log', results.log.events.toLocaleString('en'), '1,000,000'],
      ['raw scan (events/s)', results.rawScan.eventsPerSecond.toLocaleString('en'), ''],
      ['rebuild, all projections (events/s)', results.rebuild.eventsPerSecond.toLocaleString('en'), '≥ 50,000'],
      ['rebuild ÷ raw scan', String(results.rebuild.ratioToRawScan), ''],
      ['rebuild process peak memory (MB)', String(results.rebuild.peakMemoryMb), '< 300'],
      ['events of the timed project', results.log.bigProjectEvents.toLocaleString('en'), '100,000'],
      ['plan?asOf first query (ms)', String(results.planAsOf.firstMs), ''],
      ['plan?asOf p50 / p95 / max (ms)', `${results.planAsOf.p50Ms} / ${results.planAsOf.p95Ms} / ${results.planAsOf.maxMs}`, 'p95 < 150'],
      ['fold from scratch p50 / p95 (ms)', `${results.planAsOf.fromScratchP50Ms} / ${results.planAsOf.fromScratchP95Ms}`, 'baseline'],
      ['as written (minutes apart): p50 / p95 (ms)', `${results.planAsOfCompressed.p50Ms} / ${results.planAsOfCompressed.p95Ms}`, ''],
      [
        'as written, from scratch p50 / p95 (ms)',
        `${results.planAsOfCompressed.fromScratchP50Ms} / ${results.planAsOfCompressed.fromScratchP95Ms}`,
        'baseline',
      ],
    );
    process.stdout.write(`${table.toString()}\n`);
  } finally {
    await store.close();
  }
}

main().catch((error: Error) => {
  log(`bench:read failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
