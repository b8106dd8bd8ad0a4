import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { Alerts, Planning, SecretBox, verifyWebhookSignature, type RequestMetadata } from '@planledger/application';
import { loadConfig, parseOutboundAllow, type OutboundAllowEntry, type PlanLedgerConfig } from '@planledger/config';
import type { GoalDefinition, ProjectCharter } from '@planledger/contracts';
import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import { ConfigModule } from '../config.module';
import { EventStoreModule, READ_MODELS } from '../event-store.module';
import { WorkerLoopsModule } from '../worker-loops.module';
import { AlertQueues } from './alert-queues';
import { ALERTS } from './alerts.tokens';
import type { Clock } from './clock';

/**
 * The alert pipeline in one process against the machine's real Redis (a queue prefix of its own per
 * test) and PGlite: dispatcher → drift check → alert event → fan-out → delivery to local receivers.
 */

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

class Receiver {
  readonly received: Received[] = [];
  /** Answers the next N requests with this status. */
  failNext = 0;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(503).end('busy');
          return;
        }
        this.received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"code":0}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Plain http and this receiver's own address and port on the allow-list (loopback is refused otherwise). */
  get allowed(): Record<string, string> {
    return { OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW: new URL(this.url).host };
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path.startsWith(path));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class FakeClock implements Clock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
  advanceDays(days: number): void {
    this.ms += days * 86_400_000;
  }
}

const DAY = 86_400_000;
/** 2026-11-27 noon in Shanghai, the sample project's zone. */
const START = Date.parse('2026-11-27T04:00:00Z');
const charter: ProjectCharter = { ...sampleCharter, description: '' };
/** About 100 a day from 1 November: expected to date on 27 November is about 2,700. */
const goal: GoalDefinition = {
  ...sampleRevenueGoal,
  baseline: 0,
  target: 6100,
  startDate: '2026-11-01',
  deadline: '2026-12-31',
  phasing: { kind: 'linear' },
  owner: { kind: 'member', memberId: 'rep-1' },
};

function receiverAllowList(receiver: Receiver): OutboundAllowEntry[] {
  const entries = parseOutboundAllow(new URL(receiver.url).host);
  if ('error' in entries) throw new Error(entries.error);
  return entries;
}

interface Harness {
  app: INestApplicationContext;
  planning: Planning;
  alerts: Alerts;
  store: EventStore;
  queues: AlertQueues;
  config: PlanLedgerConfig;
  meta: () => RequestMetadata;
  close(): Promise<void>;
}

async function start(clock: FakeClock, env: Record<string, string> = {}): Promise<Harness> {
  const config = loadConfig({
    EVENT_STORE_URL: 'pglite:memory',
    QUEUE_PREFIX: `pltest-${randomUUID().slice(0, 8)}`,
    NOTIFY_SECRET_KEY: 'integration-test-key-0123456789abcdef',
    DRIFT_DEBOUNCE_MS: '50',
    ALERT_ESCALATE_AFTER_MINUTES: '0',
    DELIVERY_BACKOFF_MS: '50',
    DELIVERY_ATTEMPTS: '3',
    EVENT_STORE_POLL_MS: '20',
    LOG_LEVEL: 'error',
    ...env,
  });
  @Module({})
  class TestWorkerModule {
    static forRoot(): DynamicModule {
      return {
        module: TestWorkerModule,
        imports: [ConfigModule.forRoot(config), EventStoreModule, WorkerLoopsModule.forRoot(config, { clock })],
      };
    }
  }
  const app = await NestFactory.createApplicationContext(TestWorkerModule.forRoot(), { logger: ['error'] });
  await app.init();
  const planning = app.get(Planning);
  const queues = app.get(AlertQueues);
  return {
    app,
    planning,
    alerts: app.get<Alerts>(ALERTS),
    store: app.get<EventStore>(EVENT_STORE),
    queues,
    config,
    meta: () => ({ actor: 'user:li.na', now: clock.now().toISOString(), correlationId: randomUUID() }),
    close: async () => {
      await Promise.all([queues.checks.obliterate({ force: true }), queues.deliveries.obliterate({ force: true })]).catch(() => undefined);
      await app.close();
    },
  };
}

async function plan(h: Harness, goalDefinition: GoalDefinition = goal): Promise<void> {
  await h.planning.openProject('p1', charter, h.meta());
  for (const [memberId, reportsTo] of [
    ['director-1', undefined],
    ['lead-1', 'director-1'],
    ['rep-1', 'lead-1'],
  ] as const) {
    await h.planning.changeTeam(
      'p1',
      {
        type: 'JoinMember',
        data: {
          memberId,
          name: memberId,
          role: 'Sales',
          responsibilities: [],
          skills: [],
          weeklyCapacityHours: 40,
          ...(reportsTo ? { reportsTo } : {}),
        },
      },
      h.meta(),
    );
  }
  await h.planning.setGoal('p1', 'g1', goalDefinition, h.meta());
}

const record = (h: Harness, value: number, businessDate: string) =>
  h.planning.changeGoal(
    'g1',
    { type: 'RecordActual', data: { actualId: randomUUID(), value, businessDate, source: 'crm' } } as never,
    h.meta(),
  );

async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const driftEvents = async (h: Harness) =>
  (await h.store.readStream('drift-g1')).filter((e) => ['KpiDriftDetected', 'KpiBackOnTrack', 'GoalWentStale'].includes(e.type));

/** Waits until both queues have nothing waiting, delayed or running (the schedulers' next runs aside). */
async function settled(h: Harness): Promise<void> {
  await eventually(async () => {
    for (const queue of [h.queues.checks, h.queues.deliveries]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return undefined;
      const delayed = await queue.getDelayed();
      if (delayed.some((job) => !String(job.id).startsWith('repeat:'))) return undefined;
    }
    return true;
  }, 'the queues to drain');
}

describe('alerts against real Redis', () => {
  jest.setTimeout(60_000);
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await new Receiver().start();
  });
  afterEach(() => receiver.stop());

  it('sends exactly one signed webhook per drift state change, on every channel, and nothing while the state holds', async () => {
    const mail: { to: string; body: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let body = '';
        stream.on('data', (c: Buffer) => (body += c.toString('utf8')));
        stream.on('end', () => {
          mail.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const h = await start(new FakeClock(START), {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      OUTBOUND_ALLOW_HTTP: 'true',
      OUTBOUND_ALLOW: `${new URL(receiver.url).host},127.0.0.1:${smtpPort}`,
    });
    try {
      await plan(h);
      const { secret } = await h.alerts.addSubscription(
        'p1',
        { channel: 'webhook', url: `${receiver.url}/hook`, language: 'en', mode: 'immediate', escalations: true },
        h.meta(),
      );
      await h.alerts.addSubscription(
        'p1',
        {
          channel: 'dingtalk',
          url: `${receiver.url}/ding?access_token=t`,
          secret: 'SECding',
          language: 'zh',
          mode: 'immediate',
          escalations: true,
        },
        h.meta(),
      );
      await h.alerts.addSubscription(
        'p1',
        { channel: 'feishu', url: `${receiver.url}/feishu`, secret: 'fs-secret', language: 'zh', mode: 'immediate', escalations: true },
        h.meta(),
      );
      await h.alerts.addSubscription(
        'p1',
        { channel: 'email', to: 'li.na@example.com', language: 'en', mode: 'immediate', escalations: true },
        h.meta(),
      );
      expect(secret).toMatch(/^whsec_/);

      // 100 against about 2,700 expected: off track.
      await record(h, 100, '2026-11-26');
      await eventually(() => receiver.at('/hook').length === 1 || undefined, 'the first webhook');
      // More small actuals keep it off track: no new state, no new message.
      await record(h, 50, '2026-11-26');
      await record(h, 50, '2026-11-27');
      await sleep(300);
      await settled(h);
      expect(receiver.at('/hook')).toHaveLength(1);
      // Back to about plan: one more state change.
      await record(h, 2600, '2026-11-27');
      await eventually(() => receiver.at('/hook').length === 2 || undefined, 'the second webhook');
      await settled(h);
      await eventually(
        () => (mail.length === 2 && receiver.at('/feishu').length === 2 && receiver.at('/ding').length === 2) || undefined,
        'every channel',
      );

      const changes = await driftEvents(h);
      expect(changes.map((e) => e.type)).toEqual(['KpiDriftDetected', 'KpiBackOnTrack']);
      const hooks = receiver.at('/hook');
      expect(hooks.map((r) => r.headers['idempotency-key'])).toEqual(changes.map((e) => e.eventId));
      for (const hook of hooks) {
        expect(verifyWebhookSignature(secret as string, hook.body, hook.headers['x-planledger-signature'] as string)).toBe(true);
        expect(hook.headers['x-planledger-signature']).toBe(
          `sha256=${createHmac('sha256', secret as string)
            .update(hook.body)
            .digest('hex')}`,
        );
      }
      expect(JSON.parse(hooks[0].body)).toMatchObject({
        id: changes[0].eventId,
        type: 'KpiDriftDetected',
        goalId: 'g1',
        subject: 'East region revenue',
        data: { to: 'off_track' },
      });

      // DingTalk: signed in the query; Feishu: signed in the body; both in Chinese.
      const ding = new URL(`http://x${receiver.at('/ding')[0].path}`);
      const timestamp = ding.searchParams.get('timestamp') as string;
      expect(ding.searchParams.get('sign')).toBe(createHmac('sha256', 'SECding').update(`${timestamp}\nSECding`).digest('base64'));
      expect(JSON.parse(receiver.at('/ding')[0].body).text.content).toContain('已偏离计划');
      const feishu = JSON.parse(receiver.at('/feishu')[0].body);
      expect(feishu.sign).toBe(createHmac('sha256', `${feishu.timestamp}\nfs-secret`).update('').digest('base64'));
      expect(mail.map((m) => m.to)).toEqual(['li.na@example.com', 'li.na@example.com']);
      expect(mail[0].body).toContain(`Idempotency-Key: ${changes[0].eventId}`);
      expect(mail[0].body).toContain('_is_off_track?=');
      // Quoted-printable: CN¥ is CN=C2=A5 in the raw message.
      expect(mail[0].body).toContain('expected CN=C2=A52,700, actual CN=C2=A5100;');

      // Every delivery is recorded as delivered.
      await eventually(
        async () => ((await h.alerts.deliveries('p1', 'delivered')).length === 8 ? true : undefined),
        'eight delivered records',
      );
      expect(await h.alerts.deliveries('p1', 'failed')).toEqual([]);
    } finally {
      await h.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('flags a goal that falls behind as days pass with no new actuals, when the scheduled scan runs on the moved clock', async () => {
    const clock = new FakeClock(START);
    const h = await start(clock, { DRIFT_SCAN_EVERY_MS: '1000', DRIFT_STALE_AFTER_DAYS: '30' });
    try {
      await plan(h);
      await record(h, 2700, '2026-11-27');
      await settled(h);
      await sleep(1500);
      expect(await driftEvents(h)).toEqual([]);
      // Ten days on, nothing new recorded: expected about 3,700, actual 2,700.
      clock.advanceDays(10);
      const [flagged] = await eventually(async () => {
        const changes = await driftEvents(h);
        return changes.length > 0 ? changes : undefined;
      }, 'the scan to flag the goal');
      expect(flagged.type).toBe('KpiDriftDetected');
      expect(flagged.data).toMatchObject({ from: 'on_track', asOf: '2026-12-07' });
      // Later scans on the same day find the same state and append nothing.
      await sleep(2500);
      expect(await driftEvents(h)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('raises each task reminder once on the scan: due soon, overdue as days pass, blocked too long', async () => {
    const clock = new FakeClock(START);
    const h = await start(clock, { DRIFT_SCAN_EVERY_MS: '1000', REMINDER_DUE_WITHIN_DAYS: '2', REMINDER_BLOCKED_DAYS: '3' });
    try {
      await plan(h);
      const task = (taskId: string, dueDate: string) =>
        h.planning.planTask('p1', taskId, { title: `Task ${taskId}`, description: '', dueDate, assigneeId: 'rep-1' }, h.meta());
      await task('t-soon', '2026-11-28');
      await task('t-later', '2026-12-20');
      await task('t-blocked', '2026-12-20');
      await h.planning.changeTask('t-blocked', { type: 'BlockTask', data: { reason: 'waiting for legal review' } } as never, h.meta());
      const reminders = async () =>
        (await h.store.readAll({ types: ['TaskReminderRaised'], limit: 100 })).events
          .map((e) => `${e.data['taskId']}:${e.data['kind']}:${e.data['days']}`)
          .sort();
      await eventually(async () => ((await reminders()).length === 1 ? true : undefined), 'the due-soon reminder');
      expect(await reminders()).toEqual(['t-soon:due_soon:1']);
      // Days on (five, or more when this runs later than the clock's start, since a block is dated
      // by the real time it was recorded): t-soon is overdue, t-blocked has been blocked too long.
      clock.ms = Math.max(START, Date.now()) + 5 * DAY;
      // Days are counted where the project works: its "today", and the day the block was recorded there.
      const dayInProject = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: charter.timeZone }).format(at);
      const today = dayInProject(clock.now());
      const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);
      const blockedAt = (await h.store.readStream('task-t-blocked')).find((e) => e.type === 'TaskBlocked')?.recordedAt as string;
      const blockedOn = dayInProject(new Date(blockedAt));
      await eventually(async () => ((await reminders()).length === 3 ? true : undefined), 'the next reminders');
      await sleep(2500);
      expect(await reminders()).toEqual(
        [
          `t-blocked:blocked_too_long:${daysBetween(blockedOn, today)}`,
          't-soon:due_soon:1',
          `t-soon:overdue:${daysBetween('2026-11-28', today)}`,
        ].sort(),
      );
    } finally {
      await h.close();
    }
  });

  it('sends a digest subscription one message with the day’s alerts instead of one per alert', async () => {
    const h = await start(new FakeClock(START), { DIGEST_CRON: '*/2 * * * * *', ...receiver.allowed });
    try {
      await plan(h);
      await h.planning.setGoal('p1', 'g2', { ...goal, title: 'Second goal' }, h.meta());
      await h.alerts.addSubscription(
        'p1',
        { channel: 'slack', url: `${receiver.url}/digest`, language: 'en', mode: 'digest', escalations: true },
        h.meta(),
      );
      await record(h, 100, '2026-11-26');
      await record(h, 100, '2026-11-27').then(() =>
        h.planning.changeGoal(
          'g2',
          { type: 'RecordActual', data: { actualId: 'x', value: 10, businessDate: '2026-11-27', source: 'crm' } } as never,
          h.meta(),
        ),
      );
      await eventually(
        async () => ((await driftEvents(h)).length > 0 && receiver.at('/digest').length > 0 ? true : undefined),
        'the digest',
      );
      await sleep(4500);
      // One digest a day per subscription, however often the schedule fires.
      expect(receiver.at('/digest')).toHaveLength(1);
      const text = JSON.parse(receiver.at('/digest')[0].body).text as string;
      expect(text).toMatch(/^\*\[PlanLedger\] Alert digest for 2026-11-27 \(\d+\)\*/);
      expect(text).toContain('• Goal "East region revenue" is off track');
    } finally {
      await h.close();
    }
  });

  it('appends one alert event when many checks of the same goal run at once', async () => {
    const h = await start(new FakeClock(START), { DRIFT_DEBOUNCE_MS: '600000', ...receiver.allowed });
    try {
      await plan(h);
      await record(h, 100, '2026-11-26');
      // The debounced check waits ten minutes; twenty checks added by hand run now, side by side.
      await h.queues.add(
        Array.from({ length: 20 }, (_, i) => ({
          queue: 'checks' as const,
          job: { name: 'check' as const, data: { goalId: 'g1' } },
          opts: { jobId: `manual.${i}` },
        })),
      );
      await eventually(
        async () => ((await h.queues.checks.getJobCounts('completed'))['completed'] >= 20 ? true : undefined),
        'twenty checks',
      );
      expect((await driftEvents(h)).map((e) => e.type)).toEqual(['KpiDriftDetected']);
    } finally {
      await h.close();
    }
  });

  it('retries a failing receiver with backoff, lists the delivery as failed after the last attempt, and delivers it once retried', async () => {
    const h = await start(new FakeClock(START), receiver.allowed);
    try {
      await plan(h);
      await h.alerts.addSubscription(
        'p1',
        { channel: 'slack', url: `${receiver.url}/slack`, language: 'en', mode: 'immediate', escalations: true },
        h.meta(),
      );
      receiver.failNext = 3;
      await record(h, 100, '2026-11-26');
      const [failed] = await eventually(async () => {
        const list = await h.alerts.deliveries('p1', 'failed');
        return list.length > 0 ? list : undefined;
      }, 'a failed delivery');
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: expect.stringContaining('HTTP 503'),
        category: 'server-error',
        statusCode: 503,
      });
      // The receiver's answer and its URL stay out of the record.
      expect(JSON.stringify(failed)).not.toMatch(/busy|127\.0\.0\.1|\/slack/);
      expect(receiver.at('/slack')).toEqual([]);

      await h.alerts.requestRetry('p1', failed.deliveryId, 'receiver is back', h.meta());
      await eventually(() => receiver.at('/slack').length === 1 || undefined, 'the retried delivery');
      expect(JSON.parse(receiver.at('/slack')[0].body).text).toContain('is off track');
      await eventually(
        async () => ((await h.alerts.deliveries('p1', 'delivered')).length === 1 ? true : undefined),
        'the delivered record',
      );
      await expect(h.alerts.requestRetry('p1', failed.deliveryId, 'again', h.meta())).rejects.toMatchObject({
        code: 'DELIVERY_NOT_FAILED',
      });
    } finally {
      await h.close();
    }
  });

  it('refuses the same loopback receiver without the allow-list: at subscription, and at delivery for a subscription made under another setting', async () => {
    const h = await start(new FakeClock(START), { OUTBOUND_ALLOW_HTTP: 'true' });
    try {
      await plan(h);
      const body = { channel: 'webhook', url: `${receiver.url}/hook`, language: 'en', mode: 'immediate', escalations: true } as const;
      await expect(h.alerts.addSubscription('p1', body, h.meta())).rejects.toMatchObject({ category: 'address-refused' });
      // A subscription recorded while the allow-list still named this receiver.
      const earlier = new Alerts(h.store, h.app.get(READ_MODELS), h.planning, new SecretBox(h.config.NOTIFY_SECRET_KEY as string), {
        allowHttp: true,
        allow: receiverAllowList(receiver),
      });
      await earlier.addSubscription('p1', body, h.meta());
      await record(h, 100, '2026-11-26');
      const [failed] = await eventually(async () => {
        const list = await h.alerts.deliveries('p1', 'failed');
        return list.length > 0 ? list : undefined;
      }, 'the refused delivery');
      // Refused for good on the first attempt, before any connection.
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, category: 'address-refused' });
      expect(JSON.stringify(failed)).not.toContain(receiver.url);
      expect(receiver.received).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('escalates an unacknowledged alert once to the manager of the manager, and not an acknowledged one', async () => {
    const h = await start(new FakeClock(START), { ALERT_ESCALATE_AFTER_MINUTES: '1', ...receiver.allowed });
    try {
      await plan(h);
      await h.alerts.addSubscription(
        'p1',
        { channel: 'webhook', url: `${receiver.url}/hook`, language: 'en', mode: 'immediate', escalations: true },
        h.meta(),
      );
      await record(h, 100, '2026-11-26');
      const [drift] = await eventually(async () => {
        const changes = await driftEvents(h);
        return changes.length > 0 ? changes : undefined;
      }, 'the drift alert');
      await eventually(() => h.alerts.alert(drift.eventId), 'the alert in the read model');
      // The escalation job is due in a minute; run it now, twice.
      await h.queues.add(
        [0, 1].map((i) => ({
          queue: 'checks' as const,
          job: { name: 'escalate' as const, data: { alertId: drift.eventId } },
          opts: { jobId: `escalate-now.${i}` },
        })),
      );
      await eventually(() => receiver.at('/hook').length === 2 || undefined, 'the escalation webhook');
      const record2 = (await h.store.readStream(`alert-${drift.eventId}`)).map((e) => ({ type: e.type, to: e.data['to'] }));
      expect(record2).toEqual([{ type: 'AlertEscalated', to: ['director-1'] }]);
      const escalation = JSON.parse(receiver.at('/hook')[1].body);
      expect(escalation).toMatchObject({
        type: 'AlertEscalated',
        subject: 'East region revenue',
        data: { alertId: drift.eventId, to: ['director-1'] },
      });
      expect(escalation.text.title).toContain('not acknowledged within 1 minutes');
      await expect(h.alerts.acknowledge(drift.eventId, 'on it', h.meta())).resolves.toMatchObject({
        events: [{ type: 'AlertAcknowledged' }],
      });
      await expect(h.alerts.acknowledge(drift.eventId, 'again', h.meta())).rejects.toMatchObject({ code: 'ALERT_ALREADY_ACKNOWLEDGED' });
    } finally {
      await h.close();
    }
  });
});
