import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { eventually, Receiver } from './support/receiver';
import { OwnRedis } from './support/redis-server';
import { SecuredApi } from './support/secured-api';
import type { ServiceProcess } from './support/service-process';
import { tokenFor } from './support/tokens';

jest.setTimeout(240_000);

/**
 * The alert pipeline when parts fail: Redis stopped for 30 seconds while actuals keep arriving, and
 * the worker killed in the middle of its checks. The built API and worker on PostgreSQL.
 */
const day = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: sampleCharter.timeZone }).format(new Date(Date.now() + days * 86_400_000));
const ALERT_TYPES = `('GoalWentStale', 'KpiDriftDetected', 'KpiBackOnTrack')`;

async function setUp(api: SecuredApi, receiver: Receiver, goals: number) {
  const admin = `Bearer ${await tokenFor('admin')}`;
  const ok = async (method: string, path: string, body?: unknown) => {
    const answer = await api.call(admin, method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const projectId = (await ok('POST', '/projects', { ...sampleCharter, periodStart: day(-30), periodEnd: day(60) }))['id'] as string;
  await ok('POST', `/projects/${projectId}/alert-subscriptions`, { channel: 'webhook', url: `${receiver.url}/hook` });
  // Set a month after their start, with 1,000 of 3,000,000 recorded today: each goes off track at once.
  const goal = { ...sampleRevenueGoal, startDate: day(-30), deadline: day(60), phasing: { kind: 'linear' } };
  const goalIds: string[] = [];
  const setGoal = async () => {
    const goalId = (await ok('POST', `/projects/${projectId}/goals`, goal))['id'] as string;
    await ok('POST', `/goals/${goalId}/actuals`, { value: 1000, businessDate: day(0), source: 'CRM' });
    goalIds.push(goalId);
  };
  return { ok, projectId, goalIds, setGoal, goals };
}

/** Every alert event in the log, and how often each reached the receiver. */
async function deliveredOnce(api: SecuredApi, receiver: Receiver): Promise<{ alerts: string[]; keys: Map<string, number> }> {
  const alerts = (await api.query<{ id: string }>(`SELECT event_id::text AS id FROM pl_events WHERE type IN ${ALERT_TYPES}`)).map(
    (r) => r.id,
  );
  return { alerts, keys: receiver.keys() };
}

describe('with Redis stopped for 30 seconds while actuals keep arriving', () => {
  let redis: OwnRedis;
  let api: SecuredApi;
  let worker: ServiceProcess;
  let receiver: Receiver;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    receiver = await new Receiver().start();
    api = await SecuredApi.start({
      REDIS_URL: redis.url,
      NOTIFY_SECRET_KEY: 'resilience-notify-key-0123456789abcdef',
      DRIFT_DEBOUNCE_MS: '50',
      ALERT_ESCALATE_AFTER_MINUTES: '0',
      DELIVERY_BACKOFF_MS: '200',
      ...receiver.allowed,
    });
    worker = api.startWorker();
    await worker.waitFor(/PlanLedger worker started/);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await receiver?.stop();
    await redis?.stop();
  });

  it('delivers every alert due in the window once Redis is back, exactly once, losing nothing', async () => {
    const { setGoal, goalIds, ok } = await setUp(api, receiver, 10);
    for (let i = 0; i < 10; i++) await setGoal();
    await eventually(() => receiver.received.length === 10 || undefined, 'ten drift alerts before the outage');

    await redis.down();
    const outageStarted = Date.now();
    // Commands still succeed: the events are durable, and the API never needs Redis to accept them.
    let recorded = 0;
    while (Date.now() - outageStarted < 30_000) {
      const goalId = goalIds[recorded % goalIds.length];
      // The first actual of each goal in the outage catches its pace up (back on track); the rest keep it there.
      await ok('POST', `/goals/${goalId}/actuals`, {
        value: recorded < goalIds.length ? 1_200_000 : 1000,
        businessDate: day(0),
        source: 'CRM',
      });
      recorded++;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(recorded).toBeGreaterThanOrEqual(50);
    // Each goal went from off track back on track in the window; nothing could be sent yet.
    const during = await deliveredOnce(api, receiver);
    expect(receiver.received).toHaveLength(10);

    await redis.up();
    await eventually(() => receiver.received.length >= 20 || undefined, 'the alerts of the outage', 60_000);
    // Let any duplicate show up before counting.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await deliveredOnce(api, receiver);
    expect(after.alerts).toHaveLength(20);
    expect(during.alerts.length).toBeLessThanOrEqual(20);
    expect([...after.keys.keys()].sort()).toEqual([...after.alerts].sort());
    expect([...after.keys.values()].every((n) => n === 1)).toBe(true);
    expect(receiver.received).toHaveLength(20);
  });
});

describe('with the worker killed in the middle of its checks', () => {
  let api: SecuredApi;
  let receiver: Receiver;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    receiver = await new Receiver().start();
    api = await SecuredApi.start({
      NOTIFY_SECRET_KEY: 'resilience-notify-key-0123456789abcdef',
      DRIFT_DEBOUNCE_MS: '0',
      ALERT_ESCALATE_AFTER_MINUTES: '0',
      ...receiver.allowed,
    });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await api?.stop();
    await receiver?.stop();
  });

  it('records each state change once, however often the worker dies and restarts', async () => {
    const { setGoal } = await setUp(api, receiver, 300);
    for (let i = 0; i < 300; i++) await setGoal();
    const driftCount = async () =>
      Number((await api.query<{ n: string }>(`SELECT count(*)::text AS n FROM pl_events WHERE type = 'KpiDriftDetected'`))[0].n);
    const kills: number[] = [];
    for (let life = 0; life < 4; life++) {
      const worker = api.startWorker();
      workers.push(worker);
      await worker.waitFor(/PlanLedger worker started/);
      const before = await driftCount();
      if (before === 300) break;
      // Let it record a few more checks, then kill it without warning, mid-flight.
      await eventually(
        async () => (await driftCount()) > before + 20 || (await driftCount()) === 300 || undefined,
        'checks to run',
        60_000,
      );
      await worker.stop('SIGKILL');
      kills.push(await driftCount());
    }
    expect(kills.length).toBeGreaterThanOrEqual(2);
    expect(kills[0]).toBeLessThan(300);
    const last = api.startWorker();
    workers.push(last);
    await eventually(async () => (await driftCount()) === 300 || undefined, 'every goal checked', 120_000);
    const perGoal = await api.query<{ stream_id: string; n: string }>(
      `SELECT stream_id, count(*)::text AS n FROM pl_events WHERE type IN ${ALERT_TYPES} GROUP BY stream_id`,
    );
    expect(perGoal).toHaveLength(300);
    expect(perGoal.every((g) => g.n === '1')).toBe(true);
    // Deliveries are at least once across a kill; the receiver tells repeats apart by Idempotency-Key.
    await eventually(() => receiver.keys().size === 300 || undefined, 'every alert delivered', 60_000);
  });
});
