import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/receiver';
import { SecuredApi } from './support/secured-api';
import { tokenFor } from './support/tokens';

const FIXED_CLOCK = join(__dirname, 'support', 'fixed-clock.cjs');

jest.setTimeout(120_000);

/**
 * The numbers a manager relies on, over HTTP, as a new user would run a quarter: a team goal
 * decomposed into four members, a level KPI, a withdrawn goal, a refused negative target, a
 * one-field charter amendment, a reason 病假, an If-Match right after setting a goal, and the zh
 * report. The built API with its worker in-process, on PostgreSQL; one server for the file.
 */
let api: SecuredApi;
let admin = '';
let projectId = '';
const ids: Record<string, string> = {};
const REPS = [
  ['wang-fang', 'Wang Fang', 1_800_000, 1_500_000],
  ['zhang-wei', 'Zhang Wei', 1_600_000, 1_300_000],
  ['zhao-lei', 'Zhao Lei', 1_400_000, 600_000],
  ['chen-jie', 'Chen Jie', 1_200_000, 1_074_000],
] as const;
/** A day `days` from today where the project works. */
const day = (days: number, zone = sampleCharter.timeZone) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(Date.now() + days * 86_400_000));

async function ok(method: string, path: string, body?: unknown) {
  const answer = await api.call(admin, method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}
const goal = (over: Record<string, unknown>) => ({
  ...sampleRevenueGoal,
  startDate: day(-60),
  deadline: day(30),
  phasing: { kind: 'linear' },
  baseline: 0,
  ...over,
});

beforeAll(async () => {
  api = await SecuredApi.start({
    WORKER_IN_PROCESS: 'true',
    DRIFT_DEBOUNCE_MS: '50',
    NOTIFY_SECRET_KEY: 'numbers-notify-key-0123456789abcdef',
  });
  admin = `Bearer ${await tokenFor('admin')}`;
  projectId = (await ok('POST', '/projects', { ...sampleCharter, periodStart: day(-60), periodEnd: day(30) }))['id'] as string;
  for (const [memberId, name] of REPS)
    await ok('POST', `/projects/${projectId}/members`, { memberId, name, role: 'Account executive', weeklyCapacityHours: 40 });
  ids['team'] = (await ok('POST', `/projects/${projectId}/goals`, goal({ title: 'Team revenue', target: 6_000_000 })))['id'] as string;
  for (const [memberId, name, target, actual] of REPS) {
    const id = (
      await ok(
        'POST',
        `/projects/${projectId}/goals`,
        goal({ title: `Revenue ${name}`, target, parentGoalId: ids['team'], owner: { kind: 'member', memberId }, relevance: undefined }),
      )
    )['id'] as string;
    ids[memberId] = id;
    await ok('POST', `/goals/${id}/actuals`, { value: actual, businessDate: day(-1), source: 'CRM' });
  }
  ids['csat'] = (
    await ok(
      'POST',
      `/projects/${projectId}/goals`,
      goal({
        title: 'Customer satisfaction',
        kpi: { name: 'CSAT', unit: 'points', direction: 'higher_is_better', aggregation: 'level' },
        target: 5,
        baseline: 4,
      }),
    )
  )['id'] as string;
  for (const [value, d] of [
    [4.2, -20],
    [4.5, -3],
    [4.4, -10],
  ])
    await ok('POST', `/goals/${ids['csat']}/actuals`, { value, businessDate: day(d), source: 'survey' });
  ids['customers'] = (
    await ok(
      'POST',
      `/projects/${projectId}/goals`,
      goal({
        title: 'New customers',
        kpi: { name: 'Customers', unit: 'customers', direction: 'higher_is_better', aggregation: 'cumulative' },
        target: 300,
      }),
    )
  )['id'] as string;
  await ok('POST', `/goals/${ids['customers']}/withdrawal`, { reason: '病假' });
});
afterAll(async () => {
  await api?.stop();
});

describe('a quarter through the API', () => {
  it('rolls the team goal up from its four members, in progress, the report and the team attainment', async () => {
    const progress = (await ok('GET', `/projects/${projectId}/progress`)) as {
      goals: { goalId: string; actualToDate: number; rolledUp: boolean }[];
    };
    expect(progress.goals.find((g) => g.goalId === ids['team'])).toMatchObject({ actualToDate: 4_474_000, rolledUp: true });
    const report = (await ok('GET', `/projects/${projectId}/report`)) as {
      goals: { goalId: string; actual: number; attainment: number }[];
      teamAttainment: number;
    };
    expect(report.goals.find((g) => g.goalId === ids['team'])).toMatchObject({ actual: 4_474_000, attainment: 4_474_000 / 6_000_000 });
    // A level KPI is its latest value by business date (4.5), never the sum of its actuals.
    expect(report.goals.find((g) => g.goalId === ids['csat'])).toMatchObject({ actual: 4.5, attainment: 0.9 });
    expect(report.teamAttainment).toBeCloseTo((4_474_000 / 6_000_000 + 0.9) / 2, 4);
    expect(
      await api.call(admin, 'POST', `/goals/${ids['team']}/actuals`, { value: 1, businessDate: day(-1), source: 'CRM' }),
    ).toMatchObject({ status: 422, body: { code: 'ACTUAL_ON_ROLLED_UP_GOAL' } });
  });

  it('refuses negative and zero targets, on set and on adjust, writing nothing', async () => {
    const before = await api.eventCount();
    expect(await api.call(admin, 'POST', `/projects/${projectId}/goals`, goal({ target: -5 }))).toMatchObject({
      status: 422,
      body: { code: 'TARGET_NOT_POSITIVE' },
    });
    expect(await api.call(admin, 'POST', `/goals/${ids['zhao-lei']}/target-adjustments`, { target: 0, reason: 'x' })).toMatchObject({
      status: 422,
      body: { code: 'TARGET_NOT_POSITIVE' },
    });
    expect(await api.eventCount()).toBe(before);
  });

  it('judges SMART on the goal as it stands: a target raised to 10× the baseline is not achievable', async () => {
    const id = (await ok('POST', `/projects/${projectId}/goals`, goal({ title: 'Upsell', baseline: 100_000, target: 200_000 })))[
      'id'
    ] as string;
    await ok('POST', `/goals/${id}/target-adjustments`, { target: 1_000_000, reason: '病假' });
    const read = (await ok('GET', `/goals/${id}`)) as {
      smart: { achievable: { ok: boolean } };
      smartWhenSet: { achievable: { ok: boolean } };
    };
    expect(read.smart.achievable.ok).toBe(false);
    expect(read.smartWhenSet.achievable.ok).toBe(true);
  });

  it('amends one charter field and leaves the others, with a two-character reason', async () => {
    await ok('POST', `/projects/${projectId}/charter-amendments`, {
      changes: { smartPolicy: { onFailure: 'warn', achievableMultiple: 4 } },
      reason: '病假',
    });
    const project = (await ok('GET', `/projects/${projectId}`)) as { charter: { description: string; smartPolicy: unknown } };
    expect(project.charter).toMatchObject({ description: sampleCharter.description, smartPolicy: { achievableMultiple: 4 } });
  });

  it('applies an If-Match sent right after setting a goal, whatever the drift checks record', async () => {
    const set = await api.call(admin, 'POST', `/projects/${projectId}/goals`, goal({ title: 'Fresh goal' }));
    const id = set.body['id'] as string;
    const recorded = await ok('POST', `/goals/${id}/actuals`, { value: 1000, businessDate: day(-1), source: 'CRM' });
    // The worker finds it off track (1,000 of 3,000,000 two thirds in): its verdict lands beside the goal.
    await eventually(async () => ((await ok('GET', `/goals/${id}`))['drift'] === 'off_track' ? true : undefined), 'the drift verdict');
    expect(
      await api.call(
        admin,
        'POST',
        `/goals/${id}/target-adjustments`,
        { target: 2_000_000, reason: '病假' },
        { 'if-match': `"${recorded['revision']}"` },
      ),
    ).toMatchObject({ status: 200 });
    // The alert read models take minPosition too.
    expect(await api.call(admin, 'GET', `/me/alerts?minPosition=${String(recorded['position'])}`)).toMatchObject({
      status: 200,
      body: { caughtUp: true },
    });
    expect(await api.call(admin, 'GET', `/projects/${projectId}/deliveries?minPosition=soon`)).toMatchObject({ status: 400 });
  });

  it('says what is wrong with a body: malformed JSON with its position, another content type with 415', async () => {
    expect(await api.call(admin, 'POST', `/goals/${ids['wang-fang']}/actuals`, '{"value": 1,')).toMatchObject({
      status: 400,
      body: { code: 'MALFORMED_JSON', message: expect.stringMatching(/^the body is not valid JSON/) },
    });
    expect(
      await api.call(admin, 'POST', `/goals/${ids['wang-fang']}/actuals`, 'value,businessDate\n1,2026-11-01', {
        'content-type': 'text/csv',
      }),
    ).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('application/json') } });
    expect(await api.call(admin, 'POST', `/goals/${ids['wang-fang']}/target-adjustments`, { target: 1 })).toMatchObject({
      status: 400,
      body: { message: 'reason: is missing' },
    });
  });

  it('refuses an incentive threshold on the percent scale, and corrects a member’s name with history', async () => {
    const rules = [{ ruleId: 'r', title: 'On target', scope: 'member', threshold: 100, award: { kind: 'award', title: 'Cup' } }];
    expect(await api.call(admin, 'POST', `/projects/${projectId}/incentive-scheme`, { rules })).toMatchObject({ status: 400 });
    await ok('POST', `/projects/${projectId}/members/zhao-lei/amendments`, { changes: { name: 'Zhao Lei (赵磊)' }, reason: '笔误' });
    const team = (await ok('GET', `/projects/${projectId}/team`)) as {
      members: { memberId: string; name: string; weeklyCapacityHours?: number }[];
    };
    expect(team.members.find((m) => m.memberId === 'zhao-lei')).toMatchObject({ name: 'Zhao Lei (赵磊)' });
  });

  it('lists the tasks a meeting created in its answer', async () => {
    const answer = await ok('POST', `/projects/${projectId}/meetings`, {
      date: day(-1),
      attendees: ['wang-fang'],
      decisions: ['call the top accounts'],
      actionItems: [{ taskId: 'mt-1', title: 'Call ACME', assigneeId: 'wang-fang', dueDate: day(5) }],
    });
    expect(answer['tasks']).toEqual([expect.objectContaining({ taskId: 'mt-1', streamId: 'task-mt-1' })]);
  });

  it('writes the zh report in Chinese: owners by name, ¥ and 万, every goal’s status, the withdrawn goal apart', async () => {
    const zh = await (
      await fetch(`${api.base}/projects/${projectId}/report?format=markdown&lang=zh`, { headers: { authorization: admin } })
    ).text();
    expect(zh).toContain('| Team revenue | 团队 | ¥600万 | ¥447.4万 | 74.6% |');
    expect(zh).toContain('已撤回的目标: New customers');
    expect(zh).not.toContain('| New customers |');
    expect(zh).not.toMatch(/\| (wang-fang|on_track|off_track|at_risk|active|withdrawn|open) \|/);
  });

  it('runs the README’s API examples as written', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using the API'));
    const block = section.slice(section.indexOf('```sh\n') + 6, section.indexOf('\n```', section.indexOf('```sh\n')));
    // The token line is the reader's to fill in; the server is this test's.
    const script = block.replace(/^T=eyJ….*$/m, '').replaceAll('localhost:3000', new URL(api.base).host);
    const out = execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
      env: { ...process.env, T: admin.slice('Bearer '.length) },
      encoding: 'utf8',
    });
    expect(out).toContain('"events":["GoalTargetAdjusted"]');
    expect(out).toContain('"revision":1');
    expect(out).toMatch(/"goals":\[\{"goalId":"[^"]+","asOf":/);
    expect(out).toContain('"caughtUp":true');
  });
});

/**
 * "Today" is the project's date, not the UTC one, checked at two fixed moments whatever the hour
 * the suite runs: 20:30 UTC is already tomorrow in Shanghai (04:30) and 02:00 UTC is still
 * yesterday in Honolulu (16:00). A built API whose wall clock starts at the moment (see
 * support/fixed-clock.cjs) and the tokens issued at that moment.
 */
describe.each([
  {
    zone: 'Asia/Shanghai',
    clock: '2027-01-15T20:30:00Z',
    today: '2027-01-16',
    tomorrow: '2027-01-17',
    utcDate: '2027-01-15',
  },
  {
    zone: 'Pacific/Honolulu',
    clock: '2027-01-16T02:00:00Z',
    today: '2027-01-15',
    tomorrow: '2027-01-16',
    utcDate: '2027-01-16',
  },
])('the project’s calendar in $zone at $clock', ({ zone, clock, today, tomorrow, utcDate }) => {
  let fixed: SecuredApi;
  let manager = '';
  let goalId = '';
  let zonedProject = '';
  beforeAll(async () => {
    fixed = await SecuredApi.start({
      NODE_OPTIONS: `--require ${FIXED_CLOCK}`,
      PLANLEDGER_TEST_CLOCK: clock,
      NOTIFY_SECRET_KEY: 'numbers-notify-key-0123456789abcdef',
    });
    manager = `Bearer ${await tokenFor('admin', { issuedAt: new Date(clock) })}`;
    const created = await fixed.call(manager, 'POST', '/projects', {
      ...sampleCharter,
      timeZone: zone,
      periodStart: '2026-12-01',
      periodEnd: '2027-03-31',
    });
    expect(created.status).toBe(201);
    zonedProject = created.body['id'] as string;
    const set = await fixed.call(manager, 'POST', `/projects/${zonedProject}/goals`, {
      ...sampleRevenueGoal,
      startDate: '2026-12-01',
      deadline: '2027-03-31',
      phasing: { kind: 'linear' },
      baseline: 0,
    });
    expect(set.status).toBe(201);
    goalId = set.body['id'] as string;
  });
  afterAll(() => fixed?.stop());

  it(`takes a deal dated ${today} (today there) and refuses one dated ${tomorrow}`, async () => {
    expect(await fixed.call(manager, 'POST', `/goals/${goalId}/actuals`, { value: 10, businessDate: today, source: 'CRM' })).toMatchObject({
      status: 201,
    });
    const refused = await fixed.call(manager, 'POST', `/goals/${goalId}/actuals`, { value: 10, businessDate: tomorrow, source: 'CRM' });
    expect(refused).toMatchObject({ status: 422, body: { code: 'ACTUAL_IN_THE_FUTURE' } });
  });

  it(`computes progress for ${today}, the project’s date, not ${utcDate}`, async () => {
    const progress = await fixed.call(manager, 'GET', `/projects/${zonedProject}/progress`);
    expect(progress).toMatchObject({ status: 200, body: { date: today } });
  });
});
