import { verifyWebhookSignature } from '@planledger/application';
import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { eventually, Receiver } from './support/receiver';
import { SecuredApi } from './support/secured-api';
import type { ServiceProcess } from './support/service-process';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * Alerts end to end: the built API and worker on PostgreSQL and Redis, a local webhook receiver,
 * every alert endpoint with accepted and refused calls.
 */
let api: SecuredApi;
let worker: ServiceProcess;
let receiver: Receiver;
const as: Record<string, string> = {};
let projectId = '';
let goalId = '';
let secret = '';
let ok: (credential: string, method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** A date `days` from today where the sample project works, so the scenario holds whenever it runs. */
const day = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: sampleCharter.timeZone }).format(new Date(Date.now() + days * 86_400_000));

beforeAll(async () => {
  receiver = await new Receiver().start();
  api = await SecuredApi.start({
    NOTIFY_SECRET_KEY: 'e2e-notify-key-0123456789abcdefghijkl',
    DRIFT_DEBOUNCE_MS: '50',
    ALERT_ESCALATE_AFTER_MINUTES: '0',
    FEED_HEARTBEAT_MS: '300',
    ...receiver.allowed,
  });
  worker = api.startWorker();
  await worker.waitFor(/PlanLedger worker started/);
  for (const who of ['admin', 'manager', 'rep', 'viewer']) as[who] = `Bearer ${await tokenFor(who)}`;
  ok = async (credential: string, method: string, path: string, body?: unknown) => {
    const answer = await api.call(credential, method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  projectId = (await ok(as['admin'], 'POST', '/projects', { ...sampleCharter, periodStart: day(-30), periodEnd: day(60) }))['id'] as string;
  await ok(as['admin'], 'POST', `/projects/${projectId}/members`, {
    memberId: 'lead-1',
    name: 'Lead',
    role: 'Team lead',
    weeklyCapacityHours: 40,
  });
  await ok(as['admin'], 'POST', `/projects/${projectId}/members`, {
    memberId: 'rep-1',
    name: 'Rep',
    role: 'Account executive',
    weeklyCapacityHours: 40,
    reportsTo: 'lead-1',
  });
  await ok(as['admin'], 'POST', `/projects/${projectId}/access`, { subject: 'user:manager', role: 'manager' });
  await ok(as['admin'], 'POST', `/projects/${projectId}/access`, { subject: 'user:rep', role: 'member', memberId: 'rep-1' });
  await ok(as['admin'], 'POST', `/projects/${projectId}/access`, { subject: 'user:viewer', role: 'viewer' });
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await receiver?.stop();
});

describe('alert subscriptions', () => {
  it.each([
    [{ channel: 'pager', url: 'https://x.example' }, /channel/],
    [{ channel: 'webhook', url: 'ftp://x.example/hook' }, /url: must be an http\(s\) URL/],
    [{ channel: 'email', to: 'not-an-address' }, /to: must be an e-mail address/],
    [{ channel: 'slack', url: 'https://hooks.slack.com/services/T/B/X', colour: 'red' }, /colour/],
    [{ channel: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', language: 'fr' }, /language: must be en or zh/],
    [{ channel: 'feishu', url: 'https://open.feishu.cn/hook/x', mode: 'hourly' }, /mode: must be immediate or digest/],
    [{ channel: 'webhook', url: 'https://ops:hunter2@hooks.example.com/hook' }, /url: must not carry a user name or password/],
    [
      { channel: 'slack', url: 'https://169.254.169.254/latest/meta-data' },
      /url: the destination's address is in a refused range \(linkLocal\)/,
    ],
    [{ channel: 'wecom', url: 'https://[::1]/hook' }, /url: the destination's address is in a refused range \(loopback\)/],
    [{ channel: 'webhook', url: 'https://localhost/hook' }, /url: the destination names this machine/],
    // The receiver's own host, but another port: the allow-list names one port.
    [{ channel: 'webhook', url: 'http://127.0.0.1:6379/' }, /url: the destination's address is in a refused range \(loopback\)/],
  ])('refuses %j with a 400 naming the field, and writes nothing', async (body, message) => {
    const before = await api.eventCount();
    const answer = await api.call(as['manager'], 'POST', `/projects/${projectId}/alert-subscriptions`, body);
    expect(answer.status).toBe(400);
    expect(String(answer.body['message'])).toMatch(message);
    expect(await api.eventCount()).toBe(before);
  });

  it('adds a webhook, answers its signing secret once, and never shows the secret or the full URL again', async () => {
    const answer = await api.call(as['manager'], 'POST', `/projects/${projectId}/alert-subscriptions`, {
      channel: 'webhook',
      url: `${receiver.url}/hook/token-in-path`,
      label: 'CRM',
    });
    expect(answer.status).toBe(201);
    secret = answer.body['secret'] as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const list = await api.call(as['manager'], 'GET', `/projects/${projectId}/alert-subscriptions`);
    expect(list.status).toBe(200);
    expect(list.body['subscriptions']).toEqual([
      {
        subscriptionId: answer.body['id'],
        channel: 'webhook',
        label: 'CRM',
        language: 'en',
        mode: 'immediate',
        targetHint: `${receiver.url}/…`,
        escalations: true,
        active: true,
      },
    ]);
    const everywhere =
      JSON.stringify(list.body) + JSON.stringify(await api.query('SELECT data FROM pl_events WHERE type = $1', ['AlertSubscriptionAdded']));
    expect(everywhere).not.toContain(secret);
    expect(everywhere).not.toContain('token-in-path');
  });

  it('refuses to remove a subscription without a reason, or one that does not exist', async () => {
    const before = await api.eventCount();
    expect(await api.call(as['manager'], 'POST', `/projects/${projectId}/alert-subscriptions/nope/removal`, {})).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('reason') },
    });
    expect(
      await api.call(as['manager'], 'POST', `/projects/${projectId}/alert-subscriptions/nope/removal`, { reason: 'retired' }),
    ).toMatchObject({ status: 404, body: { code: 'SUBSCRIPTION_NOT_FOUND' } });
    expect(await api.eventCount()).toBe(before);
  });
});

describe('drift alerts', () => {
  let alertId = '';
  let backId = '';
  const streamed: string[] = [];
  let stream: AbortController;

  beforeAll(async () => {
    // The manager's inbox stream, open before anything drifts.
    stream = new AbortController();
    const response = await fetch(`${api.base}/me/alerts/stream`, { headers: { authorization: as['manager'] }, signal: stream.signal });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += value;
        const messages = buffer.split('\n\n');
        buffer = messages.pop() ?? '';
        for (const m of messages) if (m.includes('event: alert')) streamed.push(m);
      }
    })();
    // Set a month after its start with nothing recorded: nobody could have entered an actual yet, so
    // neither stale nor drifting (the grace period); the first actual is judged.
    const goal = {
      ...sampleRevenueGoal,
      startDate: day(-30),
      deadline: day(60),
      phasing: { kind: 'linear' },
      owner: { kind: 'member', memberId: 'rep-1' },
    };
    goalId = (await ok(as['admin'], 'POST', `/projects/${projectId}/goals`, goal))['id'] as string;
    // Then 1,000 of 3,000,000 today: off track.
    const recorded = await api.call(as['rep'], 'POST', `/goals/${goalId}/actuals`, { value: 1000, businessDate: day(0), source: 'CRM' });
    expect(recorded.status).toBe(201);
    const hook = await eventually(() => receiver.received.filter((r) => r.path.startsWith('/hook'))[0], 'the drift webhook');
    alertId = String(hook.headers['idempotency-key']);
    // And the rest of the pace today: back on track.
    const caughtUp = await api.call(as['rep'], 'POST', `/goals/${goalId}/actuals`, {
      value: 1_200_000,
      businessDate: day(0),
      source: 'CRM',
    });
    expect(caughtUp.status).toBe(201);
    const back = await eventually(() => receiver.received.filter((r) => r.path.startsWith('/hook'))[1], 'the back-on-track webhook');
    backId = String(back.headers['idempotency-key']);
  });
  afterAll(() => stream.abort());

  it('arrive as one signed webhook per state change, whose Idempotency-Key is the alert event', async () => {
    const hooks = receiver.received.filter((r) => r.path.startsWith('/hook'));
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) expect(verifyWebhookSignature(secret, hook.body, String(hook.headers['x-planledger-signature']))).toBe(true);
    const events = await api.query<{ event_id: string; type: string }>(
      `SELECT event_id::text, type FROM pl_events WHERE type IN ('GoalWentStale', 'KpiDriftDetected', 'KpiBackOnTrack') ORDER BY global_position`,
    );
    // No GoalWentStale for a goal set a minute ago.
    expect(events).toEqual([
      { event_id: alertId, type: 'KpiDriftDetected' },
      { event_id: backId, type: 'KpiBackOnTrack' },
    ]);
    expect(JSON.parse(hooks[0].body)).toMatchObject({
      id: alertId,
      type: 'KpiDriftDetected',
      projectId,
      goalId,
      subject: sampleRevenueGoal.title,
      data: { from: 'on_track', to: 'off_track' },
    });
    expect(JSON.parse(hooks[1].body)).toMatchObject({ id: backId, type: 'KpiBackOnTrack', goalId, data: { from: 'off_track' } });
  });

  it('is in the inbox of the manager and of the member who owns the goal, on the inbox stream, and not in the viewer’s', async () => {
    for (const who of ['manager', 'rep', 'admin']) {
      // The inbox is a read model: it may trail the webhook by a moment.
      const inbox = await eventually(async () => {
        const answer = await api.call(as[who], 'GET', '/me/alerts');
        return (answer.body['alerts'] as unknown[]).length === 2 ? answer : undefined;
      }, `two alerts in the inbox of ${who}`);
      expect(inbox.status).toBe(200);
      expect(inbox.body['alerts']).toEqual([
        expect.objectContaining({ alertId: backId, type: 'KpiBackOnTrack', goalId }),
        expect.objectContaining({ alertId, type: 'KpiDriftDetected', goalId, subject: sampleRevenueGoal.title, acknowledged: null }),
      ]);
    }
    expect((await api.call(as['viewer'], 'GET', '/me/alerts')).body['alerts']).toEqual([]);
    await eventually(() => streamed.length === 2, 'the inbox stream');
    expect(streamed[0]).toContain(`"alertId":"${alertId}"`);
    expect(streamed[1]).toContain(`"alertId":"${backId}"`);
    expect(await api.call(as['manager'], 'GET', '/me/alerts?limit=0')).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('limit') },
    });
    expect(await api.call(as['manager'], 'GET', '/me/alerts?acknowledged=maybe')).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('acknowledged') },
    });
  });

  it('shows its delivery as delivered, and refuses bad filters and retries of a delivered one', async () => {
    const delivered = await eventually(async () => {
      const list = (await api.call(as['manager'], 'GET', `/projects/${projectId}/deliveries?status=delivered`)).body['deliveries'] as {
        deliveryId: string;
        alertId: string;
      }[];
      return list.length === 2 ? list : undefined;
    }, 'the delivered records');
    expect(delivered.map((d) => d.alertId).sort()).toEqual([alertId, backId].sort());
    expect(delivered[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect((await api.call(as['manager'], 'GET', `/projects/${projectId}/deliveries?status=failed`)).body['deliveries']).toEqual([]);
    expect(await api.call(as['manager'], 'GET', `/projects/${projectId}/deliveries?status=bogus`)).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('status') },
    });
    const before = await api.eventCount();
    expect(await api.call(as['manager'], 'POST', `/projects/${projectId}/deliveries/${delivered[0].deliveryId}/retry`, {})).toMatchObject({
      status: 422,
      body: { code: 'DELIVERY_NOT_FAILED' },
    });
    expect(
      await api.call(as['manager'], 'POST', `/projects/${projectId}/deliveries/${delivered[0].deliveryId}/retry`, { note: 7 }),
    ).toMatchObject({ status: 400, body: { message: expect.stringContaining('note') } });
    expect(await api.eventCount()).toBe(before);
  });

  it('is acknowledged once by the member it concerns, with a note, and the record shows who', async () => {
    const before = await api.eventCount();
    expect(await api.call(as['rep'], 'POST', `/alerts/${alertId}/acknowledgement`, { note: 42 })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('note') },
    });
    expect(await api.call(as['rep'], 'POST', `/alerts/00000000-0000-4000-8000-000000000000/acknowledgement`, {})).toMatchObject({
      status: 404,
      body: { code: 'ALERT_NOT_FOUND' },
    });
    expect(await api.eventCount()).toBe(before);
    expect(
      await api.call(as['rep'], 'POST', `/alerts/${alertId}/acknowledgement`, { note: 'calling the two big accounts today' }),
    ).toMatchObject({ status: 200, body: { events: ['AlertAcknowledged'] } });
    expect(await api.call(as['manager'], 'POST', `/alerts/${alertId}/acknowledgement`, {})).toMatchObject({
      status: 422,
      body: { code: 'ALERT_ALREADY_ACKNOWLEDGED' },
    });
    const alert = await eventually(async () => {
      const answer = await api.call(as['manager'], 'GET', `/alerts/${alertId}`);
      return answer.body['acknowledged'] ? answer.body : undefined;
    }, 'the acknowledgement in the read model');
    // A viewer would not find it in an inbox, and may not read it here either.
    expect(await api.call(as['viewer'], 'GET', `/alerts/${alertId}`)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(alert['acknowledged']).toMatchObject({ by: 'user:rep', note: 'calling the two big accounts today' });
    expect(
      ((await api.call(as['manager'], 'GET', '/me/alerts?acknowledged=false')).body['alerts'] as { alertId: string }[]).map(
        (a) => a.alertId,
      ),
    ).toEqual([backId]);
  });
});

describe('operations', () => {
  it('serves the queue board to admins only', async () => {
    expect((await fetch(`${api.base}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${api.base}/admin/queues`, { headers: { authorization: as['manager'] } })).status).toBe(403);
    const board = await fetch(`${api.base}/admin/queues`, { headers: { authorization: as['admin'] } });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('PlanLedger jobs');
    const queues = await fetch(`${api.base}/admin/queues/api/queues`, { headers: { authorization: as['admin'] } });
    expect(((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort()).toEqual(['checks', 'deliveries']);
  });

  it('reports queue depth, job counts and alerts in /metrics', async () => {
    const text = await (await fetch(`${api.base}/metrics`)).text();
    expect(text).toMatch(/planledger_jobs\{queue="deliveries",state="completed"\} [1-9]/);
    expect(text).toMatch(/planledger_jobs\{queue="checks",state="waiting"\} 0/);
    expect(text).toContain('planledger_alerts{type="KpiDriftDetected"} 1');
    expect(text).toContain('planledger_alerts{type="KpiBackOnTrack"} 1');
    expect(text).not.toContain('planledger_alerts{type="GoalWentStale"} 1');
  });

  it('stops the worker gracefully on SIGTERM', async () => {
    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
