import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { Browser } from './support/browser';
import { SecuredApi, type Answer } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * Every route the API serves × every kind of caller × their own project and a foreign one. The
 * routes come from the served OpenAPI document (the real route table), so a new endpoint that is
 * missing from EXPECTED below fails this test, and one without an access policy is refused for
 * everyone (the admin's "allowed" check fails).
 */
const SUBJECTS = ['admin', 'manager', 'member', 'viewer', 'analyst', 'outsider'] as const;
type Subject = (typeof SUBJECTS)[number];

const ALL: Subject[] = [...SUBJECTS];
const READ: Subject[] = ['admin', 'manager', 'member', 'viewer'];
const MANAGE: Subject[] = ['admin', 'manager'];
/** On the member's own goal or task; on anyone else's it is MANAGE. */
const OWN: Subject[] = ['admin', 'manager', 'member'];
const ADMIN: Subject[] = ['admin'];
/** Who contributes to a project's log (issues, feedback) besides managing it: its members too, on anything. */
const CONTRIBUTE: Subject[] = ['admin', 'manager', 'member'];
/** Who reads a project's events: its managers and analysts. */
const FEED: Subject[] = ['admin', 'manager', 'analyst'];

/** Who may call each route in their own project (organisation routes: at all). */
const EXPECTED: Record<string, { allowed: Subject[]; scope: 'project' | 'organisation' }> = {
  'POST /projects': { allowed: ADMIN, scope: 'organisation' },
  'GET /projects': { allowed: ALL, scope: 'organisation' },
  'GET /projects/{projectId}': { allowed: READ, scope: 'project' },
  'GET /projects/{projectId}/history': { allowed: READ, scope: 'project' },
  'GET /projects/{projectId}/progress': { allowed: READ, scope: 'project' },
  'GET /goals/{goalId}/progress': { allowed: READ, scope: 'project' },
  'GET /projects/{projectId}/plan': { allowed: READ, scope: 'project' },
  'GET /projects/{projectId}/plan/diff': { allowed: READ, scope: 'project' },
  'POST /projects/{projectId}/charter-amendments': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/closure': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/goals': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/tasks': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/team': { allowed: READ, scope: 'project' },
  'POST /projects/{projectId}/members': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/members/{memberId}/role-changes': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/members/{memberId}/amendments': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/members/{memberId}/departure': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/skill-requirements': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/access': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/access': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/access/revocations': { allowed: MANAGE, scope: 'project' },
  'GET /goals/{goalId}': { allowed: READ, scope: 'project' },
  'POST /goals/{goalId}/target-adjustments': { allowed: MANAGE, scope: 'project' },
  'POST /goals/{goalId}/deadline-moves': { allowed: MANAGE, scope: 'project' },
  'POST /goals/{goalId}/owner-changes': { allowed: MANAGE, scope: 'project' },
  'POST /goals/{goalId}/rephasings': { allowed: MANAGE, scope: 'project' },
  'POST /goals/{goalId}/rollup-changes': { allowed: MANAGE, scope: 'project' },
  'POST /goals/{goalId}/strategy-links': { allowed: MANAGE, scope: 'project' },
  'POST /goals/{goalId}/withdrawal': { allowed: MANAGE, scope: 'project' },
  'POST /goals/{goalId}/actuals': { allowed: OWN, scope: 'project' },
  'POST /goals/{goalId}/actuals/batch': { allowed: OWN, scope: 'project' },
  'POST /goals/{goalId}/actuals/{actualId}/corrections': { allowed: OWN, scope: 'project' },
  'GET /tasks/{taskId}': { allowed: READ, scope: 'project' },
  'POST /tasks/{taskId}/assignment': { allowed: MANAGE, scope: 'project' },
  'POST /tasks/{taskId}/reassignment': { allowed: MANAGE, scope: 'project' },
  'POST /tasks/{taskId}/due-date-moves': { allowed: MANAGE, scope: 'project' },
  'POST /tasks/{taskId}/cancellation': { allowed: MANAGE, scope: 'project' },
  'POST /tasks/{taskId}/start': { allowed: OWN, scope: 'project' },
  'POST /tasks/{taskId}/progress': { allowed: OWN, scope: 'project' },
  'POST /tasks/{taskId}/block': { allowed: OWN, scope: 'project' },
  'POST /tasks/{taskId}/unblock': { allowed: OWN, scope: 'project' },
  'POST /tasks/{taskId}/completion': { allowed: OWN, scope: 'project' },
  'POST /api-keys': { allowed: ADMIN, scope: 'organisation' },
  'GET /api-keys': { allowed: ADMIN, scope: 'organisation' },
  'POST /api-keys/{keyId}/revocation': { allowed: ADMIN, scope: 'organisation' },
  'GET /projects/{projectId}/tasks': { allowed: READ, scope: 'project' },
  // Anyone may page the feed; it serves only the events of projects the caller reads events of.
  'GET /events': { allowed: ALL, scope: 'organisation' },
  'GET /events/stream': { allowed: ALL, scope: 'organisation' },
  'GET /projects/{projectId}/events': { allowed: FEED, scope: 'project' },
  'GET /schemas': { allowed: ALL, scope: 'organisation' },
  'GET /asyncapi.json': { allowed: ALL, scope: 'organisation' },
  'GET /schemas/{type}/{version}': { allowed: ALL, scope: 'organisation' },
  'POST /projects/{projectId}/alert-subscriptions': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/alert-subscriptions': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/alert-subscriptions/{subscriptionId}/removal': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/deliveries': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/deliveries/{deliveryId}/retry': { allowed: MANAGE, scope: 'project' },
  // As the inbox shows it: a member reads the alerts about their own goals and tasks; a viewer none.
  'GET /alerts/{alertId}': { allowed: OWN, scope: 'project' },
  // On an alert about the member's own goal; on anyone else's it is MANAGE.
  'POST /alerts/{alertId}/acknowledgement': { allowed: OWN, scope: 'project' },
  // Anyone has an inbox; it holds only the alerts of the caller's own projects, goals and tasks.
  'GET /me/alerts': { allowed: ALL, scope: 'organisation' },
  'GET /me/alerts/stream': { allowed: ALL, scope: 'organisation' },
  'POST /projects/{projectId}/strategy/elements': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/strategy/elements/{elementId}/revisions': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/strategy/elements/{elementId}/withdrawal': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/strategy': { allowed: READ, scope: 'project' },
  'POST /projects/{projectId}/meeting-cadences': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/meeting-cadences/{cadenceId}/end': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/meetings': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/meetings': { allowed: READ, scope: 'project' },
  'POST /projects/{projectId}/issues': { allowed: CONTRIBUTE, scope: 'project' },
  'POST /projects/{projectId}/issues/{issueId}/assignment': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/issues/{issueId}/resolution': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/issues/{issueId}/reopening': { allowed: CONTRIBUTE, scope: 'project' },
  'GET /projects/{projectId}/issues': { allowed: READ, scope: 'project' },
  'POST /projects/{projectId}/feedback': { allowed: CONTRIBUTE, scope: 'project' },
  'POST /projects/{projectId}/survey-responses': { allowed: CONTRIBUTE, scope: 'project' },
  'GET /projects/{projectId}/feedback': { allowed: READ, scope: 'project' },
  'POST /projects/{projectId}/appraisals': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/lessons': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/incentive-scheme': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/trainings': { allowed: MANAGE, scope: 'project' },
  'POST /projects/{projectId}/evaluation': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/wrap-up': { allowed: READ, scope: 'project' },
  'GET /projects/{projectId}/report': { allowed: READ, scope: 'project' },
  // Everyone may ask who they are; the answer is about themselves only.
  'GET /me': { allowed: ALL, scope: 'organisation' },
  'GET /me/work': { allowed: ALL, scope: 'organisation' },
  'GET /search': { allowed: ALL, scope: 'organisation' },
  'POST /invitations': { allowed: ADMIN, scope: 'organisation' },
  'POST /projects/{projectId}/invitations': { allowed: MANAGE, scope: 'project' },
  'GET /accounts': { allowed: ADMIN, scope: 'organisation' },
  'POST /accounts/{accountId}/password-resets': { allowed: ADMIN, scope: 'organisation' },
  'GET /sessions': { allowed: ADMIN, scope: 'organisation' },
  'POST /sessions/revocations': { allowed: ADMIN, scope: 'organisation' },
  'POST /sessions/{sessionId}/revocation': { allowed: ADMIN, scope: 'organisation' },
  'POST /projects/{projectId}/imports': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/imports/{jobId}': { allowed: MANAGE, scope: 'project' },
  'GET /projects/{projectId}/export.xlsx': { allowed: READ, scope: 'project' },
  'GET /imports/template.xlsx': { allowed: ALL, scope: 'organisation' },
  'GET /imports/template.csv': { allowed: ALL, scope: 'organisation' },
};

/** The two ways a caller authenticates: a bearer token, or a browser session (cookie and CSRF proof) made from it. */
const VIA = ['bearer', 'session'] as const;
type Via = (typeof VIA)[number];

const FOREIGN_NAME = 'Foreign secret project';

let api: SecuredApi;
const credential = {} as Record<Subject, string>;
const sessions = {} as Record<Subject, Browser>;

/** A browser session for the subject, from its bearer token, as the sign-in page's token form makes one. */
async function sessionOf(subject: Subject): Promise<Browser> {
  const browser = new Browser(api.base);
  const answer = await browser.call('POST', '/auth/token', { token: credential[subject].slice('Bearer '.length) });
  if (answer.status !== 204) throw new Error(`signing ${subject} in: ${answer.status} ${JSON.stringify(answer.body)}`);
  return browser;
}

/** A call as the subject, by bearer token or by session cookie (with the CSRF proof a dashboard sends). */
function callAs(subject: Subject, via: Via, method: string, path: string, body?: unknown): Promise<Answer> {
  return via === 'bearer' ? api.call(credential[subject], method, path, body) : sessions[subject].call(method, path, body, { csrf: true });
}

/** Route values that a successful call uses up (a session revoked): made afresh for each allowed call. */
const FRESH: Record<string, () => Promise<Record<string, string>>> = {
  'POST /sessions/{sessionId}/revocation': async () => {
    await sessionOf('viewer');
    // Listed oldest first: the newest is the spare one, not the session the matrix calls with.
    const listed = (await asAdmin('GET', '/sessions?subject=user:viewer')).body['sessions'] as { sessionId: string }[];
    return { sessionId: listed[listed.length - 1].sessionId };
  },
};
const ids = {
  own: {} as Record<string, string>,
  /** The same project, but a goal and task that are not the member's. */
  others: {} as Record<string, string>,
  foreign: {} as Record<string, string>,
};
let routes: { method: string; path: string }[] = [];

async function asAdmin(method: string, path: string, body?: unknown): Promise<Answer> {
  const answer = await api.call(credential.admin, method, path, body);
  if (answer.status >= 300) throw new Error(`setting up ${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

/** A project with two members, a goal and a task for each (one of them the member's), and an actual. */
async function project(name: string): Promise<Record<string, string>> {
  const projectId = (await asAdmin('POST', '/projects', { ...sampleCharter, name })).body['id'] as string;
  // Subscribed before anything can drift, to a receiver that does not exist: each alert's delivery
  // fails, so there is a failed delivery to retry.
  const subscriptionId = (
    await asAdmin('POST', `/projects/${projectId}/alert-subscriptions`, { channel: 'slack', url: 'http://127.0.0.1:9/nowhere' })
  ).body['id'] as string;
  for (const memberId of ['rep-1', 'rep-2']) {
    await asAdmin('POST', `/projects/${projectId}/members`, {
      memberId,
      name: memberId,
      role: 'Account executive',
      weeklyCapacityHours: 40,
    });
  }
  const goal = async (memberId: string) =>
    (await asAdmin('POST', `/projects/${projectId}/goals`, { ...sampleRevenueGoal, owner: { kind: 'member', memberId } })).body[
      'id'
    ] as string;
  const task = async (memberId: string) =>
    (
      await asAdmin('POST', `/projects/${projectId}/tasks`, {
        title: `Call accounts of ${memberId}`,
        dueDate: '2026-12-15',
        assigneeId: memberId,
      })
    ).body['id'] as string;
  const [goalId, otherGoalId, taskId, otherTaskId] = [await goal('rep-1'), await goal('rep-2'), await task('rep-1'), await task('rep-2')];
  await asAdmin('POST', `/goals/${goalId}/actuals`, {
    actualId: 'a-1',
    value: 1000,
    businessDate: '2026-11-02',
    source: 'CRM',
    externalRef: 'crm-1',
  });
  await asAdmin('POST', `/goals/${otherGoalId}/actuals`, {
    actualId: 'a-1',
    value: 1000,
    businessDate: '2026-11-02',
    source: 'CRM',
    externalRef: 'crm-1',
  });
  // The in-process worker's drift checks find both goals off track (1,000 of 3,000,000).
  const alertOf = async (goal: string) => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const inbox = (await asAdmin('GET', '/me/alerts?limit=500')).body['alerts'] as { alertId: string; goalId?: string }[];
      const found = inbox.find((a) => a.goalId === goal);
      if (found) return found.alertId;
    }
    throw new Error(`no drift alert for goal ${goal}`);
  };
  const [alertId, otherAlertId] = [await alertOf(goalId), await alertOf(otherGoalId)];
  let deliveryId = '';
  for (const deadline = Date.now() + 30_000; !deliveryId && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const failed = (await asAdmin('GET', `/projects/${projectId}/deliveries?status=failed`)).body['deliveries'] as { deliveryId: string }[];
    deliveryId = failed[0]?.deliveryId ?? '';
  }
  if (!deliveryId) throw new Error('no failed delivery');
  const elementId = (
    await asAdmin('POST', `/projects/${projectId}/strategy/elements`, {
      element: { kind: 'segment', name: 'SMB', criteria: ['under 50 staff'], priority: 'high' },
    })
  ).body['id'] as string;
  const cadenceId = (
    await asAdmin('POST', `/projects/${projectId}/meeting-cadences`, {
      title: 'Weekly review',
      kind: 'weekly_review',
      every: 'week',
      weekday: 1,
      attendees: ['rep-1'],
    })
  ).body['id'] as string;
  const issueId = (await asAdmin('POST', `/projects/${projectId}/issues`, { title: 'CRM export fails', severity: 'high' })).body[
    'id'
  ] as string;
  // An import job to poll: a one-row members CSV.
  const form = new FormData();
  form.append('file', new Blob(['Member ID,Name,Role,Weekly capacity\nrep-3,rep-3,Analyst,20\n']), 'members.csv');
  const imported = await fetch(`${api.base}/projects/${projectId}/imports?dryRun=false`, {
    method: 'POST',
    headers: { authorization: credential.admin },
    body: form,
  });
  if (imported.status !== 202) throw new Error(`setting up an import: ${imported.status} ${await imported.text()}`);
  const jobId = ((await imported.json()) as { jobId: string }).jobId;
  return {
    jobId,
    projectId,
    goalId,
    otherGoalId,
    taskId,
    otherTaskId,
    memberId: 'rep-2',
    actualId: 'a-1',
    subscriptionId,
    alertId,
    otherAlertId,
    deliveryId,
    elementId,
    cadenceId,
    issueId,
  };
}

beforeAll(async () => {
  api = await SecuredApi.start({
    WORKER_IN_PROCESS: 'true',
    NOTIFY_SECRET_KEY: 'matrix-notify-key-0123456789abcdefghij',
    DRIFT_DEBOUNCE_MS: '50',
    DELIVERY_ATTEMPTS: '1',
    ALERT_ESCALATE_AFTER_MINUTES: '0',
    // The receiver that does not exist, allowed so that its deliveries are tried and fail.
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW: '127.0.0.1:9',
  });
  for (const subject of SUBJECTS) credential[subject] = `Bearer ${await tokenFor(subject)}`;
  const own = await project('Own project');
  const foreign = await project(FOREIGN_NAME);
  const grants: [Subject, string, string?][] = [
    ['manager', 'manager'],
    ['member', 'member', 'rep-1'],
    ['viewer', 'viewer'],
    ['analyst', 'analyst'],
  ];
  for (const [subject, role, memberId] of grants) {
    await asAdmin('POST', `/projects/${own.projectId}/access`, { subject: `user:${subject}`, role, ...(memberId ? { memberId } : {}) });
  }
  const key = (await asAdmin('POST', '/api-keys', { name: 'matrix-key' })).body['keyId'] as string;
  // A local account that has set its password, for the reset route.
  const invited = await asAdmin('POST', '/invitations', { login: 'matrix.person@example.com' });
  const token = new URL(invited.body['link'] as string).searchParams.get('token');
  const accepted = await new Browser(api.base).call('POST', '/auth/invitations/accept', { token, password: 'matrix password 123' });
  if (accepted.status !== 204) throw new Error(`accepting the invitation: ${accepted.status}`);
  for (const subject of SUBJECTS) sessions[subject] = await sessionOf(subject);
  const common = {
    keyId: key,
    type: 'GoalSet',
    version: '1',
    accountId: invited.body['accountId'] as string,
    sessionId: '00000000-0000-4000-8000-000000000000',
  };
  ids.own = { ...common, ...own };
  ids.others = { ...common, ...own, goalId: own.otherGoalId, taskId: own.otherTaskId, alertId: own.otherAlertId };
  ids.foreign = { ...common, ...foreign };
  const openApi = (await (await fetch(`${api.base}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(openApi.paths)
    // The public routes: what a load balancer, an orchestrator and Prometheus call without a credential, and signing in.
    .filter(([path]) => path !== '/health' && !path.startsWith('/health/') && path !== '/metrics' && !path.startsWith('/auth/'))
    .flatMap(([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })));
});
afterAll(async () => {
  await api?.stop();
});

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for {${name}} in ${path}: add one to the matrix fixture`);
    return encodeURIComponent(values[name]);
  });
}

it('knows every route the API serves, and every route it knows is served', () => {
  const served = routes.map((r) => `${r.method} ${r.path}`).sort();
  expect(served).toEqual(Object.keys(EXPECTED).sort());
});

it.each(VIA)(
  'allows exactly the expected callers on every route, own project and foreign, and refuses the rest without data or writes (%s)',
  async (via) => {
    const failures: string[] = [];
    let checked = 0;
    for (const { method, path } of routes) {
      const expected = EXPECTED[`${method} ${path}`];
      if (!expected) continue; // reported by the test above
      const cases: { label: string; values: Record<string, string>; allowed: Subject[] }[] =
        expected.scope === 'organisation'
          ? [{ label: 'organisation', values: ids.own, allowed: expected.allowed }]
          : [
              { label: 'own project', values: ids.own, allowed: expected.allowed },
              {
                label: "own project, someone else's goal or task",
                values: ids.others,
                allowed: expected.allowed === OWN ? MANAGE : expected.allowed,
              },
              { label: 'foreign project', values: ids.foreign, allowed: ADMIN },
            ];
      for (const { label, values, allowed } of cases) {
        for (const subject of SUBJECTS) {
          const fresh = allowed.includes(subject) ? FRESH[`${method} ${path}`] : undefined;
          const url = fill(path, fresh ? { ...values, ...(await fresh()) } : values);
          const before = await api.eventCount();
          const answer = await callAs(subject, via, method, url, method === 'GET' ? undefined : {});
          checked++;
          const where = `${subject} by ${via} ${method} ${path} (${label}) → ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`;
          if (allowed.includes(subject)) {
            if ([401, 403, 404].includes(answer.status) || answer.status >= 500) failures.push(`should be allowed: ${where}`);
            continue;
          }
          const refusedAs = expected.scope === 'project' && (label === 'foreign project' || subject === 'outsider') ? 404 : 403;
          if (answer.status !== refusedAs) failures.push(`should be ${refusedAs}: ${where}`);
          if (Object.keys(answer.body).some((k) => !['statusCode', 'code', 'message'].includes(k)))
            failures.push(`refusal carries data: ${where}`);
          if (JSON.stringify(answer.body).includes(FOREIGN_NAME)) failures.push(`refusal names the foreign project: ${where}`);
          if ((await api.eventCount()) !== before) failures.push(`refusal wrote events: ${where}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  },
);

it('answers an anonymous caller 401 on every route but the open ones, with no data and no write', async () => {
  const failures: string[] = [];
  for (const { method, path } of routes) {
    const before = await api.eventCount();
    const answer = await api.call(undefined, method, fill(path, ids.own), method === 'GET' ? undefined : {});
    const where = `${method} ${path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`;
    if (answer.status !== 401) failures.push(`should be 401: ${where}`);
    if (Object.keys(answer.body).some((k) => !['statusCode', 'code', 'message'].includes(k)))
      failures.push(`refusal carries data: ${where}`);
    if ((await api.eventCount()) !== before) failures.push(`refusal wrote events: ${where}`);
  }
  expect(failures).toEqual([]);
  expect(routes.length).toBe(Object.keys(EXPECTED).length);
  // The open routes are exactly the documented ones: health for orchestrators, metrics, signing in.
  const openApi = (await (await fetch(`${api.base}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
  const open = Object.keys(openApi.paths).filter((path) => !routes.some((r) => r.path === path));
  expect(open.every((path) => /^\/(health(\/|$)|metrics$|auth\/)/.test(path))).toBe(true);
  expect((await api.call(undefined, 'GET', '/health/live')).status).toBe(200);
});

it('lists only the projects a caller holds a role in', async () => {
  const names = async (subject: Subject) =>
    ((await api.call(credential[subject], 'GET', '/projects?limit=100')).body['projects'] as { name: string }[]).map((p) => p.name).sort();
  expect(await names('admin')).toEqual([FOREIGN_NAME, 'Own project']);
  for (const subject of ['manager', 'member', 'viewer', 'analyst'] as const) expect(await names(subject)).toEqual(['Own project']);
  expect(await names('outsider')).toEqual([]);
});

it('serves each caller the feed of the projects where it reads events, and nothing of the others', async () => {
  const feed = async (subject: Subject, query = '') => {
    const answer = await api.call(credential[subject], 'GET', `/events?limit=1000${query}`);
    expect(answer.status).toBe(200);
    return answer.body['events'] as { projectid?: string; subject: string; type: string }[];
  };
  const everything = await feed('admin');
  expect(new Set(everything.map((e) => e.projectid))).toEqual(new Set([ids.own.projectId, ids.foreign.projectId, undefined]));
  expect(everything.some((e) => e.subject === 'access')).toBe(true);
  for (const subject of ['manager', 'analyst'] as const) {
    const events = await feed(subject);
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((e) => e.projectid === ids.own.projectId && e.subject !== 'access')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(FOREIGN_NAME);
    expect(await api.call(credential[subject], 'GET', `/events?projectId=${ids.foreign.projectId}`)).toMatchObject({
      status: 404,
      body: { code: 'PROJECT_NOT_FOUND' },
    });
  }
  for (const subject of ['member', 'viewer', 'outsider'] as const) expect(await feed(subject)).toEqual([]);
  // A project's own feed keeps the same promise: its grant events (and keys) for admins only.
  const projectFeed = async (subject: Subject) =>
    (await api.call(credential[subject], 'GET', `/projects/${ids.own.projectId}/events?limit=1000`)).body['events'] as {
      subject: string;
      type: string;
    }[];
  expect((await projectFeed('admin')).some((e) => e.subject === 'access' && e.type === 'io.planledger.AccessGranted')).toBe(true);
  for (const subject of ['manager', 'analyst'] as const) {
    const events = await projectFeed(subject);
    expect(events.length).toBeGreaterThan(5);
    expect(events.filter((e) => e.subject === 'access' || /AccessGranted|AccessRevoked|ApiKey/.test(e.type))).toEqual([]);
  }
  const actuals = await feed('analyst', '&type=ActualRecorded');
  expect(actuals.length).toBeGreaterThanOrEqual(2);
  expect(new Set(actuals.map((e) => e.type))).toEqual(new Set(['io.planledger.ActualRecorded']));
});

it('writes the authenticated actor into the event, and refuses a request claiming another', async () => {
  const before = await api.eventCount();
  const claimed = await api.call(
    credential.member,
    'POST',
    `/goals/${ids.own.goalId}/actuals`,
    { value: 5, businessDate: '2026-11-03', source: 'CRM', externalRef: 'crm-claim' },
    { 'x-planledger-actor': 'user:manager' },
  );
  expect(claimed).toMatchObject({ status: 403, body: { code: 'ACTOR_MISMATCH' } });
  expect(await api.eventCount()).toBe(before);
  const recorded = await api.call(credential.member, 'POST', `/goals/${ids.own.goalId}/actuals`, {
    value: 5,
    businessDate: '2026-11-03',
    source: 'CRM',
    externalRef: 'crm-own',
    actor: 'user:manager',
  });
  expect(recorded.status).toBe(400);
  const accepted = await api.call(credential.member, 'POST', `/goals/${ids.own.goalId}/actuals`, {
    value: 5,
    businessDate: '2026-11-03',
    source: 'CRM',
    externalRef: 'crm-own',
  });
  expect(accepted.status).toBe(201);
  expect(await api.lastEvent()).toMatchObject({ type: 'ActualRecorded', metadata: { actor: 'user:member', projectId: ids.own.projectId } });
});

it('records who granted whom access, and stops a revoked API key on the next request', async () => {
  const issued = await api.call(credential.admin, 'POST', '/api-keys', { name: 'crm-feed' });
  expect(issued).toMatchObject({ status: 201, body: { subject: 'service:crm-feed', key: expect.stringMatching(/^plk_/) } });
  expect(issued.headers.get('cache-control')).toBe('no-store');
  const key = `ApiKey ${issued.body['key'] as string}`;
  expect((await api.call(key, 'GET', `/projects/${ids.own.projectId}`)).status).toBe(404);
  await asAdmin('POST', `/projects/${ids.own.projectId}/access`, { subject: 'service:crm-feed', role: 'viewer' });
  expect(await api.lastEvent()).toMatchObject({ type: 'AccessGranted', metadata: { actor: 'user:admin' } });
  expect((await api.call(key, 'GET', `/projects/${ids.own.projectId}`)).status).toBe(200);
  // Listed without its secret.
  const listed = await api.call(credential.admin, 'GET', '/api-keys');
  expect(JSON.stringify(listed.body)).not.toContain((issued.body['key'] as string).split('.')[1]);
  await asAdmin('POST', `/api-keys/${issued.body['keyId'] as string}/revocation`, { reason: 'rotated' });
  expect(await api.call(key, 'GET', `/projects/${ids.own.projectId}`)).toMatchObject({ status: 401, body: { code: 'CREDENTIAL_INVALID' } });
});
