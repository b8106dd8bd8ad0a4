/**
 * `npm run bench:store`: append and read throughput of the PlanLedger event store on PostgreSQL
 * and PGlite, with group commit (the default) and with one transaction per append, beside raw INSERTs of the same rows with the same commits (the ceiling) and
 * emmett-postgresql 0.42 (the peer), all in one process run so the figures share one machine state.
 *
 *   npm run bench:store -- [--streams 10000] [--events 10] [--writers 1,8] [--database plbench] [--json] [--skip-pglite]
 *
 * A workload that takes less than 10 s is measured again, up to three interleaved rounds, and the
 * median is reported: a three-second run alone swings by a third on a busy two-core machine.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must be a role that
 * may create databases: every workload runs in a fresh database named plbench (--database).
 */
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { Client } from 'pg';
import { BENCH_ADMIN_URL, freshDatabase as freshBenchDatabase } from '../support/database';
import { emmettPostgres, planLedgerPglite, planLedgerPostgres, rawPglite, rawPostgres, type BenchEvent, type Target } from './targets';

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '10000' },
    events: { type: 'string', default: '10' },
    writers: { type: 'string', default: '1,8' },
    database: { type: 'string', default: 'plbench' },
    json: { type: 'boolean', default: false },
    'skip-pglite': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'npm run bench:store -- [--streams 10000] [--events 10] [--writers 1,8] [--database plbench] [--json] [--skip-pglite]\n',
  );
  process.exit(0);
}
const STREAMS = positiveInt('streams', args.streams);
const EVENTS_PER_STREAM = positiveInt('events', args.events);
const WRITERS = (args.writers ?? '').split(',').map((w) => positiveInt('writers', w.trim()));
const POOL_SIZE = 10;
// Dropped and created again for every cell: two runs at once on one server need different names.
const BENCH_DB = /^[a-z_][a-z0-9_]{0,62}$/.test(args.database ?? '')
  ? (args.database as string)
  : usage('--database must be a lower-case SQL name');

interface Workload {
  batch: number;
  writers: number;
}
const WORKLOADS: Workload[] = [
  { batch: 1, writers: 1 },
  { batch: 1, writers: 8 },
  { batch: 10, writers: 1 },
  { batch: 10, writers: 8 },
].filter((w) => w.batch <= EVENTS_PER_STREAM && WRITERS.includes(w.writers));
const label = (w: Workload) => `${w.batch} event${w.batch > 1 ? 's' : ''}/append × ${w.writers} writer${w.writers > 1 ? 's' : ''}`;
const key = (w: Workload) => `batch${w.batch}_writers${w.writers}`;

// planledger: one transaction per append; groupcommit: the store's default, appends batched.
type TargetKind = 'planledger' | 'groupcommit' | 'raw' | 'emmett';
interface Contender {
  kind: TargetKind;
  database: 'postgres' | 'pglite';
  open(): Promise<Target>;
}

const contenders: Contender[] = [
  { kind: 'raw', database: 'postgres', open: async () => rawPostgres(await freshDatabase(), POOL_SIZE) },
  { kind: 'planledger', database: 'postgres', open: async () => planLedgerPostgres(await freshDatabase(), POOL_SIZE, false) },
  { kind: 'groupcommit', database: 'postgres', open: async () => planLedgerPostgres(await freshDatabase(), POOL_SIZE, true) },
  { kind: 'emmett', database: 'postgres', open: async () => emmettPostgres(await freshDatabase()) },
  ...(args['skip-pglite']
    ? []
    : ([
        { kind: 'raw', database: 'pglite', open: rawPglite },
        { kind: 'planledger', database: 'pglite', open: () => planLedgerPglite(false) },
        { kind: 'groupcommit', database: 'pglite', open: () => planLedgerPglite(true) },
      ] as Contender[])),
];

const MIN_MEASURED_SECONDS = 10;
const MAX_ROUNDS = 3;

interface Run {
  seconds: number;
  eventsPerSecond: number;
  readEventsPerSecond: number;
  missing: number;
  duplicated: number;
  /** CPU spent per event appended: this process (PGlite runs inside it), and the PostgreSQL backends of the cell's database. */
  nodeCpuUs: number;
  serverCpuUs: number | undefined;
}
const runs = new Map<string, Run[]>(); // `${database}/${kind}/${workload}` → one Run per round

async function main(): Promise<void> {
  const machine = await describeMachine();
  log(
    `Store benchmark: ${STREAMS.toLocaleString()} streams × ${EVENTS_PER_STREAM} events on ${machine.cpu} (${machine.cores} cores), ${machine.postgres}`,
  );
  for (const workload of WORKLOADS) {
    // Interleaving targets per workload spreads the machine's drift over all of them.
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      for (const contender of contenders) {
        const id = `${contender.database}/${contender.kind}/${key(workload)}`;
        runs.set(id, [...(runs.get(id) ?? []), await measure(contender, workload)]);
      }
      const shortest = Math.min(
        ...contenders.map((c) => sum((runs.get(`${c.database}/${c.kind}/${key(workload)}`) ?? []).map((r) => r.seconds))),
      );
      if (shortest >= MIN_MEASURED_SECONDS) break;
    }
  }
  const consistency = [];
  for (const contender of contenders.filter((c) => c.kind !== 'raw')) consistency.push(await liveReaderCheck(contender));
  report(machine, consistency);
}

async function measure(contender: Contender, workload: Workload): Promise<Run> {
  const target = await contender.open();
  try {
    const total = STREAMS * EVENTS_PER_STREAM;
    const bar = progress(`${target.name} (${contender.database}) ${label(workload)}`, total);
    const serverBefore = contender.database === 'postgres' ? await backendCpuMs() : undefined;
    const nodeBefore = process.cpuUsage();
    const written = await appendAll(target, workload, (n) => bar.increment(n));
    const node = process.cpuUsage(nodeBefore);
    const serverAfter = serverBefore === undefined ? undefined : await backendCpuMs();
    bar.stop();
    const scanStarted = performance.now();
    const keys = await target.readAll();
    const scanSeconds = (performance.now() - scanStarted) / 1000;
    const { missing, duplicated } = compare(written.keys, keys);
    return {
      seconds: written.seconds,
      eventsPerSecond: total / written.seconds,
      readEventsPerSecond: keys.length / scanSeconds,
      missing,
      duplicated,
      nodeCpuUs: (node.user + node.system) / total,
      serverCpuUs:
        serverBefore === undefined || serverAfter === undefined ? undefined : ((serverAfter.ms - serverBefore.ms) * 1000) / total,
    };
  } finally {
    await target.close();
  }
}

/**
 * CPU time (user + system) of the client backends connected to the benchmark's database, read from
 * /proc: PostgreSQL runs on this machine here. A backend that started during the cell counts from
 * zero, which is what it spent; undefined where /proc cannot be read.
 */
async function backendCpuMs(): Promise<{ ms: number } | undefined> {
  const client = new Client({ connectionString: BENCH_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
      [BENCH_DB],
    );
    let ticks = 0;
    for (const { pid } of rows) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
      if (stat === undefined) continue;
      // Fields after the command name: utime and stime are the 14th and 15th of the line.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return { ms: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}
// USER_HZ is 100 on every Linux build these benchmarks run on.
const CLOCK_TICKS_PER_SECOND = 100;

/** Streams are split between writers, so writers never contend for one stream (as in production). */
async function appendAll(
  target: Target,
  workload: Workload,
  onAppended: (n: number) => void,
): Promise<{ seconds: number; keys: Set<string> }> {
  const keys = new Set<string>();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workload.writers }, async (_, writer) => {
      for (let offset = 0; offset < EVENTS_PER_STREAM; offset += workload.batch) {
        for (let s = writer; s < STREAMS; s += workload.writers) {
          const stream = `bench-${s}`;
          const count = Math.min(workload.batch, EVENTS_PER_STREAM - offset);
          const events = Array.from({ length: count }, (_, i) => benchEvent(stream, offset + i));
          await target.append(stream, events, offset);
          for (const event of events) keys.add(event.data.key);
          onAppended(count);
        }
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, keys };
}

/** 8 writers append while a follower pages the log live, as a projection would. */
async function liveReaderCheck(contender: Contender) {
  const target = await contender.open();
  const workload = { batch: 1, writers: 8 };
  try {
    const received: string[] = [];
    let writing = true;
    const reader = (async () => {
      let idleSince = Date.now();
      for (;;) {
        const keys = await target.readNext();
        received.push(...keys);
        if (keys.length > 0) idleSince = Date.now();
        else if (!writing && Date.now() - idleSince > 2000) return;
        else await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const bar = progress(`${target.name} (${contender.database}) live reader check`, STREAMS * EVENTS_PER_STREAM);
    const written = await appendAll(target, workload, (n) => bar.increment(n));
    writing = false;
    await reader;
    bar.stop();
    return {
      database: contender.database,
      target: target.name,
      kind: contender.kind,
      events: written.keys.size,
      ...compare(written.keys, received),
    };
  } finally {
    await target.close();
  }
}

function compare(written: Set<string>, read: string[]): { missing: number; duplicated: number } {
  const seen = new Set(read);
  let missing = 0;
  for (const k of written) if (!seen.has(k)) missing += 1;
  return { missing, duplicated: read.length - seen.size };
}

const NOTE = 'Quarterly revenue actual imported from the CRM export for the east region; reconciled against invoices.';
function benchEvent(stream: string, revision: number): BenchEvent {
  return {
    type: 'ActualRecorded',
    data: { key: `${stream}:${revision}`, goalId: stream, amount: 1250.5 + revision, currency: 'EUR', note: NOTE },
    metadata: { actor: 'user:bench', projectId: `project-${stream.length % 7}` },
  };
}

function report(machine: Awaited<ReturnType<typeof describeMachine>>, consistency: Awaited<ReturnType<typeof liveReaderCheck>>[]): void {
  const databases = [...new Set(contenders.map((c) => c.database))];
  // The median round of a target on a workload; every round counts for missing and duplicated events.
  const roundsOf = (database: string, kind: TargetKind, w: Workload) => runs.get(`${database}/${kind}/${key(w)}`) ?? [];
  const get = (database: string, kind: TargetKind, w: Workload): Run | undefined => {
    const rounds = [...roundsOf(database, kind, w)].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
    return rounds[Math.floor(rounds.length / 2)];
  };
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? Math.round((a / b) * 100) / 100 : undefined);
  const results: Record<string, Record<string, Record<string, number | undefined>>> = {};
  for (const database of databases) {
    results[database] = {};
    for (const w of WORKLOADS) {
      const ours = get(database, 'planledger', w)?.eventsPerSecond;
      const grouped = get(database, 'groupcommit', w)?.eventsPerSecond;
      const raw = get(database, 'raw', w)?.eventsPerSecond;
      const emmett = get(database, 'emmett', w)?.eventsPerSecond;
      results[database][key(w)] = {
        planledger: round(ours),
        groupCommit: round(grouped),
        raw: round(raw),
        emmett: round(emmett),
        ratioVsRaw: ratio(ours, raw),
        groupCommitRatioVsRaw: ratio(grouped, raw),
        ratioVsEmmett: ratio(ours, emmett),
        groupCommitRatioVsEmmett: ratio(grouped, emmett),
        rounds: roundsOf(database, 'planledger', w).length,
      };
    }
  }
  // CPU per event appended, median over a cell's rounds: the work a write costs, whatever else the machine runs.
  const cpu: { database: string; workload: string; store: TargetKind; nodeUs?: number; serverUs?: number }[] = [];
  for (const database of databases)
    for (const w of WORKLOADS)
      for (const c of contenders.filter((c) => c.database === database)) {
        const rounds = roundsOf(database, c.kind, w);
        const serverUs = rounds.map((r) => r.serverCpuUs).filter((us): us is number => us !== undefined);
        cpu.push({
          database,
          workload: key(w),
          store: c.kind,
          nodeUs: round(median(rounds.map((r) => r.nodeCpuUs))),
          serverUs: round(median(serverUs)),
        });
      }
  const reads: Record<string, Record<string, { eventsPerSecond: number | undefined; missing: number; duplicated: number }>> = {};
  for (const c of contenders) {
    const all = WORKLOADS.flatMap((w) => roundsOf(c.database, c.kind, w));
    reads[c.database] ??= {};
    reads[c.database][c.kind] = {
      eventsPerSecond: round(median(all.map((r) => r.readEventsPerSecond))),
      missing: all.reduce((n, r) => n + r.missing, 0),
      duplicated: all.reduce((n, r) => n + r.duplicated, 0),
    };
  }
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ machine, streams: STREAMS, eventsPerStream: EVENTS_PER_STREAM, appends: results, cpuPerEvent: cpu, readScan: reads, liveReader: consistency }, null, 2)}\n`,
    );
    return;
  }
  const appends = new Table({
    head: [
      'database',
      'workload',
      'rounds',
      'PlanLedger per append ev/s',
      'PlanLedger group commit ev/s',
      'raw INSERT ev/s',
      'emmett ev/s',
      'per append vs raw',
      'group commit vs raw',
      'group commit vs emmett',
    ],
  });
  for (const database of databases)
    for (const w of WORKLOADS) {
      const r = results[database][key(w)];
      appends.push([
        database,
        label(w),
        fmt(r['rounds']),
        fmt(r['planledger']),
        fmt(r['groupCommit']),
        fmt(r['raw']),
        fmt(r['emmett']),
        fmt(r['ratioVsRaw']),
        fmt(r['groupCommitRatioVsRaw']),
        fmt(r['groupCommitRatioVsEmmett']),
      ]);
    }
  const cpuTable = new Table({ head: ['database', 'workload', 'store', 'this process µs/event', 'PostgreSQL backends µs/event'] });
  for (const c of cpu) cpuTable.push([c.database, c.workload, c.store, fmt(c.nodeUs), fmt(c.serverUs)]);
  const scans = new Table({
    head: ['database', 'store', 'full readAll scan ev/s (median)', 'missing (all rounds)', 'duplicated (all rounds)'],
  });
  for (const [database, kinds] of Object.entries(reads))
    for (const [kind, r] of Object.entries(kinds)) scans.push([database, kind, fmt(r.eventsPerSecond), r.missing, r.duplicated]);
  const live = new Table({
    head: ['database', 'store', 'events appended by 8 writers', 'missing in live read', 'duplicated in live read'],
  });
  for (const c of consistency) live.push([c.database, c.target, c.events, c.missing, c.duplicated]);
  process.stdout.write(
    `\nAppends (${STREAMS.toLocaleString()} streams × ${EVENTS_PER_STREAM} events, pool of ${POOL_SIZE})\n${appends.toString()}\n`,
  );
  process.stdout.write(`\nCPU per event appended (median of the rounds)\n${cpuTable.toString()}\n`);
  process.stdout.write(`\nRead back after each workload\n${scans.toString()}\n`);
  process.stdout.write(`\nLive reader while 8 writers append (1 event per append)\n${live.toString()}\n`);
  process.stdout.write(`\n${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.postgres}\n`);
}

function freshDatabase(): Promise<string> {
  return freshBenchDatabase(BENCH_DB);
}

async function describeMachine() {
  const client = new Client({ connectionString: BENCH_ADMIN_URL });
  await client.connect().catch((error: Error) => {
    throw new Error(`PostgreSQL is not reachable at ${BENCH_ADMIN_URL} (${error.message}); set BENCH_DATABASE_URL`);
  });
  const { rows } = await client.query<{ version: string; sync: string }>(
    `SELECT split_part(version(), ' on ', 1) AS version, current_setting('synchronous_commit') AS sync`,
  );
  await client.end();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: `${rows[0].version} (synchronous_commit=${rows[0].sync})`,
  };
}

function progress(title: string, total: number): { increment(n: number): void; stop(): void } {
  if (!process.stderr.isTTY) {
    log(`${title} ...`);
    return { increment: () => undefined, stop: () => undefined };
  }
  const bar = new SingleBar(
    { format: `${title} [{bar}] {value}/{total} events, {eta}s left`, stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { increment: (n) => bar.increment(n), stop: () => bar.stop() };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive whole number, not "${value}"\n`);
    process.exit(2);
  }
  return n;
}
function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
function round(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n);
}
function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
function fmt(n: number | undefined): string {
  return n === undefined ? '–' : n.toLocaleString('en-US');
}

main().catch((error: Error) => {
  process.stderr.write(`bench:store failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
