import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './support/receiver';
import { SecuredApi } from './support/secured-api';
import type { ServiceProcess } from './support/service-process';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * Secrets planted everywhere an operator or a manager can put one (the store's and Redis's URLs, a
 * webhook's path and query, user info in a URL, a receiver's answer), then every place that could
 * print them read back: /health with and without a credential, the API's and the worker's logs,
 * the delivery records, the feed and the log itself. None may show up.
 */
const PLANTED = {
  dbPassword: 'planted-db-secret-4417',
  redisPassword: 'planted-redis-secret-9021',
  pathToken: 'planted-path-token-5530',
  queryToken: 'planted-query-token-8812',
  userPassword: 'planted-user-password-3306',
  answer: 'planted-answer-body-7781',
};

const day = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: sampleCharter.timeZone }).format(new Date(Date.now() + days * 86_400_000));

let api: SecuredApi;
let worker: ServiceProcess;
let receiver: Server;
let receiverHost = '';
let hits = 0;
let admin = '';

beforeAll(async () => {
  // A receiver that fails, answering with a body that must stay out of every record.
  receiver = createServer((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${PLANTED.answer}\nERROR forged log line`));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverHost = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  api = await SecuredApi.start(
    {
      // Redis here asks for no password; the client sends it anyway, so it is really in use.
      REDIS_URL: `redis://:${PLANTED.redisPassword}@127.0.0.1:6379/0`,
      NOTIFY_SECRET_KEY: 'secrets-notify-key-0123456789abcdefghij',
      DRIFT_DEBOUNCE_MS: '50',
      ALERT_ESCALATE_AFTER_MINUTES: '0',
      DELIVERY_ATTEMPTS: '1',
      OUTBOUND_ALLOW_HTTP: 'true',
      OUTBOUND_ALLOW: receiverHost,
      LOG_LEVEL: 'debug',
    },
    { storeUrlQuery: `password=${PLANTED.dbPassword}` },
  );
  worker = api.startWorker();
  await worker.waitFor(/PlanLedger worker started/);
  admin = `Bearer ${await tokenFor('admin')}`;
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

it('prints none of the planted passwords, tokens, URLs or answers in /health, the logs or any delivery record', async () => {
  const ok = async (method: string, path: string, body?: unknown) => {
    const answer = await api.call(admin, method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const projectId = (await ok('POST', '/projects', { ...sampleCharter, periodStart: day(-30), periodEnd: day(60) }))['id'] as string;
  await ok('POST', `/projects/${projectId}/members`, {
    memberId: 'rep-1',
    name: 'Rep',
    role: 'Account executive',
    weeklyCapacityHours: 40,
  });

  // User info in a URL is refused, and the refusal does not echo it.
  const withUser = await api.call(admin, 'POST', `/projects/${projectId}/alert-subscriptions`, {
    channel: 'slack',
    url: `https://ops:${PLANTED.userPassword}@hooks.example.com/services/x`,
  });
  expect(withUser.status).toBe(400);
  expect(String(withUser.body['message'])).toMatch(/url: must not carry a user name or password/);

  const hookUrl = `http://${receiverHost}/${PLANTED.pathToken}/in?token=${PLANTED.queryToken}`;
  await ok('POST', `/projects/${projectId}/alert-subscriptions`, { channel: 'webhook', url: hookUrl, label: 'CRM' });
  const goalId = (
    await ok('POST', `/projects/${projectId}/goals`, {
      ...sampleRevenueGoal,
      startDate: day(-30),
      deadline: day(60),
      phasing: { kind: 'linear' },
      owner: { kind: 'member', memberId: 'rep-1' },
    })
  )['id'] as string;
  // 1,000 of 3,000,000 a month in: off track, so an alert goes to the failing receiver.
  await ok('POST', `/goals/${goalId}/actuals`, { value: 1000, businessDate: day(0), source: 'CRM' });
  const failed = await eventually(async () => {
    const list = (await ok('GET', `/projects/${projectId}/deliveries?status=failed`))['deliveries'] as Record<string, unknown>[];
    return list.length > 0 ? list : undefined;
  }, 'the failed delivery');
  expect(hits).toBe(1);
  expect(failed[0]).toMatchObject({ category: 'server-error', statusCode: 500 });

  const anonymous = await api.call(undefined, 'GET', '/health');
  expect(anonymous.body).toEqual({ status: 'ok', checks: { eventStore: { status: 'up' }, redis: { status: 'up' } } });
  const withBadToken = await api.call('Bearer not-a-token', 'GET', '/health');
  expect(withBadToken.body).toEqual(anonymous.body);
  const detailed = await api.call(admin, 'GET', '/health');
  expect(detailed.body['checks']).toMatchObject({ eventStore: { adapter: 'postgres' }, redis: { url: expect.stringContaining('***') } });
  const ready = await api.call(undefined, 'GET', '/health/ready');

  const feed = await ok('GET', `/projects/${projectId}/events?limit=500`);
  const subscriptions = await ok('GET', `/projects/${projectId}/alert-subscriptions`);
  const stored = await api.query<{ type: string; data: unknown; metadata: unknown }>(
    `SELECT type, data, metadata FROM pl_events WHERE type LIKE 'Alert%'`,
  );
  expect(stored.map((e) => e.type)).toEqual(expect.arrayContaining(['AlertSubscriptionAdded', 'AlertDeliveryFailed']));

  const places: Record<string, string> = {
    'anonymous /health': JSON.stringify(anonymous.body),
    'admin /health': JSON.stringify(detailed.body),
    '/health/ready': JSON.stringify(ready.body),
    'the API log': api.output,
    'the worker log': worker.output,
    'the delivery records': JSON.stringify(failed),
    'the feed': JSON.stringify(feed),
    'the subscription list': JSON.stringify(subscriptions),
    'the alert events in the log': JSON.stringify(stored),
  };
  for (const [place, text] of Object.entries(places))
    for (const [name, secret] of Object.entries(PLANTED))
      expect({ place, name, found: text.includes(secret) }).toEqual({ place, name, found: false });
  // The receiver's address is in no delivery record or log line either; lists show its scheme and host only.
  for (const place of ['the API log', 'the worker log', 'the delivery records'])
    expect({ place, found: places[place].includes(receiverHost) }).toEqual({ place, found: false });
  expect(JSON.stringify(subscriptions)).toContain(`http://${receiverHost}/…`);
  // The logs were really written: the worker logged the failure, in its own words.
  expect(worker.output).toMatch(/deliveries job deliver .* failed/);
  expect(worker.output).not.toContain('ERROR forged log line');
  // The worker logs JSON, one object a line, as the API does.
  const failures = worker.output.split('\n').filter((line) => line.includes('deliveries job deliver'));
  expect(failures.length).toBeGreaterThan(0);
  for (const line of failures) expect(JSON.parse(line)).toMatchObject({ level: 'warn', context: 'AlertJobs' });
});
