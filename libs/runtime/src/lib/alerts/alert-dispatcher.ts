import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { comparePositions, EVENT_STORE, type EventStore, type Position } from '@planledger/event-store';
import type { ReadModelStore } from '@planledger/projections';
import { setTimeout as sleep } from 'node:timers/promises';
import { PLANLEDGER_CONFIG } from '../config.module';
import { READ_MODELS } from '../event-store.module';
import { SupervisedLoops } from '../loops/supervised-loops';
import { AlertQueues } from './alert-queues';
import { DISPATCHED_TYPES, planJobs } from './plan-jobs';

/** The dispatcher's checkpoint, beside the projections' checkpoints. */
export const DISPATCHER_CHECKPOINT = 'alert-dispatcher';
const PAGE = 500;

/**
 * The event log is the outbox. Reads committed events after its own checkpoint, adds the jobs they
 * call for (ids derived from the events), and moves the checkpoint only after Redis took them:
 * Redis down means the jobs wait, never that they are lost. Command handlers never enqueue.
 */
@Injectable()
export class AlertDispatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger('AlertDispatcher');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly models: ReadModelStore,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
    private readonly queues: AlertQueues,
    private readonly loops: SupervisedLoops,
  ) {}

  onApplicationBootstrap(): void {
    // A failing store is retried from the checkpoint by the loops' supervisor; the process stays up.
    void this.loops.start('alert dispatcher', ({ signal, progress }) => this.run(signal, progress));
  }

  private async run(signal: AbortSignal, progress: () => void): Promise<void> {
    let after = (await this.models.checkpoint(DISPATCHER_CHECKPOINT)).position;
    progress();
    this.logger.log(`Dispatching alert jobs from ${after ?? 'the start of the log'}`);
    while (!signal.aborted) {
      const page = await this.store.readAll({ after, limit: PAGE, types: [...DISPATCHED_TYPES] });
      progress();
      if (page.events.length === 0) {
        await sleep(this.config.EVENT_STORE_POLL_MS, undefined, { signal }).catch(() => undefined);
        continue;
      }
      const jobs = planJobs(
        page.events,
        {
          debounceMs: this.config.DRIFT_DEBOUNCE_MS,
          escalateAfterMinutes: this.config.ALERT_ESCALATE_AFTER_MINUTES,
          maxAgeHours: this.config.ALERT_MAX_AGE_HOURS,
        },
        // Queue timing (debounce windows, escalation delays, the age limit) runs on real time, like recordedAt.
        Date.now(),
      );
      if (!(await this.enqueue(jobs, signal))) return;
      const last = page.events[page.events.length - 1].position;
      await this.save(after, last, page.events.length);
      after = last;
    }
  }

  /** Adds the jobs, trying again with capped backoff until Redis takes them or the process stops. */
  private async enqueue(jobs: Parameters<AlertQueues['add']>[0], signal: AbortSignal): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await raceAbort(this.queues.add(jobs), signal);
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        if (attempt === 1)
          this.logger.warn(
            `Cannot enqueue ${jobs.length} jobs yet (${(error as Error).message}); the checkpoint stays until Redis takes them`,
          );
        await sleep(Math.min(250 * 2 ** attempt, 5000), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Moves the checkpoint from `from` to `to`, unless another dispatcher moved it meanwhile. */
  private async save(from: Position | undefined, to: Position, count: number): Promise<void> {
    await this.models.batch(DISPATCHER_CHECKPOINT, async (tx) => {
      const lock = await tx.lockCheckpoint();
      if (lock === 'busy') return;
      if (
        lock.position !== undefined &&
        (from === undefined || comparePositions(lock.position, from) !== 0) &&
        comparePositions(lock.position, to) >= 0
      )
        return;
      await tx.commit(new Map(), to, count);
    });
  }
}

/** Waits for `work` unless the signal fires first (an add that waits for Redis must not hold up shutdown). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('stopping'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('stopping'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
