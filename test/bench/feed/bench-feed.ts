/**
 * `npm run bench:feed`: exporting the log.
 *
 *   npm run bench:feed -- [--events 1000000] [--json]
 *
 * Uses the database `plbench_read` when it holds at least --events events (`npm run bench:read`
 * leaves one), else writes a log of that size there through the commands. Then, in one run:
 * a raw scan through the store in this process (the baseline), and `planledger events export` in
 * each format as its own process writing to a file, with its resident memory sampled every 100 ms
 * to show whether it stays flat, and once more with the heap capped at 64 MB (a log-sized buffer
 * would run out).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { writeSyntheticLog } from '@planledger/application';
import { createPostgresEventStore, type EventStore } from '@planledger/event-store';
import { Client } from 'pg';
import { BENCH_ADMIN_URL, freshDatabase } from '../support/database';
import { rawScan } from '../support/raw-scan';

const { values: args } = parseArgs({
  options: { events: { type: 'string', default: '1000000' }, json: { type: 'boolean', default: false } },
});
const TARGET = Number(args.events);
const DB = 'plbench_read';
const ROOT = join(__dirname, '..', '..', '..');
const log = (message: string) => process.stderr.write(`${message}\n`);

async function database(): Promise<string> {
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${DB}`;
  const client = new Client({ connectionString: url.toString() });
  const count = await client
    .connect()
    .then(() => client.query<{ n: string }>('SELECT count(*)::text AS n FROM pl_events'))
    .then((r) => Number(r.rows[0].n))
    .catch(() => 0)
    .finally(() => client.end().catch(() => undefined));
  if (count >= TARGET) {
    log(`using the ${count} events in ${DB}`);
    return url.toString();
  }
  const fresh = await freshDatabase(DB);
  const store = await createPostgresEventStore({ connectionString: fresh, poolSize: 4 });
  log(`writing about ${TARGET} events into ${DB}`);
  const projects = Math.ceil(TARGET / 10_305);
  await writeSyntheticLog(store, {
    projects,
    goalsPerProject: 10,
    tasksPerProject: 100,
    actualsPerGoal: 1000,
    onProgress: (n) => n % 100_000 < 1000 && log(`  ${n}`),
  });
  await store.close();
  return fresh;
}

function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

async function exportRun(url: string, format: string, nodeArgs: string[] = []) {
  const file = join(tmpdir(), `plbench-feed.${format}`);
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, 'dist/apps/cli/main.js', 'events', 'export', '--format', format, '-o', file], {
    cwd: ROOT,
    env: { ...process.env, EVENT_STORE_URL: url },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const samples: number[] = [];
  const sampler = setInterval(() => {
    const mb = rssMb(child.pid as number);
    if (mb !== undefined) samples.push(mb);
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`export ${format} exited ${code}: ${stderr}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = Number(/exported (\d+) events/.exec(stderr)?.[1] ?? NaN);
  const bytes = statSync(file).size;
  rmSync(file);
  const at = (share: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(share * samples.length))] ?? NaN);
  return {
    format: [format, ...nodeArgs].join(' '),
    events,
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(events / seconds),
    megabytes: Math.round(bytes / 1e6),
    rssMb: { at25: at(0.25), at50: at(0.5), at75: at(0.75), at100: at(0.999), peak: Math.round(Math.max(...samples)) },
  };
}

async function main(): Promise<void> {
  const url = await database();
  const store = await createPostgresEventStore({ connectionString: url, poolSize: 2 });
  log('raw scan');
  const scan = await rawScan(store);
  await store.close();
  const runs = [];
  for (const format of ['ndjson', 'cloudevents', 'csv']) {
    log(`export --format ${format}`);
    runs.push(await exportRun(url, format));
  }
  // The proof that memory does not grow with the log: the same export with the heap capped at 64 MB.
  log('export --format ndjson with --max-old-space-size=64');
  runs.push(await exportRun(url, 'ndjson', ['--max-old-space-size=64']));
  const results = { rawScan: { events: scan.events, eventsPerSecond: Math.round(scan.events / scan.seconds) }, exports: runs };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const table = new Table({ head: ['run', 'events', 'events/s', 'file MB', 'RSS MB at 25/50/75/100% of the run', 'peak RSS MB'] });
  table.push([
    'raw scan (baseline, in process)',
    scan.events.toLocaleString('en'),
    results.rawScan.eventsPerSecond.toLocaleString('en'),
    '',
    '',
    '',
  ]);
  for (const r of runs)
    table.push([
      `export --format ${r.format}`,
      r.events.toLocaleString('en'),
      r.eventsPerSecond.toLocaleString('en'),
      String(r.megabytes),
      `${r.rssMb.at25} / ${r.rssMb.at50} / ${r.rssMb.at75} / ${r.rssMb.at100}`,
      String(r.rssMb.peak),
    ]);
  process.stdout.write(`${table.toString()}\n`);
}

main().catch((error: Error) => {
  log(`bench:feed failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
