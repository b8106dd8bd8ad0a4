import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { freePort, ServiceProcess } from './support/service-process';
import { TEST_JWT_SECRET, tokenFor } from './support/tokens';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(60_000);

let api: ServiceProcess;
let base: string;
let dir: string;
let adminToken: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'planledger-planning-'));
  const port = await freePort();
  adminToken = await tokenFor('li.na');
  api = ServiceProcess.start(
    'api',
    // No drift checks: their alerts would move the goals' revisions under the revision checks here.
    {
      PORT: String(port),
      EVENT_STORE_URL: 'memory:',
      REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      AUTH_ADMINS: 'user:li.na',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ALERTS_ENABLED: 'false',
    },
    dir,
  );
  await api.waitFor(/listening on/);
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  etag: string | null;
  /** The Idempotent-Replayed header of a command's answer. */
  replayed: string | null;
  body: Record<string, unknown>;
}
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}`, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    replayed: response.headers.get('idempotent-replayed'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

const charter = sampleCharter;
const goal = sampleRevenueGoal;

async function newProject(): Promise<string> {
  const opened = await call('POST', '/projects', charter);
  expect(opened.status).toBe(201);
  return opened.body['id'] as string;
}
async function newGoal(projectId?: string): Promise<string> {
  const set = await call('POST', `/projects/${projectId ?? (await newProject())}/goals`, goal);
  expect(set.status).toBe(201);
  return set.body['id'] as string;
}

describe('projects over HTTP', () => {
  it('opens a project and shows it with its revision as ETag', async () => {
    const opened = await call('POST', '/projects', charter);
    expect(opened).toMatchObject({
      status: 201,
      etag: '"0"',
      body: { revision: 0, events: ['ProjectOpened'], position: expect.any(String) },
    });
    const shown = await call('GET', `/projects/${opened.body['id']}`);
    expect(shown).toMatchObject({
      status: 200,
      etag: '"0"',
      body: { status: 'open', charter: { ...charter, smartPolicy: { onFailure: 'warn', achievableMultiple: 3 } }, goals: [] },
    });
  });

  it('refuses a project whose body is wrong, naming every bad field, and writes nothing', async () => {
    const refused = await call('POST', '/projects', {
      ...charter,
      currency: 'euro',
      periodStart: 'soon',
      timeZone: 'Mars/Olympus',
      extra: 1,
    });
    expect(refused.status).toBe(400);
    expect((refused.body['issues'] as { path: string }[]).map((i) => i.path).sort()).toEqual([
      '(body)',
      'currency',
      'periodStart',
      'timeZone',
    ]);
  });

  it('refuses a period that ends before it starts (422 with a stable code)', async () => {
    expect(await call('POST', '/projects', { ...charter, periodEnd: '2026-09-01' })).toMatchObject({
      status: 422,
      body: { code: 'PERIOD_INVALID' },
    });
  });

  it('amends the charter with a reason, and refuses an amendment that changes nothing', async () => {
    const projectId = await newProject();
    expect(
      await call('POST', `/projects/${projectId}/charter-amendments`, { changes: { name: 'Q4 East and North' }, reason: 'north joined' }),
    ).toMatchObject({
      status: 200,
      body: { revision: 1, events: ['ProjectCharterAmended'] },
    });
    expect(
      await call('POST', `/projects/${projectId}/charter-amendments`, { changes: { name: 'Q4 East and North' }, reason: 'again' }),
    ).toMatchObject({
      status: 422,
      body: { code: 'NOTHING_TO_CHANGE' },
    });
  });

  it('closes a project, which then refuses every change', async () => {
    const projectId = await newProject();
    expect(await call('POST', `/projects/${projectId}/closure`, { reason: 'quarter ended' })).toMatchObject({
      status: 200,
      body: { events: ['ProjectClosed'] },
    });
    expect(await call('POST', `/projects/${projectId}/closure`, { reason: 'quarter ended' })).toMatchObject({
      status: 422,
      body: { code: 'PROJECT_CLOSED' },
    });
    expect(await call('POST', `/projects/${projectId}/goals`, goal)).toMatchObject({ status: 422, body: { code: 'PROJECT_CLOSED' } });
  });

  it('answers 404 for an unknown project, and 401 without a valid credential, writing nothing', async () => {
    expect(await call('GET', '/projects/nope')).toMatchObject({ status: 404, body: { code: 'PROJECT_NOT_FOUND' } });
    const before = (await call('GET', '/projects?limit=1000')).body['projects'];
    expect(await call('POST', '/projects', charter, { authorization: '' })).toMatchObject({
      status: 401,
      body: { code: 'CREDENTIAL_REQUIRED' },
    });
    expect(await call('POST', '/projects', charter, { authorization: 'Bearer not.a.token' })).toMatchObject({
      status: 401,
      body: { code: 'CREDENTIAL_INVALID' },
    });
    const forged = await tokenFor('li.na', { secret: 'another-secret-that-is-long-enough-0123456789abc' });
    expect(await call('POST', '/projects', charter, { authorization: `Bearer ${forged}` })).toMatchObject({
      status: 401,
      body: { code: 'CREDENTIAL_INVALID' },
    });
    const expired = await tokenFor('li.na', { expiresIn: '-5m' });
    expect(await call('POST', '/projects', charter, { authorization: `Bearer ${expired}` })).toMatchObject({
      status: 401,
      body: { message: 'the token has expired' },
    });
    expect((await call('GET', '/projects?limit=1000')).body['projects']).toEqual(before);
  });

  it('logs every request with its actor and never the credential', async () => {
    await call('GET', '/projects?limit=1');
    // The log line is written after the answer: wait for it rather than for a fixed time.
    await api.waitFor(/"url":"\/projects\?limit=1"/, 10_000);
    expect(api.output).toContain('"authorization":"[redacted]"');
    expect(api.output).toContain('"actor":"user:li.na"');
    expect(api.output).not.toContain(adminToken);
  });

  it('names the authenticated actor in every event, whatever the request claims', async () => {
    expect(await call('POST', '/projects', charter, { 'x-planledger-actor': 'user:someone-else' })).toMatchObject({
      status: 403,
      body: { code: 'ACTOR_MISMATCH' },
    });
    const opened = await call('POST', '/projects', { ...charter, actor: 'user:someone-else' });
    expect(opened.status).toBe(400);
    const accepted = await call('POST', '/projects', charter, { 'x-planledger-actor': 'user:li.na' });
    expect(accepted.status).toBe(201);
  });
});

describe('goals over HTTP', () => {
  it('sets a goal with its SMART assessment and lists it under its project', async () => {
    const projectId = await newProject();
    const goalId = await newGoal(projectId);
    const shown = await call('GET', `/goals/${goalId}`);
    expect(shown).toMatchObject({
      status: 200,
      etag: '"0"',
      body: { projectId, status: 'active', target: 3_000_000, smart: { achievable: { ok: true } } },
    });
    const project = await call('GET', `/projects/${projectId}`);
    expect(project.body['goals']).toEqual([expect.objectContaining({ goalId, title: 'East region revenue' })]);
  });

  it('reports whether child goals add up to their parent', async () => {
    const projectId = await newProject();
    const parentId = await newGoal(projectId);
    const child = { ...goal, title: 'North half', target: 1_000_000, baseline: 800_000, parentGoalId: parentId };
    expect((await call('POST', `/projects/${projectId}/goals`, child)).status).toBe(201);
    const project = await call('GET', `/projects/${projectId}`);
    const parent = (project.body['goals'] as { goalId: string; decomposition?: unknown }[]).find((g) => g.goalId === parentId);
    expect(parent?.decomposition).toEqual({
      parentTarget: 3_000_000,
      childrenTargetSum: 1_000_000,
      gap: 2_000_000,
      addsUp: false,
      activeChildren: 1,
    });
    expect(await call('POST', `/projects/${projectId}/goals`, { ...child, kpi: { ...goal.kpi, unit: 'deals' } })).toMatchObject({
      status: 422,
      body: { code: 'CHILD_UNIT_MISMATCH' },
    });
  });

  it('refuses a goal outside the project period', async () => {
    const projectId = await newProject();
    expect(await call('POST', `/projects/${projectId}/goals`, { ...goal, deadline: '2027-02-01' })).toMatchObject({
      status: 422,
      body: { code: 'GOAL_OUTSIDE_PROJECT_PERIOD' },
    });
  });

  it.each([
    [
      'target-adjustments',
      { target: 3_500_000, reason: 'pipeline review' },
      'GoalTargetAdjusted',
      { target: 3_500_000, reason: 'same again' },
      'NOTHING_TO_CHANGE',
    ],
    [
      'rephasings',
      { phasing: { kind: 'linear' }, reason: 'even months' },
      'GoalRephased',
      { phasing: { kind: 'monthly', weights: [0.5, 0.5] }, reason: 'two months' },
      'PHASING_MISMATCH',
    ],
    [
      'owner-changes',
      { owner: { kind: 'team' }, reason: 'back to team' },
      null,
      { owner: { kind: 'member', memberId: 'ghost' }, reason: 'hand over' },
      'OWNER_NOT_A_MEMBER',
    ],
    ['withdrawal', { reason: 'merged into national goal' }, 'GoalWithdrawn', null, null],
  ] as const)('POST /goals/{id}/%s applies and refuses by the rules', async (path, accepted, event, rejected, code) => {
    const goalId = await newGoal();
    if (event)
      expect(await call('POST', `/goals/${goalId}/${path}`, accepted)).toMatchObject({
        status: 200,
        etag: '"1"',
        body: { revision: 1, events: [event] },
      });
    else
      expect(await call('POST', `/goals/${goalId}/${path}`, accepted)).toMatchObject({ status: 422, body: { code: 'NOTHING_TO_CHANGE' } });
    if (rejected && code) expect(await call('POST', `/goals/${goalId}/${path}`, rejected)).toMatchObject({ status: 422, body: { code } });
  });

  it('refuses to withdraw a goal twice', async () => {
    const goalId = await newGoal();
    expect(await call('POST', `/goals/${goalId}/withdrawal`, { reason: 'merged into national goal' })).toMatchObject({ status: 200 });
    expect(await call('POST', `/goals/${goalId}/withdrawal`, { reason: 'again' })).toMatchObject({
      status: 422,
      body: { code: 'GOAL_WITHDRAWN' },
    });
  });

  it('moves a deadline when the phasing fits, and refuses one after the project', async () => {
    const goalId = await newGoal();
    await call('POST', `/goals/${goalId}/rephasings`, { phasing: { kind: 'linear' }, reason: 'even months' });
    expect(await call('POST', `/goals/${goalId}/deadline-moves`, { deadline: '2026-12-20', reason: 'holidays' })).toMatchObject({
      status: 200,
      body: { events: ['GoalDeadlineMoved'] },
    });
    expect(await call('POST', `/goals/${goalId}/deadline-moves`, { deadline: '2027-01-10', reason: 'slip' })).toMatchObject({
      status: 422,
      body: { code: 'GOAL_OUTSIDE_PROJECT_PERIOD' },
    });
  });

  it('records actuals once per external reference and corrects them with a reason', async () => {
    const goalId = await newGoal();
    const actual = { value: 120_000, businessDate: '2026-10-15', source: 'CRM', externalRef: 'crm-4711' };
    const recorded = await call('POST', `/goals/${goalId}/actuals`, actual);
    expect(recorded).toMatchObject({ status: 201, body: { events: ['ActualRecorded'] } });
    expect(await call('POST', `/goals/${goalId}/actuals`, actual)).toMatchObject({
      status: 201,
      body: { events: [], revision: 1, position: null },
    });
    expect(await call('POST', `/goals/${goalId}/actuals`, { ...actual, externalRef: 'crm-1', businessDate: '2027-03-01' })).toMatchObject({
      status: 422,
      body: { code: 'ACTUAL_OUTSIDE_GOAL_PERIOD' },
    });
    const actualId = recorded.body['id'];
    expect(
      await call('POST', `/goals/${goalId}/actuals/${actualId}/corrections`, { value: 102_000, reason: 'invoice credited' }),
    ).toMatchObject({ status: 200, body: { events: ['ActualCorrected'] } });
    expect(await call('POST', `/goals/${goalId}/actuals/unknown/corrections`, { value: 1, reason: 'typo fixed' })).toMatchObject({
      status: 404,
      body: { code: 'ACTUAL_NOT_FOUND' },
    });
    expect((await call('GET', `/goals/${goalId}`)).body['actuals']).toEqual([
      { actualId, value: 102_000, businessDate: '2026-10-15', source: 'CRM', externalRef: 'crm-4711' },
    ]);
  });

  it('refuses bad bodies naming the fields, malformed JSON, and a malformed If-Match', async () => {
    const goalId = await newGoal();
    expect(await call('POST', `/goals/${goalId}/target-adjustments`, { target: 'lots', reason: '' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', issues: [{ path: 'target' }, { path: 'reason' }] },
    });
    expect((await call('POST', `/goals/${goalId}/target-adjustments`, '{"target": 1,')).status).toBe(400);
    expect(
      await call('POST', `/goals/${goalId}/target-adjustments`, { target: 1, reason: 'x y z' }, { 'if-match': 'yesterday' }),
    ).toMatchObject({ status: 400, body: { code: 'IF_MATCH_INVALID' } });
  });

  it('applies exactly one of 50 concurrent adjustments sent with the same If-Match; the rest get 412', async () => {
    const goalId = await newGoal();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call('POST', `/goals/${goalId}/target-adjustments`, { target: 1_000_000 + i, reason: `review ${i}` }, { 'if-match': '"0"' }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 412)).toHaveLength(49);
    expect((await call('GET', `/goals/${goalId}`)).etag).toBe('"1"');
  });

  it('applies all of 50 concurrent adjustments without If-Match, each exactly once', async () => {
    const goalId = await newGoal();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call('POST', `/goals/${goalId}/target-adjustments`, { target: 1_000_000 + i, reason: `review ${i}` }),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.map((a) => a.body['revision']).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect((await call('GET', `/goals/${goalId}`)).etag).toBe('"50"');
  });
});

describe('the team over HTTP', () => {
  const wang = {
    memberId: 'wang-fang',
    name: 'Wang Fang',
    role: 'Account executive',
    responsibilities: ['East key accounts'],
    skills: [{ skill: 'negotiation', level: 4 }],
    weeklyCapacityHours: 40,
  };
  const chen = {
    memberId: 'chen-jie',
    name: 'Chen Jie',
    role: 'Sales development',
    skills: [{ skill: 'negotiation', level: 2 }],
    weeklyCapacityHours: 30,
    reportsTo: 'wang-fang',
  };

  it('takes members, and refuses one reporting to a non-member', async () => {
    const projectId = await newProject();
    expect(await call('POST', `/projects/${projectId}/members`, chen)).toMatchObject({
      status: 422,
      body: { code: 'REPORTS_TO_NOT_A_MEMBER' },
    });
    expect(await call('POST', `/projects/${projectId}/members`, wang)).toMatchObject({
      status: 201,
      body: { id: 'wang-fang', events: ['MemberJoined'] },
    });
    expect(await call('POST', `/projects/${projectId}/members`, chen)).toMatchObject({ status: 201, body: { revision: 1 } });
    expect(await call('POST', `/projects/${projectId}/members`, { ...wang, skills: [{ skill: 'crm', level: 9 }] })).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'skills.0.level' }] },
    });
  });

  it('changes a role with a reason, and refuses one that changes nothing', async () => {
    const projectId = await newProject();
    await call('POST', `/projects/${projectId}/members`, wang);
    expect(
      await call('POST', `/projects/${projectId}/members/wang-fang/role-changes`, {
        role: 'Team lead',
        responsibilities: ['East region'],
        reason: 'promoted',
      }),
    ).toMatchObject({
      status: 200,
      body: { events: ['MemberRoleChanged'] },
    });
    expect(
      await call('POST', `/projects/${projectId}/members/wang-fang/role-changes`, {
        role: 'Team lead',
        responsibilities: ['East region'],
        reason: 'again',
      }),
    ).toMatchObject({
      status: 422,
      body: { code: 'NOTHING_TO_CHANGE' },
    });
  });

  it('lets a member leave with a hand-over, and refuses a hand-over to a non-member', async () => {
    const projectId = await newProject();
    await call('POST', `/projects/${projectId}/members`, wang);
    await call('POST', `/projects/${projectId}/members`, chen);
    expect(
      await call('POST', `/projects/${projectId}/members/chen-jie/departure`, { handOverTo: 'ghost', reason: 'moved to north' }),
    ).toMatchObject({ status: 422, body: { code: 'HAND_OVER_NOT_A_MEMBER' } });
    expect(
      await call('POST', `/projects/${projectId}/members/chen-jie/departure`, { handOverTo: 'wang-fang', reason: 'moved to north' }),
    ).toMatchObject({ status: 200, body: { events: ['MemberLeft'] } });
    expect((await call('GET', `/projects/${projectId}/team`)).body['members']).toEqual([
      expect.objectContaining({ memberId: 'wang-fang' }),
    ]);
  });

  it('shows which skill requirements are covered and by whom', async () => {
    const projectId = await newProject();
    await call('POST', `/projects/${projectId}/members`, wang);
    await call('POST', `/projects/${projectId}/members`, chen);
    expect(
      await call('POST', `/projects/${projectId}/skill-requirements`, { skill: 'negotiation', minLevel: 3, headcount: 2 }),
    ).toMatchObject({ status: 200 });
    expect(
      await call('POST', `/projects/${projectId}/skill-requirements`, { skill: 'negotiation', minLevel: 3, headcount: 2 }),
    ).toMatchObject({ status: 422, body: { code: 'NOTHING_TO_CHANGE' } });
    expect((await call('GET', `/projects/${projectId}/team`)).body['skillCoverage']).toEqual([
      { skill: 'negotiation', minLevel: 3, headcount: 2, coveredBy: ['wang-fang'], covered: false },
    ]);
  });

  it('lets a current member own a goal, and hands a goal to a member', async () => {
    const projectId = await newProject();
    await call('POST', `/projects/${projectId}/members`, wang);
    expect(await call('POST', `/projects/${projectId}/goals`, { ...goal, owner: { kind: 'member', memberId: 'wang-fang' } })).toMatchObject(
      { status: 201 },
    );
    const goalId = await newGoal(projectId);
    expect(
      await call('POST', `/goals/${goalId}/owner-changes`, {
        owner: { kind: 'member', memberId: 'wang-fang' },
        reason: 'she owns the east',
      }),
    ).toMatchObject({
      status: 200,
      body: { events: ['GoalOwnerChanged'] },
    });
  });
});

describe('tasks over HTTP', () => {
  const wang = { memberId: 'wang-fang', name: 'Wang Fang', role: 'Account executive', weeklyCapacityHours: 40 };
  const chen = { memberId: 'chen-jie', name: 'Chen Jie', role: 'Sales development', weeklyCapacityHours: 30 };

  async function projectWithTeam(): Promise<{ projectId: string; goalId: string }> {
    const projectId = await newProject();
    await call('POST', `/projects/${projectId}/members`, wang);
    await call('POST', `/projects/${projectId}/members`, chen);
    return { projectId, goalId: await newGoal(projectId) };
  }
  async function newTask(projectId: string, goalId: string, extra: object = {}): Promise<string> {
    const planned = await call('POST', `/projects/${projectId}/tasks`, {
      title: 'Call the top 20 accounts',
      goalId,
      dueDate: '2026-11-30',
      ...extra,
    });
    expect(planned).toMatchObject({ status: 201, body: { events: ['TaskPlanned'] } });
    return planned.body['id'] as string;
  }

  it('plans a task linked to a goal and lists it under the project; refuses an unknown goal or a non-member assignee', async () => {
    const { projectId, goalId } = await projectWithTeam();
    const taskId = await newTask(projectId, goalId, { assigneeId: 'wang-fang', estimateHours: 12 });
    expect(await call('GET', `/tasks/${taskId}`)).toMatchObject({
      status: 200,
      etag: '"0"',
      body: { status: 'planned', goalId, assigneeId: 'wang-fang', estimateHours: 12 },
    });
    expect((await call('GET', `/projects/${projectId}`)).body['tasks']).toEqual([expect.objectContaining({ taskId, status: 'planned' })]);
    expect(await call('POST', `/projects/${projectId}/tasks`, { title: 'x', goalId: 'nope', dueDate: '2026-11-30' })).toMatchObject({
      status: 404,
      body: { code: 'GOAL_NOT_FOUND' },
    });
    expect(await call('POST', `/projects/${projectId}/tasks`, { title: 'x', assigneeId: 'ghost', dueDate: '2026-11-30' })).toMatchObject({
      status: 422,
      body: { code: 'ASSIGNEE_NOT_A_MEMBER' },
    });
  });

  it('assigns, then reassigns only with a reason', async () => {
    const { projectId, goalId } = await projectWithTeam();
    const taskId = await newTask(projectId, goalId);
    expect(await call('POST', `/tasks/${taskId}/assignment`, { assigneeId: 'ghost' })).toMatchObject({
      status: 422,
      body: { code: 'ASSIGNEE_NOT_A_MEMBER' },
    });
    expect(await call('POST', `/tasks/${taskId}/assignment`, { assigneeId: 'wang-fang' })).toMatchObject({
      status: 200,
      body: { events: ['TaskAssigned'] },
    });
    expect(await call('POST', `/tasks/${taskId}/reassignment`, { assigneeId: 'chen-jie' })).toMatchObject({
      status: 422,
      body: { code: 'REASON_REQUIRED' },
    });
    expect(await call('POST', `/tasks/${taskId}/reassignment`, { assigneeId: 'chen-jie', reason: 'Wang is on leave' })).toMatchObject({
      status: 200,
      body: { revision: 2 },
    });
  });

  it('runs a task from start through progress, block, unblock to completion, refusing steps out of order', async () => {
    const { projectId, goalId } = await projectWithTeam();
    const taskId = await newTask(projectId, goalId);
    expect(await call('POST', `/tasks/${taskId}/start`, {})).toMatchObject({ status: 422, body: { code: 'TASK_UNASSIGNED' } });
    await call('POST', `/tasks/${taskId}/assignment`, { assigneeId: 'wang-fang' });
    expect(await call('POST', `/tasks/${taskId}/progress`, { percent: 10 })).toMatchObject({
      status: 422,
      body: { code: 'TASK_NOT_IN_PROGRESS' },
    });
    expect(await call('POST', `/tasks/${taskId}/start`, {})).toMatchObject({ status: 200, body: { events: ['TaskStarted'] } });
    expect(await call('POST', `/tasks/${taskId}/progress`, { percent: 40, note: '8 of 20 called' })).toMatchObject({
      status: 200,
      body: { events: ['TaskProgressReported'] },
    });
    expect(await call('POST', `/tasks/${taskId}/progress`, { percent: 140 })).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'percent' }] },
    });
    expect(await call('POST', `/tasks/${taskId}/block`, { reason: 'waiting for price approval' })).toMatchObject({
      status: 200,
      body: { events: ['TaskBlocked'] },
    });
    expect(await call('POST', `/tasks/${taskId}/block`, { reason: 'still waiting' })).toMatchObject({
      status: 422,
      body: { code: 'TASK_ALREADY_BLOCKED' },
    });
    expect(await call('POST', `/tasks/${taskId}/completion`, {})).toMatchObject({ status: 422, body: { code: 'TASK_BLOCKED' } });
    expect(await call('POST', `/tasks/${taskId}/unblock`, { note: 'approved' })).toMatchObject({
      status: 200,
      body: { events: ['TaskUnblocked'] },
    });
    expect(await call('POST', `/tasks/${taskId}/unblock`, {})).toMatchObject({ status: 422, body: { code: 'TASK_NOT_BLOCKED' } });
    expect(await call('POST', `/tasks/${taskId}/completion`, { note: 'all called' })).toMatchObject({
      status: 200,
      body: { events: ['TaskCompleted'] },
    });
    expect(await call('GET', `/tasks/${taskId}`)).toMatchObject({ body: { status: 'completed', percent: 100 } });
    expect(await call('POST', `/tasks/${taskId}/cancellation`, { reason: 'too late' })).toMatchObject({
      status: 422,
      body: { code: 'TASK_CLOSED' },
    });
  });

  it('moves a due date with a reason inside the project, and cancels with a reason', async () => {
    const { projectId, goalId } = await projectWithTeam();
    const taskId = await newTask(projectId, goalId);
    expect(await call('POST', `/tasks/${taskId}/due-date-moves`, { dueDate: '2026-12-10', reason: 'customer holidays' })).toMatchObject({
      status: 200,
      body: { events: ['TaskDueDateMoved'] },
    });
    expect(await call('POST', `/tasks/${taskId}/due-date-moves`, { dueDate: '2027-01-10', reason: 'slip' })).toMatchObject({
      status: 422,
      body: { code: 'DUE_DATE_OUTSIDE_PROJECT_PERIOD' },
    });
    expect(await call('POST', `/tasks/${taskId}/cancellation`, { reason: '' })).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'reason' }] },
    });
    expect(await call('POST', `/tasks/${taskId}/cancellation`, { reason: 'accounts moved to key account team' })).toMatchObject({
      status: 200,
      body: { events: ['TaskCancelled'] },
    });
    expect(await call('GET', '/tasks/nope')).toMatchObject({ status: 404, body: { code: 'TASK_NOT_FOUND' } });
  });
});

describe('Idempotency-Key over HTTP', () => {
  it('writes one event for 1,000 repeated submissions of one command with one key, all answered alike', async () => {
    const goalId = await newGoal();
    const body = { target: 3_300_000, reason: 'pipeline review' };
    const answers: Answer[] = [];
    for (let batch = 0; batch < 50; batch++) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, () => call('POST', `/goals/${goalId}/target-adjustments`, body, { 'idempotency-key': 'adjust-1' })),
        )),
      );
    }
    expect(answers).toHaveLength(1000);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // One of them wrote; every other one says it is a replay, and all say the same otherwise.
    expect(answers.filter((a) => a.body['replayed'] === false)).toHaveLength(1);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(999);
    expect(new Set(answers.map((a) => JSON.stringify({ ...a.body, replayed: undefined }))).size).toBe(1);
    expect((await call('GET', `/goals/${goalId}`)).etag).toBe('"1"');
  });

  it('refuses the same key with another body, and creates a project once per key', async () => {
    const goalId = await newGoal();
    await call('POST', `/goals/${goalId}/target-adjustments`, { target: 3_300_000, reason: 'review' }, { 'idempotency-key': 'k-1' });
    expect(
      await call('POST', `/goals/${goalId}/target-adjustments`, { target: 3_400_000, reason: 'review' }, { 'idempotency-key': 'k-1' }),
    ).toMatchObject({
      status: 422,
      body: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
    const first = await call('POST', '/projects', charter, { 'idempotency-key': 'open-q4' });
    const second = await call('POST', '/projects', charter, { 'idempotency-key': 'open-q4' });
    expect(first.status).toBe(201);
    expect([first.replayed, second.replayed]).toEqual(['false', 'true']);
    expect(second.body).toEqual({ ...first.body, replayed: true });
  });
});

describe('batch actuals over HTTP', () => {
  const rows = (count: number, from = 0) =>
    Array.from({ length: count }, (_, i) => ({
      value: 100 + i,
      businessDate: `2026-10-${String(1 + ((from + i) % 28)).padStart(2, '0')}`,
      source: 'CRM export',
      externalRef: `crm-${from + i}`,
    }));

  it('records 10,000 actuals from one request, and nothing when the same feed is resent', async () => {
    const goalId = await newGoal();
    expect(await call('POST', `/goals/${goalId}/actuals/batch`, { actuals: rows(10_000) })).toMatchObject({
      status: 200,
      body: { recorded: 10_000, skipped: 0, revision: 10_000 },
    });
    expect(await call('POST', `/goals/${goalId}/actuals/batch`, { actuals: [...rows(10), ...rows(5, 10_000)] })).toMatchObject({
      status: 200,
      body: { recorded: 5, skipped: 10 },
    });
    expect((await call('GET', `/goals/${goalId}`)).etag).toBe('"10005"');
  }, 60_000);

  it('refuses a batch with a bad row naming it and writes nothing, and refuses more than 10,000 rows', async () => {
    const goalId = await newGoal();
    const bad = rows(3);
    bad[2] = { ...bad[2], businessDate: '2027-06-01' };
    expect(await call('POST', `/goals/${goalId}/actuals/batch`, { actuals: bad })).toMatchObject({
      status: 422,
      body: { code: 'ACTUAL_OUTSIDE_GOAL_PERIOD', message: expect.stringMatching(/^actuals\[2\]/) },
    });
    expect((await call('GET', `/goals/${goalId}`)).etag).toBe('"0"');
    expect(await call('POST', `/goals/${goalId}/actuals/batch`, { actuals: rows(10_001) })).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'actuals' }] },
    });
    expect(
      await call('POST', `/goals/${goalId}/actuals/batch`, { actuals: [{ value: 1, businessDate: '2026-10-02', source: 'CRM' }] }),
    ).toMatchObject({ status: 400, body: { issues: [{ path: 'actuals.0.externalRef' }] } });
  }, 60_000);

  it('keeps other bodies small: a 300 kB body elsewhere gets 413', async () => {
    const projectId = await newProject();
    expect(
      await call('POST', `/projects/${projectId}/charter-amendments`, {
        changes: { description: 'x'.repeat(300_000) },
        reason: 'long text',
      }),
    ).toMatchObject({ status: 413, body: { code: 'BODY_TOO_LARGE' } });
  });
});

describe('listing projects', () => {
  it('pages through projects in the order they were opened', async () => {
    const ids = [await newProject(), await newProject(), await newProject()];
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Answer = await call('GET', `/projects?limit=2${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body['projects'] as { projectId: string }[]).map((p) => p.projectId));
      after = page.body['next'] as string | null;
    } while (after);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a bad limit or cursor, naming it', async () => {
    expect(await call('GET', '/projects?limit=500')).toMatchObject({ status: 400, body: { issues: [{ path: 'limit' }] } });
    expect(await call('GET', '/projects?after=yesterday')).toMatchObject({ status: 400, body: { issues: [{ path: 'after' }] } });
  });
});

describe('project history over HTTP', () => {
  it('lists every change in order with who, when, what and why, filtered and a page at a time', async () => {
    const projectId = await newProject();
    const goalId = await newGoal(projectId);
    await call('POST', `/projects/${projectId}/members`, {
      memberId: 'rep-7',
      name: 'Rep Seven',
      role: 'Account executive',
      weeklyCapacityHours: 40,
    });
    await call('POST', `/goals/${goalId}/target-adjustments`, { target: 3_300_000, reason: 'pipeline review' });
    await call('POST', `/goals/${goalId}/actuals`, { value: 1200, businessDate: '2026-11-03', source: 'CRM', externalRef: 'crm-h1' });
    await call('POST', `/projects/${projectId}/tasks`, { title: 'Call the top accounts', dueDate: '2026-12-01', assigneeId: 'rep-7' });

    const all = await call('GET', `/projects/${projectId}/history`);
    expect(all.status).toBe(200);
    const entries = all.body['entries'] as Record<string, unknown>[];
    expect(entries.map((e) => e['type'])).toEqual([
      'ProjectOpened',
      'GoalSet',
      'MemberJoined',
      'GoalTargetAdjusted',
      'ActualRecorded',
      'TaskPlanned',
    ]);
    expect(entries[3]).toMatchObject({ kind: 'goal', actor: 'user:li.na', reason: 'pipeline review', before: 3_000_000, after: 3_300_000 });
    expect(entries[4]).toMatchObject({ occurredAt: '2026-11-03', reason: null });
    expect(all.body['next']).toBeNull();

    const goals = await call('GET', `/projects/${projectId}/history?kind=goal`);
    expect((goals.body['entries'] as { type: string }[]).map((e) => e.type)).toEqual(['GoalSet', 'GoalTargetAdjusted', 'ActualRecorded']);
    const member = await call('GET', `/projects/${projectId}/history?memberId=rep-7`);
    expect((member.body['entries'] as { type: string }[]).map((e) => e.type)).toEqual(['MemberJoined', 'TaskPlanned']);
    expect((await call('GET', `/projects/${projectId}/history?actor=user:nobody`)).body['entries']).toEqual([]);

    const first = await call('GET', `/projects/${projectId}/history?limit=4`);
    const rest = await call('GET', `/projects/${projectId}/history?limit=4&after=${String(first.body['next'])}`);
    expect([...(first.body['entries'] as unknown[]), ...(rest.body['entries'] as unknown[])]).toEqual(entries);
    expect(rest.body['next']).toBeNull();

    // One task's changes, for the task drawer's history.
    const taskId = (entries[5]['data'] as { taskId: string }).taskId;
    await call('POST', `/projects/${projectId}/tasks`, { title: 'Another task', dueDate: '2026-12-02' });
    await call('POST', `/tasks/${taskId}/block`, { reason: 'waiting for the price list' });
    const task = await call('GET', `/projects/${projectId}/history?taskId=${taskId}`);
    expect((task.body['entries'] as { type: string; reason: string | null }[]).map((e) => [e.type, e.reason])).toEqual([
      ['TaskPlanned', null],
      ['TaskBlocked', 'waiting for the price list'],
    ]);
  });

  it('refuses bad filters, naming them, and answers 404 for an unknown project', async () => {
    const projectId = await newProject();
    expect(await call('GET', `/projects/${projectId}/history?limit=0`)).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'limit' }] },
    });
    expect(await call('GET', `/projects/${projectId}/history?kind=budget`)).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'kind' }] },
    });
    expect(await call('GET', `/projects/${projectId}/history?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`)).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'from' }] },
    });
    expect(await call('GET', '/projects/nope/history')).toMatchObject({ status: 404, body: { code: 'PROJECT_NOT_FOUND' } });
  });
});

describe('time travel over HTTP', () => {
  it('answers the plan as it stood at a past moment, and the diff since with reasons', async () => {
    const projectId = await newProject();
    const goalId = await newGoal(projectId);
    await new Promise((r) => setTimeout(r, 20));
    const then = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await call('POST', `/goals/${goalId}/target-adjustments`, { target: 3_400_000, reason: 'board raised the bar' });
    const now = new Date(Date.now() + 1000).toISOString();

    const past = await call('GET', `/projects/${projectId}/plan?asOf=${then}`);
    expect(past).toMatchObject({ status: 200, body: { asOf: then, goals: [{ goalId, target: 3_000_000 }] } });
    expect((await call('GET', `/projects/${projectId}/plan?asOf=${now}`)).body).toMatchObject({ goals: [{ goalId, target: 3_400_000 }] });
    const diff = await call('GET', `/projects/${projectId}/plan/diff?from=${then}&to=${now}`);
    expect(diff.body['goals']).toEqual([
      expect.objectContaining({
        id: goalId,
        change: 'retargeted',
        before: 3_000_000,
        after: 3_400_000,
        reasons: [expect.objectContaining({ reason: 'board raised the bar', actor: 'user:li.na' })],
      }),
    ]);
  });

  it('refuses a missing or malformed moment, naming it', async () => {
    const projectId = await newProject();
    expect(await call('GET', `/projects/${projectId}/plan`)).toMatchObject({ status: 400, body: { issues: [{ path: 'asOf' }] } });
    expect(await call('GET', `/projects/${projectId}/plan?asOf=yesterday`)).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'asOf' }] },
    });
    expect(await call('GET', `/projects/${projectId}/plan/diff?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`)).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'from' }] },
    });
    expect(await call('GET', `/projects/nope/plan?asOf=2026-11-01T00:00:00Z`)).toMatchObject({ status: 404 });
  });
});

describe('progress over HTTP', () => {
  it('judges each goal against its plan on a given day, with the daily series, and rolls children up into the parent', async () => {
    const projectId = await newProject();
    const linear = {
      ...goal,
      phasing: { kind: 'linear' },
      startDate: '2026-11-01',
      deadline: '2026-11-30',
      target: 30_000,
      baseline: 20_000,
    };
    const parentId = (await call('POST', `/projects/${projectId}/goals`, linear)).body['id'] as string;
    const childA = (
      await call('POST', `/projects/${projectId}/goals`, { ...linear, target: 15_000, baseline: 10_000, parentGoalId: parentId })
    ).body['id'] as string;
    const childB = (
      await call('POST', `/projects/${projectId}/goals`, { ...linear, target: 15_000, baseline: 10_000, parentGoalId: parentId })
    ).body['id'] as string;
    await call('POST', `/goals/${childA}/actuals`, { value: 5_000, businessDate: '2026-11-05', source: 'CRM', externalRef: 'p-a1' });
    const last = await call('POST', `/goals/${childB}/actuals`, {
      value: 1_000,
      businessDate: '2026-11-05',
      source: 'CRM',
      externalRef: 'p-b1',
    });
    const wrote = String(last.body['position']);

    // Read-your-writes: given the position the last command returned, the view waits for it.
    const a = await call('GET', `/goals/${childA}/progress?date=2026-11-10&minPosition=${wrote}`);
    expect(a).toMatchObject({
      status: 200,
      body: { goalId: childA, actualToDate: 5_000, expectedToDate: 5_000, pace: 1, status: 'on_track', caughtUp: true },
    });
    expect((a.body['series'] as unknown[]).length).toBe(10);
    // 5,000 in the first 10 of 30 days: 15,000 by the run rate so far and by the trailing window's (the same days here).
    expect(a.body['forecastRange']).toEqual({ low: 15_000, high: 15_000 });
    expect((await call('GET', `/goals/${childB}/progress?date=2026-11-10`)).body).toMatchObject({ pace: 0.2, status: 'off_track' });

    const project = await call('GET', `/projects/${projectId}/progress?date=2026-11-10&minPosition=${wrote}`);
    expect(project.body).toMatchObject({ caughtUp: true, position: expect.any(String) });
    expect((project.body['goals'] as unknown[]).length).toBe(3);
    const parent = (project.body['goals'] as { goalId: string; children?: unknown }[]).find((g) => g.goalId === parentId);
    expect(parent?.children).toEqual({ count: 2, actualToDate: 6_000, expectedToDate: 10_000, offTrack: [childB] });
    expect(await call('GET', `/goals/${childA}/progress?date=11/10/2026`)).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'date' }] },
    });
  });
});

describe('the team and task boards over HTTP', () => {
  it('shows tasks by status, assignee and overdue, and each member’s load against capacity and attainment', async () => {
    const projectId = await newProject();
    const member = (memberId: string, weeklyCapacityHours: number) => ({
      memberId,
      name: memberId,
      role: 'Account executive',
      responsibilities: ['Accounts'],
      skills: [{ skill: 'negotiation', level: 3 }],
      weeklyCapacityHours,
    });
    await call('POST', `/projects/${projectId}/members`, member('wang-fang', 20));
    await call('POST', `/projects/${projectId}/members`, member('zhao-lei', 40));
    const linear = {
      ...goal,
      phasing: { kind: 'linear' },
      startDate: '2026-11-01',
      deadline: '2026-11-30',
      target: 30_000,
      baseline: 20_000,
      owner: { kind: 'member', memberId: 'wang-fang' },
    };
    const goalId = (await call('POST', `/projects/${projectId}/goals`, linear)).body['id'] as string;
    await call('POST', `/goals/${goalId}/actuals`, { value: 15_000, businessDate: '2026-11-05', source: 'CRM', externalRef: 'b-1' });
    const plan = async (title: string, dueDate: string, assigneeId: string, estimateHours: number) =>
      (await call('POST', `/projects/${projectId}/tasks`, { title, dueDate, assigneeId, estimateHours, goalId })).body['id'] as string;
    const late = await plan('Late proposal', '2026-11-03', 'wang-fang', 10);
    const soon = await plan('Due this week', '2026-11-15', 'wang-fang', 20);
    await plan('Next month', '2026-12-10', 'wang-fang', 30);
    const blocked = await plan('Waiting for legal', '2026-11-20', 'zhao-lei', 8);
    await call('POST', `/tasks/${late}/start`, {});
    await call('POST', `/tasks/${late}/progress`, { percent: 50 });
    await call('POST', `/tasks/${blocked}/block`, { reason: 'Contract waits for legal review' });
    const last = await call('POST', `/tasks/${soon}/start`, {});
    const wrote = String(last.body['position']);

    const board = await call('GET', `/projects/${projectId}/tasks?date=2026-11-10&minPosition=${wrote}`);
    expect(board.status).toBe(200);
    expect(board.body).toMatchObject({
      caughtUp: true,
      date: '2026-11-10',
      counts: {
        total: 4,
        overdue: 1,
        byStatus: { planned: 1, in_progress: 2, blocked: 1 },
        openByAssignee: { 'wang-fang': 3, 'zhao-lei': 1 },
      },
    });
    expect((board.body['tasks'] as { taskId: string }[]).map((t) => t.taskId)).toEqual([late, soon, blocked, expect.any(String)]);
    const overdue = await call('GET', `/projects/${projectId}/tasks?date=2026-11-10&overdue=true`);
    expect(overdue.body['tasks']).toEqual([expect.objectContaining({ taskId: late, overdue: true, daysOverdue: 7, percent: 50 })]);
    expect((await call('GET', `/projects/${projectId}/tasks?date=2026-11-10&assignee=zhao-lei&status=blocked`)).body['tasks']).toEqual([
      expect.objectContaining({ taskId: blocked, blockedReason: 'Contract waits for legal review', blockedSince: expect.any(String) }),
    ]);

    const team = await call('GET', `/projects/${projectId}/team?date=2026-11-10&minPosition=${wrote}`);
    expect(team).toMatchObject({ status: 200, etag: '"1"', body: { caughtUp: true } });
    const wang = (team.body['members'] as { memberId: string }[]).find((m) => m.memberId === 'wang-fang');
    // 5 h left on the overdue task plus 20 h due within 7 days, against 20 h a week.
    expect(wang).toMatchObject({
      openTasks: 3,
      overdueTasks: 1,
      remainingHours: 55,
      dueThisWeekHours: 25,
      weeklyCapacityHours: 20,
      load: 1.25,
    });
    expect(wang).toMatchObject({ goals: [{ goalId, actualToDate: 15_000, expectedToDate: 10_000, pace: 1.5, status: 'on_track' }] });
    expect((team.body['members'] as { memberId: string }[]).find((m) => m.memberId === 'zhao-lei')).toMatchObject({
      openTasks: 1,
      blockedTasks: 1,
      dueThisWeekHours: 0,
      load: 0,
      goals: [],
    });

    expect(await call('GET', `/projects/${projectId}/tasks?status=stuck&overdue=maybe&assignee=a%20b`)).toMatchObject({ status: 400 });
    const bad = await call('GET', `/projects/${projectId}/tasks?status=stuck&overdue=maybe`);
    expect((bad.body['issues'] as { path: string }[]).map((i) => i.path).sort()).toEqual(['overdue', 'status']);
    expect(await call('GET', `/projects/nope/tasks`)).toMatchObject({ status: 404 });
  });
});
