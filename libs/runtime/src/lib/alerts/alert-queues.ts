import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import type { AlertDoc, DeliveryKey } from '@planledger/application';
import { Queue, type DefaultJobOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { PLANLEDGER_CONFIG } from '../config.module';

/** Queue names; BullMQ keys them under QUEUE_PREFIX. */
export const CHECKS_QUEUE = 'checks';
export const DELIVERIES_QUEUE = 'deliveries';

export type CheckJob =
  | { name: 'check'; data: { goalId: string; projectId?: string } }
  | { name: 'checks'; data: { goals: { goalId: string; projectId?: string }[] } }
  | { name: 'scan'; data: Record<string, never> }
  | { name: 'escalate'; data: { alertId: string } };
export type DeliveryJob =
  | { name: 'fanout'; data: { alert: AlertDoc } }
  | { name: 'deliver'; data: { key: DeliveryKey; alert?: AlertDoc } }
  | { name: 'digest'; data: Record<string, never> }
  | { name: 'deliver-digest'; data: { key: DeliveryKey; alertIds: string[]; day: string } };

/** A job the dispatcher or a processor adds: its id is derived from what caused it, so adding it twice adds it once. */
export type PlannedJob =
  | { queue: typeof CHECKS_QUEUE; job: CheckJob; opts: JobsOptions & { jobId: string } }
  | { queue: typeof DELIVERIES_QUEUE; job: DeliveryJob; opts: JobsOptions & { jobId: string } };

/**
 * A Redis connection for BullMQ: commands wait through an outage (offline queue, no retry limit)
 * and the client reconnects with capped backoff, so a restarted Redis is picked up again.
 */
export function bullConnection(url: string, name: string): Redis {
  const logger = new Logger(`Redis(${name})`);
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
    connectionName: `planledger-${name}`,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn(`Redis unavailable at ${url}: ${error.message}; jobs wait until it is back`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.log(`Redis reachable again at ${url}`);
    down = false;
  });
  return redis;
}

/** Jobs kept after they finish: completed ones long enough that a re-added id is still recognised. */
export function defaultJobOptions(config: PlanLedgerConfig, queue: string): DefaultJobOptions {
  const kept = { removeOnComplete: { age: 24 * 3600, count: 50_000 }, removeOnFail: { age: 7 * 24 * 3600, count: 50_000 } };
  if (queue === DELIVERIES_QUEUE)
    return {
      ...kept,
      attempts: config.DELIVERY_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.DELIVERY_BACKOFF_MS, jitter: 0.5 },
    };
  return { ...kept, attempts: 5, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } };
}

/** The producer side of the queues (the dispatcher, the processors that add jobs, the API's metrics and board). */
@Injectable()
export class AlertQueues implements OnApplicationShutdown {
  readonly connection: Redis;
  readonly checks: Queue;
  readonly deliveries: Queue;

  constructor(@Inject(PLANLEDGER_CONFIG) readonly config: PlanLedgerConfig) {
    this.connection = bullConnection(config.REDIS_URL, 'queues');
    const options = (queue: string) => ({
      connection: this.connection,
      prefix: config.QUEUE_PREFIX,
      defaultJobOptions: defaultJobOptions(config, queue),
    });
    this.checks = new Queue(CHECKS_QUEUE, options(CHECKS_QUEUE));
    this.deliveries = new Queue(DELIVERIES_QUEUE, options(DELIVERIES_QUEUE));
    // Errors surface through the connection's own handler; without a listener Node would throw.
    this.checks.on('error', () => undefined);
    this.deliveries.on('error', () => undefined);
  }

  queue(name: string): Queue {
    return name === CHECKS_QUEUE ? this.checks : this.deliveries;
  }

  /** Adds jobs in one round trip per queue; jobs whose id exists already are left as they are. */
  async add(jobs: readonly PlannedJob[]): Promise<void> {
    for (const name of [CHECKS_QUEUE, DELIVERIES_QUEUE]) {
      const batch = jobs.filter((j) => j.queue === name);
      if (batch.length > 0) await this.queue(name).addBulk(batch.map(({ job, opts }) => ({ name: job.name, data: job.data, opts })));
    }
  }

  /** Waiting, delayed, active, completed and failed jobs per queue, for /metrics. */
  async counts(): Promise<Record<string, Record<string, number>>> {
    const [checks, deliveries] = await Promise.all([this.checks.getJobCounts(), this.deliveries.getJobCounts()]);
    return { [CHECKS_QUEUE]: checks, [DELIVERIES_QUEUE]: deliveries };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.checks.close(), this.deliveries.close()]);
    this.connection.disconnect(false);
  }
}
