/**
 * `npm run bench:import`: spreadsheet imports of actuals on PostgreSQL.
 *
 *   npm run bench:import -- [--rows 100000] [--goals 20] [--json]
 *
 * Writes a CSV and an .xlsx workbook of the same --rows actuals (spread over --goals goals of one
 * project, each row with a CRM reference), then times, each in its own process through the built
 * CLI (`planledger import`), with its resident memory sampled every 100 ms:
 *   - the dry run of the CSV, its import, and importing it again (which writes nothing);
 *   - the dry run and the import of the workbook (into a second project).
 * Baselines in this process: reading each file alone (no checks), and the same ActualRecorded
 * events appended straight to the store a thousand an append (no file, no checks, no commands).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import ExcelJS from 'exceljs';
import { Planning, type RequestMetadata } from '@planledger/application';
import { sampleCharter } from '@planledger/contracts/testing';
import { createPostgresEventStore, type EventStore } from '@planledger/event-store';
import { readSpreadsheet } from '@planledger/spreadsheets';
import { Client } from 'pg';
import { freshDatabase } from '../support/database';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    goals: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const GOALS = Number(args.goals);
const DB = 'plbench_sheets';
const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'apps', 'cli', 'main.js');
const DAY = 86_400_000;
const log = (message: string) => process.stderr.write(`${message}\n`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = Date.parse(`${iso(Date.now())}T00:00:00Z`);
const periodStart = iso(today - 89 * DAY);

interface Run {
  run: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  eventsWritten: number | null;
  peakRssMb: number | null;
}

async function openProject(store: EventStore, projectId: string): Promise<void> {
  const meta: RequestMetadata = { actor: 'user:bench', now: new Date().toISOString(), correlationId: `bench-${projectId}` };
  const planning = new Planning(store);
  await planning.openProject(
    projectId,
    { ...sampleCharter, name: projectId, periodStart, periodEnd: iso(today + 30 * DAY), description: '' },
    meta,
  );
  for (let g = 0; g < GOALS; g++) {
    await planning.setGoal(
      projectId,
      `${projectId}-g${g}`,
      {
        title: `Revenue ${g}`,
        kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
        target: 10_000_000,
        baseline: 0,
        startDate: periodStart,
        deadline: iso(today + 30 * DAY),
        phasing: { kind: 'linear' },
        owner: { kind: 'team' },
        tolerance: 0.1,
      },
      meta,
    );
  }
}

function row(i: number): [string, string, number, string, string] {
  return [
    `Revenue ${i % GOALS}`,
    iso(Date.parse(periodStart) + (i % 89) * DAY),
    100 + (i % 9000),
    `CRM-${i}`,
    i % 10 === 0 ? 'renewal' : '',
  ];
}

/** The CLI in its own process; resolves with its wall time, report and the peak of its sampled RSS. */
function cli(
  file: string,
  projectId: string,
  url: string,
  commit: boolean,
): Promise<{ seconds: number; report: Record<string, unknown>; peakMb: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [CLI, 'import', file, '--project', projectId, '--json', '--actor', 'user:bench', ...(commit ? ['--commit'] : [])],
      // A generous connect timeout: on a shared machine the default 3 s was seen to run out.
      {
        env: { PATH: process.env['PATH'] ?? '', EVENT_STORE_URL: url, EVENT_STORE_CONNECT_TIMEOUT_MS: '30000' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const sample = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8')
        .then((status) => {
          const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
          if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
        })
        .catch(() => undefined);
    }, 100);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearInterval(sample);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0 && code !== 1) return reject(new Error(`planledger import exited ${code}: ${stderr}`));
      try {
        resolve({ seconds, report: JSON.parse(stdout) as Record<string, unknown>, peakMb: Math.round(peak) });
      } catch {
        reject(new Error(`no report: ${stdout.slice(0, 500)} ${stderr}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const url = await freshDatabase(DB);
  const store = await createPostgresEventStore({ connectionString: url, poolSize: 4 });
  const dir = await mkdtemp(join(tmpdir(), 'planledger-bench-sheets-'));
  const runs: Run[] = [];
  const record = (run: string, rows: number, seconds: number, eventsWritten: number | null, peakRssMb: number | null) => {
    runs.push({ run, rows, seconds: Math.round(seconds * 10) / 10, rowsPerSecond: Math.round(rows / seconds), eventsWritten, peakRssMb });
    log(`${run}: ${Math.round(rows / seconds)} rows/s`);
  };
  try {
    log(`opening three projects of ${GOALS} goals`);
    await openProject(store, 'csv');
    await openProject(store, 'xlsx');
    await openProject(store, 'raw');

    log(`writing ${ROWS} rows as CSV and as a workbook`);
    const csvFile = join(dir, 'actuals.csv');
    const lines = ['Goal,Date,Value,Reference,Note'];
    for (let i = 0; i < ROWS; i++) lines.push(row(i).join(','));
    await writeFile(csvFile, `${lines.join('\n')}\n`);
    const xlsxFile = join(dir, 'actuals.xlsx');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsxFile, useSharedStrings: false });
    const sheet = book.addWorksheet('Actuals');
    sheet.addRow(['Goal', 'Date', 'Value', 'Reference', 'Note']).commit();
    for (let i = 0; i < ROWS; i++) {
      const [goal, date, value, ref, note] = row(i);
      sheet.addRow([goal, new Date(`${date}T00:00:00Z`), value, ref, note || null]).commit();
    }
    sheet.commit();
    await book.commit();

    for (const [label, file] of [
      ['CSV', csvFile],
      ['workbook', xlsxFile],
    ] as const) {
      const bytes = await readFile(file);
      const started = process.hrtime.bigint();
      // Streamed from disk, as the CLI reads it.
      const read = await readSpreadsheet({ path: file }, { fileName: file, maxRows: ROWS + 1 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (read.tables[0].rows.length !== ROWS) throw new Error(`read ${read.tables[0].rows.length} rows of ${ROWS}`);
      record(`baseline: read the ${label} only (${Math.round(bytes.length / 1024 / 1024)} MB), in this process`, ROWS, seconds, null, null);
    }

    {
      const started = process.hrtime.bigint();
      for (let g = 0; g < GOALS; g++) {
        const events = [];
        for (let i = g; i < ROWS; i += GOALS) {
          const [, businessDate, value, externalRef] = row(i);
          events.push({
            type: 'ActualRecorded',
            data: { goalId: `raw-g${g}`, actualId: `a-${i}`, value, businessDate, source: 'bench', externalRef },
            metadata: { actor: 'user:bench', projectId: 'raw', correlationId: 'bench-raw' },
          });
        }
        for (let start = 0; start < events.length; start += 1000)
          await store.appendToStream(`goal-raw-g${g}`, events.slice(start, start + 1000), { expected: 'any' });
      }
      record(
        'baseline: the same events appended straight to the store, 1,000 an append, in this process',
        ROWS,
        Number(process.hrtime.bigint() - started) / 1e9,
        ROWS,
        null,
      );
    }

    const runCli = async (run: string, file: string, projectId: string, commit: boolean) => {
      const { seconds, report, peakMb } = await cli(file, projectId, url, commit);
      if (!report['ok']) throw new Error(`${run}: ${JSON.stringify(report['problems']).slice(0, 500)}`);
      record(run, ROWS, seconds, Number(report['eventsWritten']), peakMb);
    };
    await runCli('`planledger import actuals.csv` (dry run)', csvFile, 'csv', false);
    await runCli('`planledger import actuals.csv --commit`', csvFile, 'csv', true);
    await runCli('`planledger import actuals.csv --commit` again (writes nothing)', csvFile, 'csv', true);
    await runCli('`planledger import actuals.xlsx` (dry run)', xlsxFile, 'xlsx', false);
    await runCli('`planledger import actuals.xlsx --commit`', xlsxFile, 'xlsx', true);

    const admin = new Client({ connectionString: url });
    await admin.connect();
    const { rows: counted } = await admin.query<{ project: string; n: string }>(
      `SELECT metadata->>'projectId' AS project, count(*)::text AS n FROM pl_events WHERE type = 'ActualRecorded' GROUP BY 1 ORDER BY 1`,
    );
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    await admin.end();
    for (const { project, n } of counted) if (Number(n) !== ROWS) throw new Error(`project ${project} holds ${n} actuals, not ${ROWS}`);

    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, PostgreSQL ${version}`;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ machine, rows: ROWS, goals: GOALS, runs }, null, 2)}\n`);
      return;
    }
    const table = new Table({ head: ['run', 'rows/s', 'seconds', 'events written', 'peak RSS (MB)'] });
    for (const r of runs) table.push([r.run, r.rowsPerSecond.toLocaleString('en'), r.seconds, r.eventsWritten ?? '–', r.peakRssMb ?? '–']);
    process.stdout.write(`${machine}; ${ROWS.toLocaleString('en')} actuals over ${GOALS} goals\n${table.toString()}\n`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  log(error.stack ?? error.message);
  process.exitCode = 1;
});
