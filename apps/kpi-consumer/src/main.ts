/**
 * Example consumer of the PlanLedger feed: keeps a daily KPI table (per goal and business day: the
 * sum of its actuals, corrections applied) in a CSV file, through @planledger/sdk.
 *
 *   PLANLEDGER_URL=http://127.0.0.1:3000 PLANLEDGER_TOKEN=<bearer token or plk_ API key> \
 *   KPI_DIR=./kpi node dist/apps/kpi-consumer/main.js
 *
 * The table and the feed position are written together, atomically, in KPI_DIR/state.json (then
 * the CSV, KPI_DIR/daily-kpi.csv, is rewritten from it). A restart, even after SIGKILL, resumes
 * from the position that matches the table: no event is counted twice or missed.
 */
import { FeedClient, type CheckpointStore, type FeedEvent } from '@planledger/sdk';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface State {
  position?: string;
  /** goalId/actualId → the actual's business day and current value (for corrections). */
  actuals: Record<string, { date: string; value: number }>;
  /** "date,goalId" → the day's total for that goal. */
  days: Record<string, { date: string; goalId: string; total: number; actuals: number }>;
}

const dir = process.env['KPI_DIR'] ?? 'kpi-consumer-data';
const statePath = join(dir, 'state.json');
const csvPath = join(dir, 'daily-kpi.csv');

async function atomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

async function loadState(): Promise<State> {
  try {
    return JSON.parse(await readFile(statePath, 'utf8')) as State;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { actuals: {}, days: {} };
    throw error;
  }
}

function csv(state: State): string {
  const rows = Object.values(state.days).sort((a, b) => a.date.localeCompare(b.date) || a.goalId.localeCompare(b.goalId));
  return ['date,goalId,total,actuals', ...rows.map((r) => `${r.date},${r.goalId},${r.total},${r.actuals}`)].join('\n') + '\n';
}

function apply(state: State, { event }: FeedEvent): void {
  if (event.type === 'ActualRecorded') {
    const { goalId, actualId, value, businessDate } = event.data;
    state.actuals[`${goalId}/${actualId}`] = { date: businessDate, value };
    const day = (state.days[`${businessDate},${goalId}`] ??= { date: businessDate, goalId, total: 0, actuals: 0 });
    day.total += value;
    day.actuals += 1;
  } else if (event.type === 'ActualCorrected') {
    const { goalId, actualId, after } = event.data;
    const actual = state.actuals[`${goalId}/${actualId}`];
    if (!actual) return;
    state.days[`${actual.date},${goalId}`].total += after - actual.value;
    actual.value = after;
  }
}

/**
 * The SDK's checkpoint, kept inside the state file: saving the position saves the table it
 * belongs to. Writes are grouped (every 500 events or 200 ms), always at an event boundary.
 */
class StateCheckpoint implements CheckpointStore {
  private pending = 0;
  private lastWrite = Date.now();

  constructor(private readonly state: State) {}

  async load(): Promise<string | undefined> {
    return this.state.position;
  }

  async save(position: string): Promise<void> {
    this.state.position = position;
    this.pending++;
    if (this.pending >= 500 || Date.now() - this.lastWrite > 200) await this.flush();
  }

  /**
   * Writes the state, one write at a time. It runs only where the consumer awaits (reading the
   * stream, or here), never between applying an event and taking its position, so the file always
   * holds a table and the position it belongs to.
   */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending === 0) return;
      const snapshot = JSON.stringify(this.state);
      this.pending = 0;
      this.lastWrite = Date.now();
      await atomically(statePath, snapshot);
      await atomically(csvPath, csv(JSON.parse(snapshot) as State));
    });
    return this.writing;
  }

  private writing: Promise<void> = Promise.resolve();
}

async function main(): Promise<void> {
  const url = process.env['PLANLEDGER_URL'];
  const token = process.env['PLANLEDGER_TOKEN'];
  if (!url || !token) {
    process.stderr.write(
      'kpi-consumer: set PLANLEDGER_URL (the API) and PLANLEDGER_TOKEN (a bearer token or a plk_ API key with feed access)\n',
    );
    process.exit(2);
  }
  await mkdir(dir, { recursive: true });
  const state = await loadState();
  const checkpoint = new StateCheckpoint(state);
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  // Idle: still write what was counted, so the CSV is never more than a moment behind.
  const idleFlush = setInterval(() => void checkpoint.flush(), 250);
  const client = new FeedClient({
    baseUrl: url,
    authorization: `Bearer ${token}`,
    checkpoint,
    types: ['ActualRecorded', 'ActualCorrected'],
    onReconnect: (error, attempt, wait) =>
      process.stderr.write(`kpi-consumer: connection lost (${(error as Error).message}); retry ${attempt} in ${wait} ms\n`),
  });
  process.stderr.write(`kpi-consumer: following ${url} from ${state.position ?? 'the beginning'}, writing ${csvPath}\n`);
  try {
    await client.consume((event) => apply(state, event), stop.signal);
  } finally {
    clearInterval(idleFlush);
    await checkpoint.flush();
  }
  process.stderr.write('kpi-consumer: stopped\n');
}

main().catch((error: Error) => {
  process.stderr.write(`kpi-consumer failed: ${error.message}\n`);
  process.exit(1);
});
