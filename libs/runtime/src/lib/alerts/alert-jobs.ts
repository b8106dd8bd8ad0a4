import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  alertText,
  Alerts,
  alertsProjection,
  deliveryIdOf,
  digestText,
  goalProgressProjection,
  outboundPolicyOf,
  OutboundRefused,
  outgoing,
  Planning,
  taskBoardProjection,
  todayIn,
  type AlertDoc,
  type AlertView,
  type DeliveryKey,
  type RequestMetadata,
} from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import { dayIn, isOpen, toDayNumber, type GoalProgressDoc, type TaskCard } from '@planledger/domain';
import { projectionId, type ReadModelStore } from '@planledger/projections';
import { isUnavailable } from '@planledger/event-store';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { createTransport, type Transporter } from 'nodemailer';
import { v5 as uuidv5 } from 'uuid';
import { PLANLEDGER_CONFIG } from '../config.module';
import { READ_MODELS } from '../event-store.module';
import {
  AlertQueues,
  bullConnection,
  CHECKS_QUEUE,
  DELIVERIES_QUEUE,
  type CheckJob,
  type DeliveryJob,
  type PlannedJob,
} from './alert-queues';
import { ALERTS } from './alerts.tokens';
import { CLOCK, type Clock } from './clock';
import { OutboundClient } from './outbound-client';

export const WORKER_ACTOR = 'service:planledger-worker';
const DIGEST_NAMESPACE = '9a7e2b14-3c55-4b8e-9d61-0f2a4c6e8b13';
/** Checks run many at once; each is a short read and at most one append. */
const CHECK_CONCURRENCY = 16;
/** Goals one batched check job judges side by side. */
const GOALS_AT_ONCE = 8;
const DELIVERY_CONCURRENCY = 32;

/** A delivery refused for good (a refused destination, a redirect, 4xx but 408 and 429): retrying would not help. */
class Refused extends UnrecoverableError {}

/** Failures that trying again cannot mend. */
const PERMANENT = new Set(['scheme-refused', 'credentials-in-url', 'address-refused', 'redirect-refused', 'client-error', 'robot-refused']);

/**
 * The worker's jobs: drift checks (after new actuals, and the scheduled scan of every active goal
 * and open task), escalations, and deliveries (fan-out per subscription, one job per message,
 * retried with exponential backoff and jitter; the last failure is recorded as an event and shown
 * in the failed list). Workers close on SIGTERM after their running jobs, and reconnect on their
 * own when Redis comes back.
 */
/** How long, about, a job waits for an unavailable store before it runs again (jittered ±50%). */
const STORE_AWAY_RETRY_MS = 2000;

@Injectable()
export class AlertJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AlertJobs');
  private workers: Worker[] = [];
  private mailer: Transporter | undefined;
  private readonly outbound: OutboundClient;
  private readonly zones = new Map<string, { zone: string; at: number }>();

  constructor(
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
    @Inject(READ_MODELS) private readonly models: ReadModelStore,
    @Inject(ALERTS) private readonly alerts: Alerts,
    private readonly planning: Planning,
    private readonly queues: AlertQueues,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.outbound = new OutboundClient({
      policy: outboundPolicyOf(config),
      timeoutMs: config.DELIVERY_TIMEOUT_MS,
      maxResponseBytes: config.OUTBOUND_MAX_RESPONSE_BYTES,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const worker = (queue: string, concurrency: number, process: (job: Job) => Promise<unknown>) => {
      // A worker that dies mid-job holds its jobs until their lock runs out: keep that short (the
      // lock is renewed while a job runs), and look for such jobs often.
      const w = new Worker(queue, (job, token) => this.unlessStoreAway(job, token, process), {
        connection: bullConnection(this.config.REDIS_URL, `worker-${queue}`),
        prefix: this.config.QUEUE_PREFIX,
        concurrency,
        autorun: true,
        lockDuration: 10_000,
        stalledInterval: 5_000,
        // A job whose worker died is run again rather than failed, however often that happens:
        // checks are idempotent, and a delivery carries its Idempotency-Key.
        maxStalledCount: 100,
      });
      w.on('error', () => undefined);
      w.on('failed', (job, error) => {
        this.logger.warn(`${queue} job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${printable(error.message)}`);
      });
      return w;
    };
    this.workers = [
      worker(CHECKS_QUEUE, CHECK_CONCURRENCY, (job) => this.check(job as Job<CheckJob['data']>)),
      worker(DELIVERIES_QUEUE, DELIVERY_CONCURRENCY, (job) => this.deliver(job as Job<DeliveryJob['data']>)),
    ];
    // Time passing alone makes a goal drift: scan every active goal on a cadence, and send digests daily.
    void this.queues.checks
      .upsertJobScheduler('drift-scan', { every: this.config.DRIFT_SCAN_EVERY_MS }, { name: 'scan', data: {} })
      .catch((e: Error) => this.logger.warn(`Cannot schedule the drift scan yet: ${e.message}`));
    void this.queues.deliveries
      .upsertJobScheduler(
        'daily-digest',
        { pattern: this.config.DIGEST_CRON, tz: this.config.DIGEST_TIME_ZONE },
        { name: 'digest', data: {} },
      )
      .catch((e: Error) => this.logger.warn(`Cannot schedule the digest yet: ${e.message}`));
    this.logger.log(
      `Drift checks every ${this.config.DRIFT_SCAN_EVERY_MS} ms and after new actuals; digests at "${this.config.DIGEST_CRON}" ${this.config.DIGEST_TIME_ZONE}`,
    );
  }

  /**
   * Runs a job; when the store is away (not the job's fault), puts it back to wait for the store
   * without spending one of its attempts, so an outage longer than the retry budget loses no
   * delivery. The job's own failures (a receiver refusing, a bug) count as before.
   */
  private async unlessStoreAway(job: Job, token: string | undefined, process: (job: Job) => Promise<unknown>): Promise<unknown> {
    try {
      return await process(job);
    } catch (error) {
      if (!isUnavailable(error) || token === undefined) throw error;
      const waitMs = STORE_AWAY_RETRY_MS / 2 + Math.random() * STORE_AWAY_RETRY_MS;
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError(`the event store is unavailable; ${job.name} ${job.id} waits ${Math.round(waitMs)} ms for it`);
    }
  }

  /** Stops taking jobs and waits for the running ones (SIGTERM). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(
      this.workers.map(async (w) => {
        await w.close();
        await w.disconnect();
      }),
    );
    this.mailer?.close();
  }

  private meta(job: Job): RequestMetadata {
    return { actor: WORKER_ACTOR, now: this.clock.now().toISOString(), correlationId: `job-${job.id}` };
  }

  /** The project's time zone (cached a minute: a charter rarely changes it). */
  private async zone(projectId: string): Promise<string> {
    const hit = this.zones.get(projectId);
    let zone = hit && Date.now() - hit.at < 60_000 ? hit.zone : undefined;
    if (!zone) {
      zone = (await this.planning.project(projectId)).state.charter?.timeZone ?? 'UTC';
      this.zones.set(projectId, { zone, at: Date.now() });
    }
    return zone;
  }

  /** Today where the project works. */
  private async today(projectId: string): Promise<string> {
    return todayIn(await this.zone(projectId), this.clock.now());
  }

  private driftSettings() {
    return { trailingDays: this.config.DRIFT_TRAILING_DAYS, staleAfterDays: this.config.DRIFT_STALE_AFTER_DAYS };
  }

  private async check(job: Job<CheckJob['data']>): Promise<unknown> {
    switch (job.name as CheckJob['name']) {
      case 'check':
        return this.checkGoal(job, job.data as { goalId: string; projectId?: string });
      case 'checks': {
        // Every goal changed in one window: a few at a time; a failure fails the job, whose retry
        // checks them all again (a check that finds no change appends nothing).
        const { goals } = job.data as { goals: { goalId: string; projectId?: string }[] };
        const verdicts: unknown[] = [];
        for (let i = 0; i < goals.length; i += GOALS_AT_ONCE)
          verdicts.push(...(await Promise.all(goals.slice(i, i + GOALS_AT_ONCE).map((g) => this.checkGoal(job, g)))));
        return verdicts;
      }
      case 'scan':
        return this.scan(job);
      case 'escalate': {
        const { alertId } = job.data as { alertId: string };
        const alert = await this.alerts.alert(alertId);
        if (!alert) throw new Error(`alert ${alertId} is not in the alerts read model yet`);
        const result = await this.alerts.escalate(alert, this.config.ALERT_ESCALATE_AFTER_MINUTES, this.meta(job));
        return result.events.map((e) => e.type);
      }
    }
  }

  private async checkGoal(job: Job, { goalId, projectId: given }: { goalId: string; projectId?: string }): Promise<string[]> {
    const projectId = given ?? (await this.planning.goal(goalId)).state.projectId;
    if (!projectId) throw new UnrecoverableError(`goal ${goalId} does not exist`);
    return this.planning.checkDriftUpwards(goalId, await this.today(projectId), this.meta(job), this.driftSettings());
  }

  /** Every active goal gets a check; every open task is looked at for a reminder. */
  private async scan(job: Job): Promise<{ goals: number; reminders: number }> {
    const goals = [...(await this.models.all(projectionId(goalProgressProjection))).values()] as unknown as GoalProgressDoc[];
    const active = goals.filter((g) => g.status === 'active');
    const stamp = job.timestamp ?? this.clock.now().getTime();
    await this.queues.add(
      active.map((g): PlannedJob => ({
        queue: CHECKS_QUEUE,
        job: { name: 'check', data: { goalId: g.goalId, projectId: g.projectId } },
        opts: { jobId: `check.${g.goalId}.scan${stamp}`, removeOnComplete: true },
      })),
    );

    let reminders = 0;
    const cards = [...(await this.models.all(projectionId(taskBoardProjection))).values()] as unknown as TaskCard[];
    const running = new Map<string, boolean>();
    for (const card of cards.filter(isOpen)) {
      // Tasks of a closed project remind nobody.
      if (!running.has(card.projectId)) running.set(card.projectId, (await this.planning.project(card.projectId)).state.status === 'open');
      if (!running.get(card.projectId)) continue;
      const today = await this.today(card.projectId);
      const untilDue = toDayNumber(card.dueDate) - toDayNumber(today);
      const base = {
        taskId: card.taskId,
        projectId: card.projectId,
        asOf: today,
        title: card.title,
        dueDate: card.dueDate,
        ...(card.assigneeId ? { assigneeId: card.assigneeId } : {}),
      };
      const raise = async (kind: 'due_soon' | 'overdue' | 'blocked_too_long', key: string, days: number) => {
        const result = await this.alerts.raiseReminder({ ...base, kind, key, days }, this.meta(job));
        reminders += result.events.length;
      };
      if (untilDue < 0) await raise('overdue', card.dueDate, -untilDue);
      else if (untilDue <= this.config.REMINDER_DUE_WITHIN_DAYS) await raise('due_soon', card.dueDate, untilDue);
      if (card.status === 'blocked' && card.blockedSince) {
        const since = dayIn(card.blockedSince, await this.zone(card.projectId));
        const days = toDayNumber(today) - toDayNumber(since);
        if (days > this.config.REMINDER_BLOCKED_DAYS) await raise('blocked_too_long', card.blockedSince, days);
      }
    }
    return { goals: active.length, reminders };
  }

  private async deliver(job: Job<DeliveryJob['data']>): Promise<unknown> {
    switch (job.name as DeliveryJob['name']) {
      case 'fanout':
        return this.fanout(job.data as { alert: AlertDoc });
      case 'deliver':
        return this.send(job, job.data as { key: DeliveryKey; alert?: AlertDoc });
      case 'digest':
        return this.digest();
      case 'deliver-digest':
        return this.sendDigest(job, job.data as { key: DeliveryKey; alertIds: string[]; day: string });
    }
  }

  /** One delivery job per immediate subscription of the alert's project. */
  private async fanout({ alert }: { alert: AlertDoc }): Promise<number> {
    const escalation = alert.type === 'AlertEscalated';
    const targets = (await this.alerts.destinations(alert.projectId)).filter(
      (s) => s.mode === 'immediate' && (!escalation || s.escalations),
    );
    await this.queues.add(
      targets.map((s): PlannedJob => {
        const key = {
          deliveryId: deliveryIdOf(alert.alertId, s.subscriptionId),
          alertId: alert.alertId,
          projectId: alert.projectId,
          subscriptionId: s.subscriptionId,
        };
        return { queue: DELIVERIES_QUEUE, job: { name: 'deliver', data: { key, alert } }, opts: { jobId: `deliver.${key.deliveryId}.0` } };
      }),
    );
    return targets.length;
  }

  /** The alert's document (from the job, else the read model) as messages show it. */
  private async viewOf(alertId: string, given?: AlertDoc): Promise<AlertView> {
    const doc = given ?? (await this.alerts.alert(alertId));
    if (!doc) throw new Error(`alert ${alertId} is not in the alerts read model yet`);
    if (doc.type === 'AlertEscalated') {
      // An escalation reads as the alert it escalates.
      const original = await this.alerts.alert(String(doc.data['alertId']));
      const view = await this.alerts.view(original ?? doc);
      return { ...view, alertId: doc.alertId, type: 'AlertEscalated', data: doc.data };
    }
    return this.alerts.view(doc);
  }

  private async send(job: Job, { key, alert }: { key: DeliveryKey; alert?: AlertDoc }): Promise<string> {
    const view = await this.viewOf(key.alertId, alert);
    const payload = {
      id: view.alertId,
      type: view.type,
      projectId: view.projectId,
      goalId: view.goalId ?? null,
      taskId: view.taskId ?? null,
      subject: view.subject,
      raisedAt: view.raisedAt,
      data: view.data,
    };
    return this.transmit(job, key, (language) => alertText(view, language), payload);
  }

  /** Sends one message to one subscription; records the outcome as an event (success, or the last failure). */
  private async transmit(
    job: Job,
    key: DeliveryKey,
    textIn: (language: 'en' | 'zh') => { title: string; body: string },
    payload: Record<string, unknown>,
  ): Promise<string> {
    const subscription = (await this.alerts.destinations(key.projectId)).find((s) => s.subscriptionId === key.subscriptionId);
    const attempts = job.attemptsMade + 1;
    const last = attempts >= (job.opts.attempts ?? 1);
    if (!subscription) {
      await this.alerts.recordFailed(
        key,
        attempts,
        { error: 'the subscription was removed before the alert was sent', category: 'subscription-removed' },
        this.meta(job),
      );
      return 'subscription removed';
    }
    try {
      const message = outgoing(
        subscription.channel,
        subscription.target,
        textIn(subscription.language),
        payload,
        key.alertId,
        this.clock.now(),
      );
      if (message.kind === 'email') {
        await this.mail().sendMail({
          from: this.config.SMTP_FROM,
          to: message.to,
          subject: message.subject,
          text: message.text,
          headers: { 'Idempotency-Key': key.alertId },
        });
      } else {
        const answer = await this.outbound.post(message.url, message.headers, message.body);
        // Chat robots answer 200 with an error code in the body (DingTalk errcode, Feishu code): only the number is kept.
        const robotError = robotRefusal(answer.body);
        if (robotError !== undefined)
          throw new OutboundRefused(
            'robot-refused',
            `${subscription.channel} refused the message with error code ${robotError}`,
            answer.status,
          );
      }
      await this.alerts.recordDelivered(key, attempts, this.meta(job));
      return 'delivered';
    } catch (error) {
      if (isUnavailable(error)) throw error;
      const failure = failureOf(error);
      if (last || failure.permanent) await this.alerts.recordFailed(key, attempts, failure, this.meta(job));
      if (failure.permanent && !(error instanceof UnrecoverableError)) throw new Refused(failure.error);
      throw error instanceof OutboundRefused ? new Error(failure.error) : error;
    }
  }

  private mail(): Transporter {
    if (!this.config.SMTP_URL) throw new Refused('SMTP_URL is not configured: e-mail alerts cannot be sent');
    // The mail server is reached through the same address rule as every receiver.
    this.mailer ??= createTransport({
      url: this.config.SMTP_URL,
      getSocket: (
        options: { host?: string; port?: number; secure?: boolean },
        callback: (error: Error | null, socket?: unknown) => void,
      ) => {
        const port = Number(options.port) || (options.secure ? 465 : 587);
        this.outbound.socket(options.host ?? 'localhost', port).then(
          (connection) => callback(null, { connection }),
          (error: Error) => callback(error),
        );
      },
    } as Parameters<typeof createTransport>[0]);
    return this.mailer;
  }

  /** Once a day: each digest subscription gets the last day's alerts of its project in one message. */
  private async digest(): Promise<number> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - 86_400_000).toISOString();
    const day = todayIn(this.config.DIGEST_TIME_ZONE, now);
    const recent = ([...(await this.models.all(projectionId(alertsProjection))).values()] as unknown as AlertDoc[]).filter(
      (a) => a.raisedAt >= since,
    );
    const jobs: PlannedJob[] = [];
    for (const projectId of new Set(recent.map((a) => a.projectId))) {
      const alertIds = recent.filter((a) => a.projectId === projectId).map((a) => a.alertId);
      for (const s of (await this.alerts.destinations(projectId)).filter((d) => d.mode === 'digest')) {
        const deliveryId = uuidv5(`${s.subscriptionId}\n${day}`, DIGEST_NAMESPACE);
        const key = { deliveryId, alertId: alertIds[0], projectId, subscriptionId: s.subscriptionId };
        jobs.push({
          queue: DELIVERIES_QUEUE,
          job: { name: 'deliver-digest', data: { key, alertIds, day } },
          opts: { jobId: `digest.${deliveryId}` },
        });
      }
    }
    await this.queues.add(jobs);
    return jobs.length;
  }

  private async sendDigest(job: Job, { key, alertIds, day }: { key: DeliveryKey; alertIds: string[]; day: string }): Promise<string> {
    const views = await Promise.all(alertIds.map((id) => this.viewOf(id)));
    return this.transmit(job, key, (language) => digestText(views, day, language), {
      type: 'AlertDigest',
      projectId: key.projectId,
      day,
      alerts: views,
    });
  }
}

/** What a failed delivery records: our own words, its category and the receiver's status. */
function failureOf(error: unknown): { error: string; category?: string; statusCode?: number; permanent: boolean } {
  if (error instanceof OutboundRefused) {
    const retryable = error.status === 408 || error.status === 429;
    return {
      error: error.message,
      category: error.category,
      ...(error.status ? { statusCode: error.status } : {}),
      permanent: PERMANENT.has(error.category) && !retryable,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: message, permanent: error instanceof UnrecoverableError };
}

/** DingTalk, WeCom and Feishu answer HTTP 200 with a non-zero code when they refuse a message: that code. */
function robotRefusal(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { errcode?: number; code?: number };
    if (typeof parsed.errcode === 'number' && parsed.errcode !== 0) return parsed.errcode;
    if (typeof parsed.code === 'number' && parsed.code !== 0) return parsed.code;
  } catch {
    // Not JSON: a webhook receiver's own answer.
  }
  return undefined;
}

/** A message as one printable line: control characters (newlines, colour codes) as spaces, at most 500 characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 500);
}
