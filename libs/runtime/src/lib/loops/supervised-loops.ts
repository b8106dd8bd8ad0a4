import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a loop is doing now. */
export type LoopStatus = 'starting' | 'running' | 'retrying' | 'stopped';

/** One background loop as `/health` reports it. */
export interface LoopReport {
  name: string;
  status: LoopStatus;
  /** When the loop entered its current status. */
  since: string;
  /** Failed attempts in a row (0 once it made progress again). */
  failures: number;
  lastError?: { class: string; message: string; at: string };
  lastProgressAt?: string;
}

/** What a loop's body receives: the signal to stop on, and a way to say it is doing its work. */
export interface LoopContext {
  readonly signal: AbortSignal;
  /** Called when the body did useful work (read the log, applied events): resets the backoff. */
  progress(): void;
}

export interface SupervisedLoopsOptions {
  /** First wait after a failure, in ms (default 250). */
  initialDelayMs?: number;
  /** Longest wait between attempts, in ms (default 5,000). */
  maxDelayMs?: number;
  /** A loop retrying for longer than this is stuck: health says `down` (default 60,000). */
  stuckAfterMs?: number;
  /** A still-failing loop logs again at most this often, in ms (default 30,000). */
  relogEveryMs?: number;
  now?: () => number;
}

interface LoopRecord {
  report: LoopReport;
  retryingSince?: number;
  lastLoggedAt?: number;
  done: Promise<void>;
}

/**
 * Runs the process's background loops (projections, the log follower, the alert dispatcher) so a
 * failing store or Redis never ends the process: a body that throws is run again after a capped,
 * jittered exponential backoff, and its state (running, retrying since, last error class) is kept
 * for `/health`. Only shutdown ends a loop.
 */
@Injectable()
export class SupervisedLoops implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Loops');
  private readonly stopper = new AbortController();
  private readonly loops = new Map<string, LoopRecord>();
  private readonly options: Required<Omit<SupervisedLoopsOptions, 'now'>> & { now: () => number };

  constructor(options: SupervisedLoopsOptions = {}) {
    this.options = {
      initialDelayMs: options.initialDelayMs ?? 250,
      maxDelayMs: options.maxDelayMs ?? 5000,
      stuckAfterMs: options.stuckAfterMs ?? 60_000,
      relogEveryMs: options.relogEveryMs ?? 30_000,
      now: options.now ?? Date.now,
    };
  }

  /** The signal every loop stops on. */
  get signal(): AbortSignal {
    return this.stopper.signal;
  }

  /** Starts `body` under supervision; the promise settles once the loop has stopped for good. */
  start(name: string, body: (context: LoopContext) => Promise<void>): Promise<void> {
    if (this.loops.has(name)) throw new Error(`A loop named "${name}" is already running`);
    const record: LoopRecord = {
      report: { name, status: 'starting', since: this.iso(), failures: 0 },
      done: Promise.resolve(),
    };
    this.loops.set(name, record);
    record.done = this.supervise(record, body);
    return record.done;
  }

  /** Every loop's state, and the worst of them: `down` when one is stuck, `degraded` while one retries. */
  report(): { status: 'ok' | 'degraded' | 'down'; loops: LoopReport[] } {
    const now = this.options.now();
    const loops = [...this.loops.values()];
    const stuck = loops.some((l) => l.retryingSince !== undefined && now - l.retryingSince > this.options.stuckAfterMs);
    const retrying = loops.some((l) => l.report.status === 'retrying');
    return { status: stuck ? 'down' : retrying ? 'degraded' : 'ok', loops: loops.map((l) => ({ ...l.report })) };
  }

  /** Loops stop before any connection they use closes (those close in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }

  async stopAll(): Promise<void> {
    this.stopper.abort();
    await Promise.all([...this.loops.values()].map((l) => l.done));
  }

  private async supervise(record: LoopRecord, body: (context: LoopContext) => Promise<void>): Promise<void> {
    const signal = this.stopper.signal;
    const backoffs = new ExponentialBackoff({ initialDelay: this.options.initialDelayMs, maxDelay: this.options.maxDelayMs });
    let backoff: IBackoff<unknown> | undefined;
    const context: LoopContext = {
      signal,
      progress: () => {
        record.report.lastProgressAt = this.iso();
        if (record.report.status === 'running') return;
        if (record.report.status === 'retrying') {
          this.logger.log(
            `${record.report.name} recovered after ${record.report.failures} failed attempts in ${this.seconds(record.retryingSince)} s`,
          );
        }
        this.enter(record, 'running');
        record.report.failures = 0;
        record.retryingSince = undefined;
        backoff = undefined;
      },
    };
    while (!signal.aborted) {
      try {
        await body(context);
        if (signal.aborted) break;
        // A loop body returns only when it is told to stop; returning early is a fault too.
        throw new Error('the loop ended by itself');
      } catch (error) {
        if (signal.aborted) break;
        backoff = backoff ? backoff.next(undefined) : backoffs.next();
        this.failed(record, error, backoff.duration);
        await sleep(backoff.duration, undefined, { signal }).catch(() => undefined);
      }
    }
    this.enter(record, 'stopped');
  }

  private failed(record: LoopRecord, error: unknown, retryInMs: number): void {
    const now = this.options.now();
    const e = error instanceof Error ? error : new Error(String(error));
    record.report.failures += 1;
    record.report.lastError = { class: errorClass(e), message: e.message, at: this.iso() };
    if (record.report.status !== 'retrying') {
      this.enter(record, 'retrying');
      record.retryingSince = now;
      record.lastLoggedAt = now;
      this.logger.error(`${record.report.name} failed (${errorClass(e)}: ${e.message}); retrying in ${Math.round(retryInMs)} ms`);
    } else if (now - (record.lastLoggedAt ?? 0) >= this.options.relogEveryMs) {
      record.lastLoggedAt = now;
      this.logger.warn(
        `${record.report.name} still failing after ${record.report.failures} attempts in ${this.seconds(record.retryingSince)} s (${errorClass(e)}: ${e.message})`,
      );
    }
  }

  private enter(record: LoopRecord, status: LoopStatus): void {
    if (record.report.status === status) return;
    record.report.status = status;
    record.report.since = this.iso();
  }

  private iso(): string {
    return new Date(this.options.now()).toISOString();
  }

  private seconds(since: number | undefined): number {
    return since === undefined ? 0 : Math.round((this.options.now() - since) / 100) / 10;
  }
}

/** A short, stable name for what went wrong: the error's code when it has one (ECONNREFUSED, 57P01), else its class. */
function errorClass(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : error.name || 'Error';
}
