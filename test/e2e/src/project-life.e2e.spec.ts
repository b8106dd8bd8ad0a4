import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { SecuredApi, type Answer } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * Strategy, meetings, the issues log, feedback and surveys, the wrap-up and the report through the
 * built API on PostgreSQL: every command endpoint accepted once, and refused for a bad field (400
 * naming it) and for a business rule (422 with its code), writing nothing when refused.
 */
const day = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: sampleCharter.timeZone }).format(new Date(Date.now() + days * 86_400_000));

let api: SecuredApi;
let admin = '';
let p = '';
const ids: Record<string, string> = {};

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return api.call(admin, method, path.startsWith('/') ? path : `/projects/${p}/${path}`, body, headers);
}

async function accepted(method: string, path: string, body: unknown, status = 201): Promise<Record<string, unknown>> {
  const answer = await call(method, path, body);
  if (answer.status !== status)
    throw new Error(`${method} ${path}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Refused with `status`, the message or code matching, and nothing written. */
async function refused(method: string, path: string, body: unknown, status: 400 | 404 | 422, match: RegExp): Promise<void> {
  const before = await api.eventCount();
  const answer = await call(method, path, body);
  expect({ path, status: answer.status }).toEqual({ path, status });
  expect(`${answer.body['code']} ${answer.body['message']}`).toMatch(match);
  expect(await api.eventCount()).toBe(before);
}

beforeAll(async () => {
  api = await SecuredApi.start();
  admin = `Bearer ${await tokenFor('admin')}`;
  p = (await accepted('POST', '/projects', { ...sampleCharter, periodStart: day(-60), periodEnd: day(30) }))['id'] as string;
  await accepted('POST', `members`, { memberId: 'li-na', name: 'Li Na', role: 'Sales manager', weeklyCapacityHours: 40 });
  await accepted('POST', `members`, {
    memberId: 'wang-fang',
    name: 'Wang Fang',
    role: 'Account executive',
    weeklyCapacityHours: 40,
    reportsTo: 'li-na',
  });
  await accepted('POST', `members`, {
    memberId: 'zhao-lei',
    name: 'Zhao Lei',
    role: 'Account executive',
    weeklyCapacityHours: 40,
    reportsTo: 'li-na',
  });
  const goal = (memberId: string, target: number) => ({
    ...sampleRevenueGoal,
    title: `Revenue ${memberId}`,
    baseline: 0,
    target,
    startDate: day(-60),
    deadline: day(30),
    phasing: { kind: 'linear' },
    owner: { kind: 'member', memberId },
  });
  ids['wangGoal'] = (await accepted('POST', 'goals', goal('wang-fang', 1000)))['id'] as string;
  ids['zhaoGoal'] = (await accepted('POST', 'goals', goal('zhao-lei', 1000)))['id'] as string;
  ids['csatGoal'] = (
    await accepted('POST', 'goals', {
      ...goal('li-na', 4.5),
      title: 'Customer satisfaction',
      kpi: { name: 'CSAT', unit: 'points', direction: 'higher_is_better', aggregation: 'level' },
      baseline: 4,
      surveyFeed: 'csat',
    })
  )['id'] as string;
  await accepted('POST', `/goals/${ids['wangGoal']}/actuals`, { actualId: 'w1', value: 1000, businessDate: day(-1), source: 'CRM' });
  await accepted('POST', `/goals/${ids['zhaoGoal']}/actuals`, { actualId: 'z1', value: 400, businessDate: day(-1), source: 'CRM' });
  ids['task'] = (await accepted('POST', 'tasks', { title: 'Call Suzhou accounts', dueDate: day(10), assigneeId: 'zhao-lei' }))[
    'id'
  ] as string;
});
afterAll(async () => {
  await api?.stop();
});

describe('strategy', () => {
  it('defines elements, refusing bad fields and references that do not exist', async () => {
    ids['segment'] = (
      await accepted('POST', 'strategy/elements', {
        elementId: 'smb',
        element: { kind: 'segment', name: 'SMB manufacturers', criteria: ['under 200 staff'], priority: 'high' },
      })
    )['id'] as string;
    ids['channel'] = (
      await accepted('POST', 'strategy/elements', {
        elementId: 'direct',
        element: { kind: 'channel', name: 'Direct sales', channelKind: 'direct', segmentIds: ['smb'], revenueShare: 0.7 },
      })
    )['id'] as string;
    await accepted('POST', 'strategy/elements', {
      elementId: 'list-price',
      element: {
        kind: 'pricing',
        name: 'List 2026',
        model: 'value',
        listPrices: [{ item: 'Licence', price: 1200 }],
        discountPolicy: { maxDiscount: 0.2, approvalThreshold: 0.1 },
        floorMargin: 0.35,
      },
    });
    await accepted('POST', 'strategy/elements', {
      elementId: 'fair',
      element: {
        kind: 'promotion',
        name: 'Trade fair',
        promotionKind: 'event',
        channelId: 'direct',
        segmentIds: ['smb'],
        budget: 20000,
        startDate: day(-10),
        endDate: day(-8),
        expectedLift: { goalId: ids['zhaoGoal'], percent: 5 },
      },
    });
    await accepted('POST', 'strategy/elements', {
      elementId: 'market',
      element: {
        kind: 'market_analysis',
        name: 'East China',
        customerNeeds: ['uptime'],
        competitors: [{ name: 'Acme', pricePosition: 'lower' }],
        trends: ['consolidation'],
      },
    });
    await refused('POST', 'strategy/elements', { element: { kind: 'segment', criteria: ['x'], priority: 'high' } }, 400, /element\.name/);
    await refused('POST', 'strategy/elements', { element: { kind: 'blimp' } }, 400, /kind must be one of/);
    await refused(
      'POST',
      'strategy/elements',
      {
        element: {
          kind: 'pricing',
          name: 'Bad',
          model: 'value',
          discountPolicy: { maxDiscount: 0.1, approvalThreshold: 0.2 },
          floorMargin: 0.3,
        },
      },
      400,
      /approvalThreshold must not exceed maxDiscount/,
    );
    await refused(
      'POST',
      'strategy/elements',
      { element: { kind: 'channel', name: 'Partners', channelKind: 'partner', segmentIds: ['ghost'], revenueShare: 0.1 } },
      404,
      /SEGMENT_NOT_FOUND/,
    );
    await refused(
      'POST',
      'strategy/elements',
      { element: { kind: 'channel', name: 'Web', channelKind: 'online', revenueShare: 0.5 } },
      422,
      /CHANNEL_SHARES_EXCEED_TARGET/,
    );
    await refused(
      'POST',
      'strategy/elements',
      { elementId: 'smb', element: { kind: 'segment', name: 'Again', criteria: ['x'], priority: 'low' } },
      422,
      /STRATEGY_ELEMENT_EXISTS/,
    );
  });

  it('revises and withdraws with reasons, refusing a change of kind and withdrawing what others use', async () => {
    await accepted(
      'POST',
      'strategy/elements/direct/revisions',
      {
        element: { kind: 'channel', name: 'Direct sales', channelKind: 'direct', segmentIds: ['smb'], revenueShare: 0.6 },
        reason: 'partners take a share',
      },
      200,
    );
    await refused(
      'POST',
      'strategy/elements/direct/revisions',
      { element: { kind: 'channel', name: 'Direct', channelKind: 'direct', revenueShare: 0.6 } },
      400,
      /reason/,
    );
    await refused(
      'POST',
      'strategy/elements/direct/revisions',
      { element: { kind: 'segment', name: 'X', criteria: ['x'], priority: 'low' }, reason: 'mistake' },
      422,
      /STRATEGY_KIND_CHANGED/,
    );
    await refused('POST', 'strategy/elements/smb/withdrawal', { reason: 'dropped' }, 422, /STRATEGY_ELEMENT_IN_USE/);
    await refused('POST', 'strategy/elements/market/withdrawal', {}, 400, /reason/);
    await accepted('POST', 'strategy/elements/market/withdrawal', { reason: 'superseded by the new study' }, 200);
    await refused('POST', 'strategy/elements/market/withdrawal', { reason: 'again' }, 404, /STRATEGY_ELEMENT_NOT_FOUND/);
  });

  it('lets goals and tasks reference active elements only, and traces what serves each element', async () => {
    await refused('POST', 'tasks', { title: 'Ghost', dueDate: day(5), strategyRef: 'ghost' }, 404, /STRATEGY_ELEMENT_NOT_FOUND/);
    await accepted('POST', 'tasks', { title: 'Fair follow-up calls', dueDate: day(5), strategyRef: 'direct', assigneeId: 'wang-fang' });
    await accepted('POST', 'goals', {
      ...sampleRevenueGoal,
      title: 'SMB revenue',
      startDate: day(-60),
      deadline: day(30),
      phasing: { kind: 'linear' },
      strategyRefs: ['smb'],
    });
    // A goal set before the strategy is linked to it afterwards, with a reason.
    await refused('POST', `/goals/${ids['wangGoal']}/strategy-links`, { strategyRefs: ['direct'] }, 400, /reason/);
    await refused(
      'POST',
      `/goals/${ids['wangGoal']}/strategy-links`,
      { strategyRefs: ['ghost'], reason: 'serves the ghost channel' },
      404,
      /STRATEGY_ELEMENT_NOT_FOUND/,
    );
    await refused('POST', `/goals/${ids['wangGoal']}/strategy-links`, { strategyRefs: [], reason: 'no change' }, 422, /NOTHING_TO_CHANGE/);
    await accepted(
      'POST',
      `/goals/${ids['wangGoal']}/strategy-links`,
      { strategyRefs: ['direct'], reason: 'her accounts are all direct' },
      200,
    );
    const strategy = (await call('GET', 'strategy')).body as {
      elements: { elementId: string; servedByGoals: { title: string }[]; servedByTasks: { title: string }[]; unserved: boolean }[];
      unservedElements: string[];
      goalsServingNoElement: string[];
    };
    const byId = Object.fromEntries(strategy.elements.map((e) => [e.elementId, e]));
    expect(Object.keys(byId).sort()).toEqual(['direct', 'fair', 'list-price', 'smb']);
    expect(byId['smb'].servedByGoals.map((g) => g.title)).toEqual(['SMB revenue']);
    expect(byId['direct'].servedByTasks.map((t) => t.title)).toEqual(['Fair follow-up calls']);
    expect(byId['direct'].servedByGoals.map((g) => g.title)).toEqual(['Revenue wang-fang']);
    expect(byId['fair'].servedByGoals.map((g) => g.title)).toEqual(['Revenue zhao-lei']);
    expect(strategy.unservedElements).toEqual(['list-price']);
    expect(strategy.goalsServingNoElement).toEqual([ids['csatGoal']]);
  });
});

describe('meetings', () => {
  it('sets and ends a cadence, refusing bad fields, unknown attendees and ending twice', async () => {
    await accepted('POST', 'meeting-cadences', {
      cadenceId: 'weekly',
      title: 'Pipeline review',
      kind: 'pipeline_review',
      every: 'week',
      weekday: 1,
      attendees: ['li-na', 'wang-fang', 'zhao-lei'],
    });
    await accepted('POST', 'meeting-cadences', {
      cadenceId: 'daily',
      title: 'Stand-up',
      kind: 'standup',
      every: 'day',
      attendees: ['wang-fang'],
    });
    await refused(
      'POST',
      'meeting-cadences',
      { title: 'X', kind: 'standup', every: 'week', weekday: 9, attendees: ['li-na'] },
      400,
      /weekday/,
    );
    await refused('POST', 'meeting-cadences', { title: 'X', kind: 'standup', every: 'day', attendees: ['ghost'] }, 404, /MEMBER_NOT_FOUND/);
    await refused(
      'POST',
      'meeting-cadences',
      { title: 'X', kind: 'standup', every: 'week', attendees: ['li-na'] },
      422,
      /WEEKDAY_REQUIRED/,
    );
    await accepted('POST', 'meeting-cadences/daily/end', { reason: 'merged into the weekly review' }, 200);
    await refused('POST', 'meeting-cadences/daily/end', {}, 400, /reason/);
    await refused('POST', 'meeting-cadences/daily/end', { reason: 'again' }, 404, /CADENCE_NOT_FOUND/);
  });

  it('records minutes whose action items become tasks, refusing bad items', async () => {
    await accepted('POST', 'meetings', {
      meetingId: 'm1',
      cadenceId: 'weekly',
      date: day(-2),
      attendees: ['li-na', 'wang-fang', 'zhao-lei'],
      notes: 'Suzhou pipeline is thin',
      decisions: ['Wang Fang helps with two Suzhou accounts'],
      actionItems: [{ taskId: 'ai-suzhou', title: 'Joint call with Suzhou Precision', assigneeId: 'wang-fang', dueDate: day(3) }],
    });
    expect((await call('GET', '/tasks/ai-suzhou')).body).toMatchObject({
      title: 'Joint call with Suzhou Precision',
      assigneeId: 'wang-fang',
      status: 'planned',
    });
    await refused(
      'POST',
      'meetings',
      { date: day(-1), attendees: ['li-na'], actionItems: [{ taskId: 'x', title: 'X', assigneeId: 'li-na', dueDate: 'soon' }] },
      400,
      /actionItems\.0\.dueDate/,
    );
    await refused(
      'POST',
      'meetings',
      { date: day(-1), attendees: ['li-na'], actionItems: [{ taskId: 'x', title: 'X', assigneeId: 'li-na', dueDate: day(-3) }] },
      422,
      /ACTION_DUE_BEFORE_MEETING/,
    );
    await refused('POST', 'meetings', { meetingId: 'm1', date: day(-1), attendees: ['li-na'] }, 422, /MEETING_EXISTS/);
    const meetings = (await call('GET', 'meetings')).body as {
      cadences: { cadenceId: string; active: boolean }[];
      meetings: { meetingId: string; decisions: string[] }[];
    };
    expect(meetings.cadences.map((c) => [c.cadenceId, c.active])).toEqual([
      ['weekly', true],
      ['daily', false],
    ]);
    expect(meetings.meetings).toEqual([
      expect.objectContaining({ meetingId: 'm1', decisions: ['Wang Fang helps with two Suzhou accounts'] }),
    ]);
  });
});

describe('issues log', () => {
  it('raises, assigns, resolves and reopens, refusing bad fields and each step out of order', async () => {
    ids['issue'] = (await accepted('POST', 'issues', { title: 'CRM export drops Suzhou deals', severity: 'high', taskId: ids['task'] }))[
      'id'
    ] as string;
    const issue = `issues/${ids['issue']}`;
    await refused('POST', 'issues', { title: 'X', severity: 'meh' }, 400, /severity/);
    await refused('POST', 'issues', { title: 'X', severity: 'low', taskId: 'ghost-task' }, 404, /TASK_NOT_FOUND/);
    await refused('POST', `${issue}/assignment`, {}, 400, /assigneeId/);
    await refused('POST', `${issue}/assignment`, { assigneeId: 'ghost' }, 404, /MEMBER_NOT_FOUND/);
    await accepted('POST', `${issue}/assignment`, { assigneeId: 'zhao-lei' }, 200);
    await refused('POST', `${issue}/reopening`, { reason: 'not resolved yet' }, 422, /ISSUE_NOT_RESOLVED/);
    await refused('POST', `${issue}/resolution`, { resolution: '   ' }, 400, /resolution/);
    await accepted('POST', `${issue}/resolution`, { resolution: 'CRM vendor fixed the export filter' }, 200);
    await refused('POST', `${issue}/resolution`, { resolution: 'fixed twice' }, 422, /ISSUE_NOT_OPEN/);
    await refused('POST', `${issue}/reopening`, {}, 400, /reason/);
    await accepted('POST', `${issue}/reopening`, { reason: 'two deals still missing' }, 200);
    await accepted('POST', `${issue}/resolution`, { resolution: 'Backfilled the missing deals' }, 200);
    await refused('POST', 'issues/ghost/resolution', { resolution: 'nothing to do' }, 404, /ISSUE_NOT_FOUND/);
    const issues = (await call('GET', 'issues')).body['issues'] as {
      issueId: string;
      status: string;
      assigneeId: string;
      resolution: string;
      reopened: number;
    }[];
    expect(issues).toEqual([
      expect.objectContaining({
        issueId: ids['issue'],
        status: 'resolved',
        assigneeId: 'zhao-lei',
        resolution: 'Backfilled the missing deals',
        reopened: 1,
      }),
    ]);
  });
});

describe('feedback and satisfaction', () => {
  it('records feedback, refusing bad ratings and links to nothing', async () => {
    await accepted('POST', 'feedback', {
      source: 'customer',
      from: 'crm-acct-77',
      topic: 'Pricing',
      rating: 2,
      text: 'List price too high for SMB',
      link: { kind: 'strategy', id: 'list-price' },
    });
    await accepted('POST', 'feedback', {
      source: 'team',
      from: 'zhao-lei',
      topic: 'Leads',
      rating: 3,
      text: 'Fair leads were cold',
      link: { kind: 'goal', id: ids['zhaoGoal'] },
    });
    await refused('POST', 'feedback', { source: 'customer', from: 'x', topic: 'X', rating: 7 }, 400, /rating/);
    await refused(
      'POST',
      'feedback',
      { source: 'customer', from: 'x', topic: 'X', link: { kind: 'strategy', id: 'ghost' } },
      404,
      /STRATEGY_ELEMENT_NOT_FOUND/,
    );
    await refused('POST', 'feedback', { source: 'team', from: 'stranger', topic: 'X' }, 404, /MEMBER_NOT_FOUND/);
  });

  it('records survey responses whose aggregate becomes a goal’s actual, refusing scores off the scale and repeats', async () => {
    for (const [responseId, score] of [
      ['r1', 5],
      ['r2', 4],
      ['r3', 4],
    ] as const) {
      await accepted('POST', 'survey-responses', {
        responseId,
        respondentRef: `crm-${responseId}`,
        scale: 'csat',
        score,
        surveyedOn: day(-1),
        goalId: ids['csatGoal'],
      });
    }
    await accepted('POST', 'survey-responses', { responseId: 'n1', respondentRef: 'crm-n1', scale: 'nps', score: 9, surveyedOn: day(-1) });
    await refused(
      'POST',
      'survey-responses',
      { respondentRef: 'x', scale: 'csat', score: 9, surveyedOn: day(-1) },
      400,
      /score: must be 1–5 for csat/,
    );
    await refused(
      'POST',
      'survey-responses',
      { responseId: 'r1', respondentRef: 'x', scale: 'csat', score: 3, surveyedOn: day(-1) },
      422,
      /SURVEY_RESPONSE_EXISTS/,
    );
    const feedback = (await call('GET', 'feedback')).body as { satisfaction: Record<string, number>; feedback: unknown[] };
    expect(feedback.satisfaction).toEqual({ csat: 4.33, csatResponses: 3, nps: 100, npsResponses: 1 });
    expect(feedback.feedback).toHaveLength(2);
    const actuals = (await call('GET', `/goals/${ids['csatGoal']}`)).body['actuals'] as { actualId: string; value: number }[];
    expect(actuals.map((a) => [a.actualId, a.value])).toEqual([
      ['survey-r1', 5],
      ['survey-r2', 4.5],
      ['survey-r3', 4.33],
    ]);
  });

  it('lets a survey feed only a goal that declares it takes that score: a member cannot move a colleague’s goal, nor their own, and nothing is stored', async () => {
    await accepted('POST', 'access', { subject: 'user:wang', role: 'member', memberId: 'wang-fang' }, 200);
    const member = `Bearer ${await tokenFor('wang')}`;
    const zhaoBefore = (await call('GET', `/goals/${ids['zhaoGoal']}`)).body['actuals'];
    for (const [goal, scale] of [
      ['zhaoGoal', 'csat'],
      ['zhaoGoal', 'nps'],
      ['wangGoal', 'nps'],
      // Declared for CSAT, not for NPS.
      ['csatGoal', 'nps'],
    ] as const) {
      const before = await api.eventCount();
      const answer = await api.call(member, 'POST', `/projects/${p}/survey-responses`, {
        respondentRef: `crm-member-${goal}-${scale}`,
        scale,
        score: 5,
        surveyedOn: day(-1),
        goalId: ids[goal],
      });
      expect({ goal, scale, status: answer.status, code: answer.body['code'] }).toEqual({
        goal,
        scale,
        status: 422,
        code: 'GOAL_TAKES_NO_SURVEY_SCORE',
      });
      expect(String(answer.body['message'])).toContain(`does not take the ${scale.toUpperCase()} survey score`);
      // Neither the response nor an actual.
      expect(await api.eventCount()).toBe(before);
    }
    expect((await call('GET', `/goals/${ids['zhaoGoal']}`)).body['actuals']).toEqual(zhaoBefore);
    // Direct actuals on a colleague's goal stay refused too.
    const direct = await api.call(member, 'POST', `/goals/${ids['zhaoGoal']}/actuals`, {
      actualId: 'm1',
      value: 100,
      businessDate: day(-1),
      source: 'CRM',
    });
    expect(direct.status).toBe(403);
  });
});

describe('wrap-up', () => {
  it('refuses to publish an evaluation before there is an incentive scheme', async () => {
    await refused('POST', 'evaluation', {}, 422, /NO_INCENTIVE_SCHEME/);
    await refused('POST', 'evaluation', { summary: 42 }, 400, /summary/);
  });

  it('sets the scheme and derives awards from the actuals: a correction changes the award', async () => {
    const rules = [
      { ruleId: 'on-target', title: 'On target', scope: 'member', threshold: 1, award: { kind: 'bonus', amount: 5000, currency: 'CNY' } },
      { ruleId: 'team', title: 'Team dinner', scope: 'team', threshold: 0.7, award: { kind: 'award', title: 'Team dinner' } },
    ];
    await refused('POST', 'incentive-scheme', { rules: [{ ...rules[0], threshold: -1 }] }, 400, /rules\.0\.threshold/);
    await accepted('POST', 'incentive-scheme', { rules });
    await refused('POST', 'incentive-scheme', { rules }, 422, /REASON_REQUIRED/);
    const awards = async () =>
      ((await call('GET', 'wrap-up')).body['standings'] as { awards: { ruleId: string; memberId: string | null }[] }).awards.map(
        (a) => `${a.ruleId}:${a.memberId}`,
      );
    expect(await awards()).toEqual(['on-target:wang-fang']);
    // Wang Fang's 1,000 was booked twice in the CRM: corrected to 900, she is below target.
    await accepted(
      'POST',
      `/goals/${ids['wangGoal']}/actuals/w1/corrections`,
      { value: 900, reason: 'Duplicate order in the CRM removed' },
      200,
    );
    expect(await awards()).toEqual([]);
    await accepted('POST', `/goals/${ids['zhaoGoal']}/actuals`, { actualId: 'z2', value: 700, businessDate: day(-1), source: 'CRM' });
    expect(await awards()).toEqual(['on-target:zhao-lei', 'team:null']);
  });

  it('appraises members with computed attainment, records lessons and training, refusing bad input', async () => {
    await accepted('POST', 'appraisals', { memberId: 'zhao-lei', score: 4, strengths: ['closing'], improvements: ['start earlier'] });
    await refused('POST', 'appraisals', { memberId: 'zhao-lei', score: 6 }, 400, /score/);
    await refused('POST', 'appraisals', { memberId: 'ghost', score: 3 }, 404, /MEMBER_NOT_FOUND/);
    await refused('POST', 'appraisals', { memberId: 'zhao-lei', score: 5 }, 422, /REASON_REQUIRED/);
    await accepted('POST', 'lessons', {
      outcome: 'failure',
      text: 'Suzhou started too late',
      tags: ['pipeline'],
      goalIds: [ids['zhaoGoal']],
      strategyRefs: ['fair'],
    });
    await refused('POST', 'lessons', { outcome: 'meh', text: 'x' }, 400, /outcome/);
    await refused('POST', 'lessons', { outcome: 'success', text: 'x', strategyRefs: ['ghost'] }, 404, /STRATEGY_ELEMENT_NOT_FOUND/);
    await accepted('POST', 'trainings', {
      memberId: 'wang-fang',
      topic: 'Forecast hygiene',
      date: day(20),
      reason: 'a duplicate order went unnoticed',
    });
    await refused('POST', 'trainings', { memberId: 'wang-fang', topic: 'X', date: 'next week', reason: 'because' }, 400, /date/);
    await refused('POST', 'trainings', { memberId: 'ghost', topic: 'X', date: day(20), reason: 'because' }, 404, /MEMBER_NOT_FOUND/);
    const wrapUp = (await call('GET', 'wrap-up')).body as { appraisals: { memberId: string; attainment: { attainment: number } }[] };
    expect(wrapUp.appraisals).toEqual([
      expect.objectContaining({ memberId: 'zhao-lei', attainment: { memberId: 'zhao-lei', attainment: 1.1, goalIds: [ids['zhaoGoal']] } }),
    ]);
  });

  it('closes the project with an outcome and publishes the evaluation; the report shows it all in both languages', async () => {
    await refused('POST', 'closure', { reason: 'quarter over', outcome: 'great' }, 400, /outcome/);
    await accepted('POST', 'closure', { reason: 'Quarter over', outcome: 'partially_achieved' }, 200);
    await accepted('POST', 'evaluation', { summary: 'Suzhou recovered late; one target missed after a CRM correction' });
    const report = (await call('GET', 'report')).body as Record<string, never>;
    expect(report['project']).toMatchObject({ status: 'closed', outcome: 'partially_achieved' });
    // A survey response is still taken once the project closed, but not one feeding a goal, which
    // takes no actuals now: refused whole, the response is not stored either.
    await refused(
      'POST',
      'survey-responses',
      { respondentRef: 'crm-after-close', scale: 'csat', score: 5, surveyedOn: day(-1), goalId: ids['csatGoal'] },
      422,
      /PROJECT_CLOSED|closed/,
    );
    expect(report['changes']).toEqual([
      expect.objectContaining({
        kind: 'correction',
        actualId: 'w1',
        before: 1000,
        after: 900,
        reason: 'Duplicate order in the CRM removed',
      }),
    ]);
    expect((report['evaluations'] as { awards: { ruleId: string }[] }[])[0].awards.map((a) => a.ruleId)).toEqual(['on-target', 'team']);
    expect(report['issues']).toMatchObject({ opened: 1, resolved: 1 });
    expect(report['satisfaction']).toMatchObject({ csat: 4.33 });

    const markdown = await fetch(`${api.base}/projects/${p}/report`, {
      headers: { authorization: admin, accept: 'text/markdown', 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(markdown.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(markdown.headers.get('content-language')).toBe('zh');
    const zh = await markdown.text();
    expect(zh).toContain('# 项目报告: Q4 East region push');
    expect(zh).toContain('## 目标调整与数据更正');
    expect(zh).toContain('实际值更正 (w1): ¥1,000 → ¥900 | Duplicate order in the CRM removed');
    expect(zh).toContain('- 状态: 已结束; 结果: 部分达成');
    const html = await fetch(`${api.base}/projects/${p}/report?format=html&lang=en`, { headers: { authorization: admin } });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const en = await html.text();
    expect(en).toContain('<h2>Target changes and corrections</h2>');
    expect(en).toContain('On target: CN¥5,000');
    expect(en).toContain('Team dinner: Team dinner');
    await refused('GET', 'report?format=pdf', undefined, 400, /format/);
  });
});
