import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import fc from 'fast-check';
import { Browser } from './support/browser';
import { SecuredApi } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(300_000);

/**
 * Random and malformed requests to every route the API serves (from its OpenAPI document): bodies,
 * headers, ids and query strings. Whatever arrives, the API answers in time, never with a 5xx,
 * every refusal names its problem, and a refused request leaves the store as it was.
 */
let api: SecuredApi;
let admin: string;
/** The admin's browser session; signed in again whenever a fuzzed request ended it (a sign-out, a revocation). */
let session: Browser;

async function signInSession(): Promise<void> {
  session = new Browser(api.base);
  const answer = await session.call('POST', '/auth/token', { token: admin.slice('Bearer '.length) });
  if (answer.status !== 204) throw new Error(`signing the admin in: ${answer.status}`);
}
let routes: { method: string; path: string }[] = [];
const ids: Record<string, string> = {};

/** Valid bodies to start mutating from, so the fuzz reaches past the first missing field. */
const VALID: Record<string, unknown> = {
  'POST /projects': sampleCharter,
  'POST /projects/{projectId}/goals': sampleRevenueGoal,
  'POST /projects/{projectId}/tasks': { title: 'Call the top accounts', dueDate: '2026-12-10', assigneeId: 'rep-1' },
  'POST /projects/{projectId}/members': { memberId: 'rep-9', name: 'Rep Nine', role: 'Account executive', weeklyCapacityHours: 40 },
  'POST /projects/{projectId}/access': { subject: 'user:someone', role: 'viewer' },
  'POST /goals/{goalId}/target-adjustments': { target: 3_100_000, reason: 'pipeline review' },
  'POST /goals/{goalId}/actuals': { value: 1200, businessDate: '2026-11-05', source: 'CRM', externalRef: 'crm-fuzz' },
  'POST /goals/{goalId}/actuals/batch': { actuals: [{ value: 1, businessDate: '2026-11-05', source: 'CRM', externalRef: 'crm-b1' }] },
  'POST /tasks/{taskId}/progress': { percent: 40, note: 'half way' },
  'POST /api-keys': { name: 'fuzz-feed' },
  'POST /projects/{projectId}/strategy/elements': {
    element: { kind: 'channel', name: 'Partners', channelKind: 'partner', segmentIds: ['fuzz-seg'], revenueShare: 0.2 },
  },
  'POST /projects/{projectId}/strategy/elements/{elementId}/revisions': {
    element: { kind: 'segment', name: 'SMB', criteria: ['small'], priority: 'low' },
    reason: 'fuzzing',
  },
  'POST /projects/{projectId}/meetings': {
    date: '2026-11-10',
    attendees: ['rep-1'],
    decisions: ['go'],
    actionItems: [{ taskId: 'fuzz-ai', title: 'Follow up', assigneeId: 'rep-1', dueDate: '2026-11-20' }],
  },
  'POST /projects/{projectId}/issues': { title: 'CRM export fails', severity: 'high' },
  'POST /projects/{projectId}/feedback': {
    source: 'customer',
    from: 'crm-1',
    topic: 'Price',
    rating: 3,
    link: { kind: 'strategy', id: 'fuzz-seg' },
  },
  'POST /projects/{projectId}/survey-responses': { respondentRef: 'crm-1', scale: 'nps', score: 9, surveyedOn: '2026-11-10' },
  'POST /projects/{projectId}/appraisals': { memberId: 'rep-1', score: 4 },
  'POST /projects/{projectId}/incentive-scheme': {
    rules: [{ ruleId: 'r1', title: 'On target', scope: 'member', threshold: 1, award: { kind: 'bonus', amount: 100, currency: 'CNY' } }],
  },
  'POST /projects/{projectId}/alert-subscriptions': { channel: 'webhook', url: 'https://hooks.example.com/hook' },
  'POST /invitations': { login: 'fuzz.person@example.com', name: 'Fuzz Person' },
  'POST /projects/{projectId}/invitations': { login: 'fuzz.viewer@example.com', role: 'viewer' },
  'POST /auth/password': { login: 'fuzz.person@example.com', password: 'not the password' },
  'POST /auth/token': { token: 'plk_unknown.aaaaaaaaaaaaaaaaaaaaaaaa' },
  'POST /auth/invitations/accept': { token: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa', password: 'a long enough password' },
  'POST /auth/password-reset': { token: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa', password: 'a long enough password' },
  'POST /sessions/revocations': { subject: 'user:nobody' },
};

beforeAll(async () => {
  api = await SecuredApi.start({ NOTIFY_SECRET_KEY: 'fuzz-notify-key-0123456789abcdefghijklmn' });
  admin = `Bearer ${await tokenFor('admin')}`;
  const call = async (method: string, path: string, body: unknown) => {
    const answer = await api.call(admin, method, path, body);
    if (answer.status >= 300) throw new Error(`setting up ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body['id'] as string;
  };
  ids['projectId'] = await call('POST', '/projects', sampleCharter);
  await call('POST', `/projects/${ids['projectId']}/members`, {
    memberId: 'rep-1',
    name: 'Rep One',
    role: 'Account executive',
    weeklyCapacityHours: 40,
  });
  ids['goalId'] = await call('POST', `/projects/${ids['projectId']}/goals`, sampleRevenueGoal);
  ids['taskId'] = await call('POST', `/projects/${ids['projectId']}/tasks`, VALID['POST /projects/{projectId}/tasks']);
  ids['memberId'] = 'rep-1';
  ids['actualId'] = await call('POST', `/goals/${ids['goalId']}/actuals`, VALID['POST /goals/{goalId}/actuals']);
  ids['keyId'] = (await api.call(admin, 'POST', '/api-keys', { name: 'fuzz-key' })).body['keyId'] as string;
  ids['elementId'] = await call('POST', `/projects/${ids['projectId']}/strategy/elements`, {
    elementId: 'fuzz-seg',
    element: { kind: 'segment', name: 'SMB', criteria: ['small'], priority: 'low' },
  });
  ids['cadenceId'] = await call('POST', `/projects/${ids['projectId']}/meeting-cadences`, {
    title: 'Weekly',
    kind: 'weekly_review',
    every: 'week',
    weekday: 2,
    attendees: ['rep-1'],
  });
  ids['issueId'] = await call('POST', `/projects/${ids['projectId']}/issues`, VALID['POST /projects/{projectId}/issues']);
  // Ids of alerts, subscriptions and deliveries that do not exist: the routes must say so, not fail.
  Object.assign(ids, {
    alertId: '0b1d2c3e-4f50-4617-8293-a4b5c6d7e8f9',
    subscriptionId: 'fuzz-subscription',
    deliveryId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
    accountId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    sessionId: '3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f',
    token: 'not-a-sign-in-link',
  });
  await signInSession();
  const openApi = (await (await fetch(`${api.base}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(openApi.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
  );
});
afterAll(async () => {
  await api?.stop();
});

const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../../etc/passwd',
    '%00',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    '销售目标',
    'a'.repeat(5000),
  ),
);
const jsonValue = fc.jsonValue({ maxDepth: 4 });
/** Well-formed positions the store can never hold (xid8 and bigint overflow), and near misses. */
const badCursor = fc.constantFrom(
  '99999999999999999999-99999999999999999999',
  '18446744073709551616-00000000000000000001',
  '00000000000000000001-99999999999999999999',
  '00000000000000000000-00000000000000000000',
  '-1',
  '1e999',
);
/** Arrays and objects nested far deeper than any body the API takes. */
const deepJson = fc
  .tuple(fc.integer({ min: 33, max: 3000 }), fc.boolean())
  .map(([depth, objects]) => (objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`));
/** Header values must be visible ASCII to be sent at all (fetch refuses the rest before the API sees it). */
const headerText = hostileText.map((t) => t.replace(/[^\x20-\x7e]/g, ''));

/** A valid body with one field replaced, dropped or added, or something else entirely. */
function body(route: string): fc.Arbitrary<string | undefined> {
  const valid = VALID[route] as Record<string, unknown> | undefined;
  const mutated = valid
    ? fc
        .tuple(fc.constantFrom(...Object.keys(valid), '__proto__', 'extra'), fc.oneof(jsonValue, hostileText), fc.boolean())
        .map(([key, value, drop]) => {
          const copy: Record<string, unknown> = { ...valid };
          if (drop) delete copy[key];
          else copy[key] = value;
          return JSON.stringify(copy);
        })
    : fc.constant('{}');
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(JSON.stringify(valid ?? {})) },
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,2', '{"value": 1e400}', '{"value": NaN}', '\u0000', undefined) },
    { weight: 1, arbitrary: deepJson },
  );
}

const request = fc.integer({ min: 0, max: 10_000 }).chain((n) => {
  const { method, path } = routes[n % routes.length];
  const route = `${method} ${path}`;
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return fc.record({
    method: fc.constant(method),
    path: fc.constant(path),
    params: fc.tuple(
      ...params.map((name) => fc.oneof({ weight: 3, arbitrary: fc.constant(ids[name]) }, { weight: 1, arbitrary: hostileText })),
    ),
    query: fc.option(
      fc.dictionary(fc.constantFrom('limit', 'after', 'minPosition', 'x', 'limit[]'), fc.oneof(hostileText, badCursor), { maxKeys: 3 }),
      { nil: undefined },
    ),
    body: body(route),
    authorization: fc.oneof(
      { weight: 4, arbitrary: fc.constant(admin) },
      // The admin's browser session: its cookie, with the CSRF proof, a wrong one or none.
      { weight: 3, arbitrary: fc.constantFrom('session', 'session-no-csrf', 'session-wrong-csrf') },
      { weight: 1, arbitrary: headerText.map((t) => `Bearer ${t}`) },
      { weight: 1, arbitrary: headerText.map((t) => `ApiKey plk_${t}`) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    headers: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ 'content-type': 'application/json' }) },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            'content-type': fc.constantFrom(
              'application/json',
              'text/plain',
              'application/json; charset=latin1',
              'multipart/form-data',
              '',
            ),
            'if-match': headerText,
            'idempotency-key': headerText,
            'x-correlation-id': headerText,
            'x-planledger-actor': headerText,
            'last-event-id': fc.oneof(headerText, badCursor),
            'accept-language': headerText,
            accept: fc.constantFrom('text/markdown', 'text/html', 'text/csv', '*/*', 'application/xml'),
            'x-forwarded-for': headerText,
          },
          { requiredKeys: [] },
        ),
      },
    ),
  });
});

it('answers every random or malformed request in time, without a 5xx, naming the problem, and writes nothing when it refuses', async () => {
  const seen = new Map<number, number>();
  /** Answers to session-authenticated requests, by status: the fuzz must get past the cookie too. */
  const bySessionSeen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      let path = r.path;
      r.params.forEach((value) => (path = path.replace(/\{\w+\}/, encodeURIComponent((value ?? '').toWellFormed()))));
      const query = r.query ? `?${new URLSearchParams(r.query).toString()}` : '';
      const before = await api.eventCount();
      const bySession = r.authorization?.startsWith('session') ?? false;
      const credentials: Record<string, string> = bySession
        ? {
            cookie: session.cookieHeader(),
            ...(r.authorization === 'session' ? { 'x-csrf-token': session.csrf ?? '' } : {}),
            ...(r.authorization === 'session-wrong-csrf' ? { 'x-csrf-token': 'W'.repeat(43) } : {}),
          }
        : r.authorization
          ? { authorization: r.authorization }
          : {};
      const response = await fetch(`${api.base}${path}${query}`, {
        method: r.method,
        headers: { ...r.headers, ...credentials },
        body: r.method === 'GET' ? undefined : r.body,
        signal: AbortSignal.timeout(10_000),
      });
      // An accepted event stream never ends by itself: its status and type are its answer.
      const streaming = response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
      if (streaming) await response.body?.cancel();
      const text = streaming ? '' : await response.text();
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
      const where = `${r.method} ${path}${query} → ${response.status} ${text.slice(0, 200)}`;
      if (response.status >= 500) throw new Error(`5xx: ${where}`);
      if (response.status >= 400) {
        const problem = JSON.parse(text) as { code?: unknown; message?: unknown };
        if (typeof problem.code !== 'string' || problem.code === '' || typeof problem.message !== 'string' || problem.message === '') {
          throw new Error(`refusal without a code and message: ${where}`);
        }
        if ((await api.eventCount()) !== before) throw new Error(`a refused request wrote events: ${where}`);
      }
      // A forged or missing credential is refused 401 on every route that is not open, whatever
      // else the request carries; only a body the server refuses before reading anyone's
      // credential (not JSON, nested too deep, too large, another media type) is answered for what it is, and a
      // path that names no route at all (a hostile id such as '' or '/') is 404 NOT_FOUND.
      const forged = !bySession && r.authorization !== admin;
      const open = /^\/(health(\/|$)|metrics$|auth\/)/.test(r.path);
      if (forged && !open && response.status !== 401) {
        const code = (JSON.parse(text || '{}') as { code?: string }).code;
        // …and 429 once this address has failed authentication too often (AUTH_FAILURES_PER_MINUTE).
        const beforeAuthentication =
          [413, 415].includes(response.status) ||
          ['MALFORMED_JSON', 'BODY_TOO_DEEP', 'NOT_FOUND', 'TOO_MANY_REQUESTS'].includes(code ?? '');
        if (!beforeAuthentication) throw new Error(`a forged or missing credential was not refused 401: ${where}`);
      }
      if (bySession) bySessionSeen.set(response.status, (bySessionSeen.get(response.status) ?? 0) + 1);
      if (bySession && response.status === 401) await signInSession();
      if (bySession && r.authorization === 'session-no-csrf' && r.method !== 'GET' && !path.startsWith('/auth/') && response.status < 400)
        throw new Error(`a cookie-authenticated change without the CSRF proof was accepted: ${where}`);
    }),
    { numRuns: 1500, seed: Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31), verbose: 1 },
  );
  // The fuzz reached past authentication and validation into the domain, not only the front door.
  expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([200, 201, 400, 401, 404]));
  expect([...bySessionSeen.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 403]));
});

it('refuses an out-of-range cursor and over-deep JSON with a 400 naming the problem, and writes nothing', async () => {
  for (const path of ['/events', `/projects/${ids['projectId']}/events`]) {
    const answer = await api.call(admin, 'GET', `${path}?after=99999999999999999999-99999999999999999999`);
    expect({ path, status: answer.status, code: answer.body['code'] }).toEqual({ path, status: 400, code: expect.any(String) });
    expect(String(answer.body['message'])).toMatch(/after|position/);
  }
  const before = await api.eventCount();
  const deep = `{"respondentRef":"crm-deep","scale":"nps","score":9,"surveyedOn":"2026-11-10","comment":${'['.repeat(2000)}${']'.repeat(2000)}}`;
  const answer = await api.call(admin, 'POST', `/projects/${ids['projectId']}/survey-responses`, deep, { 'idempotency-key': 'deep-1' });
  expect(answer).toMatchObject({ status: 400, body: { code: 'BODY_TOO_DEEP' } });
  expect(await api.eventCount()).toBe(before);
});

it('sends a Content-Security-Policy, no X-Powered-By anywhere, and no-store on answers for a credential', async () => {
  for (const path of ['/health', '/docs', '/docs/openapi.json', '/admin/queues', '/projects']) {
    const response = await fetch(`${api.base}${path}`, { headers: { authorization: admin } });
    expect({ path, poweredBy: response.headers.get('x-powered-by') }).toEqual({ path, poweredBy: null });
    expect({ path, csp: response.headers.get('content-security-policy') }).toEqual({
      path,
      csp: expect.stringContaining("script-src 'self'"),
    });
    await response.arrayBuffer();
  }
  const docs = await (await fetch(`${api.base}/docs`)).text();
  // The OpenAPI UI works under the policy: it loads its scripts from files, none inline.
  expect(docs).toMatch(/<script src="[^"]*swagger-ui-bundle\.js"/);
  expect(docs).not.toMatch(/<script>(?!\s*<\/script>)/);
  expect((await fetch(`${api.base}/projects`, { headers: { authorization: admin } })).headers.get('cache-control')).toBe('no-store');
  expect((await fetch(`${api.base}/admin/queues`, { headers: { authorization: admin } })).headers.get('cache-control')).toBe('no-store');
});
