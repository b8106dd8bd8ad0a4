import type { EventStore } from '@planledger/event-store';
import { Planning, type RequestMetadata } from '../planning';
import { ProjectLife } from '../project-life/project-life';

export const DEMO_PROJECT_ID = 'demo-east-region';
/** The same team's previous quarter, closed, with its published evaluation. */
export const DEMO_PREVIOUS_PROJECT_ID = 'demo-east-region-previous';

/** Refused: the demo only ever goes into an empty store, so it can never mix with real data. */
export class StoreNotEmpty extends Error {
  constructor() {
    super('The event store already holds events; the demo only loads into an empty store');
    this.name = 'StoreNotEmpty';
  }
}

const members = [
  {
    memberId: 'li-na',
    name: 'Li Na',
    role: 'Sales manager',
    responsibilities: ['Plan and pipeline reviews', 'Key account escalations'],
    skills: [
      { skill: 'negotiation', level: 5 },
      { skill: 'forecasting', level: 4 },
    ],
    weeklyCapacityHours: 40,
  },
  {
    memberId: 'wang-fang',
    name: 'Wang Fang',
    role: 'Account executive',
    responsibilities: ['Shanghai key accounts'],
    skills: [
      { skill: 'negotiation', level: 4 },
      { skill: 'crm', level: 3 },
    ],
    weeklyCapacityHours: 40,
    reportsTo: 'li-na',
  },
  {
    memberId: 'zhang-wei',
    name: 'Zhang Wei',
    role: 'Account executive',
    responsibilities: ['Hangzhou and Ningbo'],
    skills: [
      { skill: 'negotiation', level: 3 },
      { skill: 'product demo', level: 4 },
    ],
    weeklyCapacityHours: 40,
    reportsTo: 'li-na',
  },
  {
    memberId: 'zhao-lei',
    name: 'Zhao Lei',
    role: 'Account executive',
    responsibilities: ['Nanjing and Suzhou'],
    skills: [
      { skill: 'negotiation', level: 2 },
      { skill: 'crm', level: 2 },
    ],
    weeklyCapacityHours: 40,
    reportsTo: 'li-na',
  },
  {
    memberId: 'chen-jie',
    name: 'Chen Jie',
    role: 'Sales development',
    responsibilities: ['Outbound prospecting', 'Trade fair leads'],
    skills: [
      { skill: 'prospecting', level: 4 },
      { skill: 'crm', level: 4 },
    ],
    weeklyCapacityHours: 40,
    reportsTo: 'li-na',
  },
  {
    memberId: 'liu-yang',
    name: 'Liu Yang',
    role: 'Sales operations',
    responsibilities: ['CRM hygiene', 'Reporting'],
    skills: [
      { skill: 'crm', level: 5 },
      { skill: 'forecasting', level: 3 },
    ],
    weeklyCapacityHours: 30,
    reportsTo: 'li-na',
  },
] as const;

/** Member revenue goals; Zhao Lei's actuals run at about 40% of pace, so he falls clearly behind. */
const reps = [
  { memberId: 'wang-fang', target: 900_000, pace: 1.05 },
  { memberId: 'zhang-wei', target: 800_000, pace: 1.0 },
  { memberId: 'zhao-lei', target: 700_000, pace: 0.4 },
  { memberId: 'chen-jie', target: 300_000, pace: 1.1 },
] as const;

const taskTitles = [
  ['Pipeline review with each account executive', 'li-na'],
  ['Price approval rules for discounts above 10%', 'li-na'],
  ['Quarterly business review with Shanghai Metro Retail', 'wang-fang'],
  ['Renewal proposal for Pudong Logistics', 'wang-fang'],
  ['Demo day for Hangzhou e-commerce prospects', 'zhang-wei'],
  ['Follow up Ningbo port tender', 'zhang-wei'],
  ['Win back lapsed Nanjing distributors', 'zhao-lei'],
  ['Site visits to Suzhou industrial park', 'zhao-lei'],
  ['Qualify trade fair leads', 'chen-jie'],
  ['Outbound sequence for mid-size manufacturers', 'chen-jie'],
  ['Clean duplicate accounts in the CRM', 'liu-yang'],
  ['Weekly pace report to the region head', 'liu-yang'],
  ['Reference customer video', 'wang-fang'],
  ['Partner enablement session', 'zhang-wei'],
  ['Customer satisfaction survey wave', 'liu-yang'],
  ['Competitive pricing sheet', 'li-na'],
  ['Call the 20 largest dormant accounts', 'zhao-lei'],
  ['Prepare year-end promotion offer', 'chen-jie'],
  ['Contract templates in Chinese and English', 'liu-yang'],
  ['Forecast call with finance', 'li-na'],
] as const;

/** Strategy elements some of the twenty tasks (by index) serve. */
const TASK_STRATEGY: Record<number, string> = {
  1: 'demo-pricing-2026',
  8: 'demo-promo-fair',
  9: 'demo-seg-manufacturers',
  13: 'demo-ch-partners',
  15: 'demo-pricing-2026',
};

// Which of the twenty tasks (by index) are still planned, report progress, or are done.
const NOT_STARTED = new Set([3, 11, 18]);
const WITH_PROGRESS = new Set([0, 2, 5, 8, 16]);
const COMPLETED = new Set([1, 4, 9, 13]);
/** Past their due date on the demo's day, these stay open (overdue); every other task due by then is done. */
const STAYS_OVERDUE = new Set([7, 16]);
/** demo-task-07, blocked on legal review. */
const BLOCKED = 6;
/** demo-task-12 runs to the quarter's end. */
const MOVED_TO_QUARTER_END = new Set([11]);

/** Deterministic pseudo-random numbers (a small LCG), so every demo load tells the same story. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const iso = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);

/** The demo projects' time zone: their calendar, and so the quarter they run in. */
export const DEMO_TIME_ZONE = 'Asia/Shanghai';

/**
 * The calendar quarter around `now` in the demo's time zone (at 01:00 on 1 January in Shanghai it
 * is the new quarter, though the UTC date is still 31 December): the demo campaign always runs in
 * the current quarter of its own calendar.
 */
export function demoQuarter(now: Date, timeZone = DEMO_TIME_ZONE): { start: Date; end: Date } {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' })
    .format(now)
    .split('-')
    .map(Number);
  const quarter = Math.floor((month - 1) / 3);
  const start = new Date(Date.UTC(year, quarter * 3, 1));
  const end = new Date(Date.UTC(year, quarter * 3 + 3, 0));
  return { start, end };
}

/**
 * Loads the demo project through the same use cases the API runs, so every event passes every
 * rule. Refuses a store that already holds events.
 */
export async function loadDemo(
  store: EventStore,
  now: Date = new Date(),
  onProgress: (step: string) => void | Promise<void> = () => undefined,
): Promise<string> {
  if ((await store.headPosition()) !== undefined) throw new StoreNotEmpty();
  const planning = new Planning(store);
  const meta = (actor = 'user:li-na'): RequestMetadata => ({ actor, now: now.toISOString(), correlationId: 'demo-load' });
  const { start, end } = demoQuarter(now);
  const period = { startDate: iso(start), deadline: iso(end) };
  const monthly = { kind: 'monthly' as const, weights: [0.3, 0.33, 0.37] };
  const project = DEMO_PROJECT_ID;

  const life = new ProjectLife(store, planning);
  await onProgress('previous quarter');
  await loadPreviousQuarter(planning, life, addDays(start, -1), meta);

  await onProgress('project and team');
  await planning.openProject(
    project,
    {
      name: 'East region quarter push',
      managerId: 'li-na',
      periodStart: iso(start),
      periodEnd: iso(end),
      currency: 'CNY',
      timeZone: DEMO_TIME_ZONE,
      description: 'Grow new business in the east region this quarter while keeping customers satisfied.',
      smartPolicy: { onFailure: 'warn', achievableMultiple: 3 },
    },
    meta(),
  );
  for (const member of members)
    await planning.changeTeam(
      project,
      { type: 'JoinMember', data: { ...member, responsibilities: [...member.responsibilities], skills: [...member.skills] } },
      meta(),
    );
  await planning.changeTeam(project, { type: 'SetSkillRequirement', data: { skill: 'negotiation', minLevel: 3, headcount: 3 } }, meta());
  await planning.changeTeam(project, { type: 'SetSkillRequirement', data: { skill: 'crm', minLevel: 3, headcount: 2 } }, meta());

  await onProgress('strategy');
  const strategy = async (elementId: string, element: Parameters<ProjectLife['defineStrategyElement']>[2]) =>
    life.defineStrategyElement(project, elementId, element, meta());
  await strategy('demo-market-east', {
    kind: 'market_analysis',
    name: 'East China mid-market',
    customerNeeds: ['Shorter delivery times', 'Local service within 24 hours', 'Predictable pricing'],
    competitors: [
      { name: 'Huadong Systems', strengths: ['price', 'local network'], weaknesses: ['slow support'], pricePosition: 'lower' },
      { name: 'Global Solutions Ltd', strengths: ['brand'], weaknesses: ['long contracts'], pricePosition: 'higher' },
    ],
    trends: ['Manufacturers consolidate suppliers', 'Buyers research online before the first call'],
    sources: ['Regional trade association survey 2026', 'CRM win/loss notes'],
  });
  await strategy('demo-seg-manufacturers', {
    kind: 'segment',
    name: 'Mid-size manufacturers',
    criteria: ['200–2,000 staff', 'Plant in Jiangsu, Zhejiang or Shanghai'],
    needs: ['Uptime', 'Service contracts'],
    buyingBehaviour: 'Committee decision, 2–4 months',
    priority: 'high',
  });
  await strategy('demo-seg-retail', {
    kind: 'segment',
    name: 'Retail chains',
    criteria: ['20+ stores'],
    needs: ['Fast rollout'],
    buyingBehaviour: 'Head-office procurement, yearly tenders',
    priority: 'medium',
  });
  await strategy('demo-ch-direct', {
    kind: 'channel',
    name: 'Direct account executives',
    channelKind: 'direct',
    segmentIds: ['demo-seg-manufacturers', 'demo-seg-retail'],
    revenueShare: 0.75,
  });
  await strategy('demo-ch-partners', {
    kind: 'channel',
    name: 'System integrator partners',
    channelKind: 'partner',
    segmentIds: ['demo-seg-manufacturers'],
    revenueShare: 0.2,
  });
  await strategy('demo-pricing-2026', {
    kind: 'pricing',
    name: 'Value pricing 2026',
    model: 'value',
    listPrices: [
      { item: 'Platform licence (per site, per year)', price: 120_000 },
      { item: 'Service contract (per year)', price: 36_000 },
    ],
    discountPolicy: { maxDiscount: 0.2, approvalThreshold: 0.1 },
    floorMargin: 0.35,
  });

  await onProgress('goals');
  const revenue = { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better' as const, aggregation: 'cumulative' as const };
  await planning.setGoal(
    project,
    'demo-revenue',
    {
      title: 'East region revenue',
      kpi: revenue,
      target: 2_800_000,
      baseline: 2_100_000,
      ...period,
      phasing: monthly,
      owner: { kind: 'team' },
      // The region is judged on its members' roll-up, with a wider band than each member's.
      tolerance: 0.2,
      relevance: 'The company plan counts on the east region for a third of new revenue',
      actualsSource: 'CRM closed-won opportunities',
      strategyRefs: ['demo-seg-manufacturers', 'demo-ch-direct', 'demo-pricing-2026'],
    },
    meta(),
  );
  for (const rep of reps) {
    await planning.setGoal(
      project,
      `demo-revenue-${rep.memberId}`,
      {
        title: `Revenue: ${members.find((m) => m.memberId === rep.memberId)?.name}`,
        kpi: revenue,
        target: rep.target,
        baseline: Math.round(rep.target * 0.8),
        ...period,
        phasing: monthly,
        owner: { kind: 'member', memberId: rep.memberId },
        tolerance: 0.1,
        parentGoalId: 'demo-revenue',
        actualsSource: 'CRM closed-won opportunities',
      },
      meta(),
    );
  }
  await planning.setGoal(
    project,
    'demo-new-customers',
    {
      title: 'New customers won',
      kpi: { name: 'New customers', unit: 'customers', direction: 'higher_is_better', aggregation: 'cumulative' },
      target: 45,
      baseline: 30,
      ...period,
      phasing: { kind: 'linear' },
      owner: { kind: 'team' },
      tolerance: 0.15,
      relevance: 'Broadens the customer base ahead of next year',
      actualsSource: 'CRM accounts with a first order',
      strategyRefs: ['demo-seg-retail', 'demo-ch-partners'],
    },
    meta(),
  );
  await strategy('demo-promo-fair', {
    kind: 'promotion',
    name: 'Shanghai industrial automation fair',
    promotionKind: 'event',
    channelId: 'demo-ch-direct',
    segmentIds: ['demo-seg-manufacturers'],
    budget: 80_000,
    startDate: iso(addDays(start, 20)),
    endDate: iso(addDays(start, 22)),
    expectedLift: { goalId: 'demo-new-customers', percent: 10 },
  });
  await planning.setGoal(
    project,
    'demo-csat',
    {
      title: 'Customer satisfaction',
      kpi: { name: 'CSAT', unit: 'points (1-5)', direction: 'higher_is_better', aggregation: 'level' },
      target: 4.5,
      baseline: 4.2,
      ...period,
      phasing: { kind: 'linear' },
      owner: { kind: 'member', memberId: 'liu-yang' },
      tolerance: 0.05,
      relevance: 'Satisfied customers renew and refer',
      actualsSource: 'Monthly survey tool export',
      surveyFeed: 'csat',
    },
    meta(),
  );

  await onProgress('adjustments');
  // Li Na rebalances after the first pipeline review: the member goals now add up to a little more than the parent.
  await planning.changeGoal(
    'demo-revenue',
    {
      type: 'AdjustGoalTarget',
      data: { target: 2_500_000, reason: 'Region head set the target from the members’ plans after the October pipeline review' },
    },
    meta(),
  );
  await planning.changeGoal(
    'demo-revenue-chen-jie',
    { type: 'AdjustGoalTarget', data: { target: 250_000, reason: 'Chen Jie spends two weeks on trade fair leads' } },
    meta(),
  );
  await planning.changeGoal(
    'demo-new-customers',
    { type: 'AdjustGoalTarget', data: { target: 50, reason: 'Trade fair brought more qualified leads than planned' } },
    meta(),
  );

  await onProgress('tasks');
  const random = seeded(20261127);
  // The demo's today is its own calendar's date (Shanghai's, not UTC's), as the API judges it.
  const today = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: DEMO_TIME_ZONE }).format(now)}T00:00:00Z`);
  const last = today.getTime() < end.getTime() ? today : end;
  for (const [index, [title, owner]] of taskTitles.entries()) {
    const taskId = `demo-task-${String(index + 1).padStart(2, '0')}`;
    const due = iso(addDays(start, 7 + Math.floor(random() * 80)));
    const goalId = owner === 'liu-yang' ? 'demo-csat' : reps.some((r) => r.memberId === owner) ? `demo-revenue-${owner}` : 'demo-revenue';
    const strategyRef = TASK_STRATEGY[index];
    await planning.planTask(
      project,
      taskId,
      {
        title,
        description: '',
        goalId,
        dueDate: due,
        assigneeId: owner,
        estimateHours: 4 + Math.floor(random() * 20),
        ...(strategyRef ? { strategyRef } : {}),
      },
      meta(),
    );
    // Relative to the demo's day: what was due before it is mostly done; a few stay overdue, as in a
    // real quarter, whatever day the demo starts on.
    const pastDue = due < iso(last) && !MOVED_TO_QUARTER_END.has(index);
    const percent = 25 + Math.floor(random() * 60);
    const done = COMPLETED.has(index) || (pastDue && !STAYS_OVERDUE.has(index) && index !== BLOCKED);
    if (!NOT_STARTED.has(index) || pastDue) await planning.changeTask(taskId, { type: 'StartTask', data: {} }, meta(`user:${owner}`));
    if (WITH_PROGRESS.has(index) || (pastDue && !done))
      await planning.changeTask(taskId, { type: 'ReportTaskProgress', data: { percent, note: 'on track' } }, meta(`user:${owner}`));
    if (done) await planning.changeTask(taskId, { type: 'CompleteTask', data: { note: 'done' } }, meta(`user:${owner}`));
  }
  await planning.changeTask(
    'demo-task-07',
    { type: 'BlockTask', data: { reason: 'Distributor contracts wait for legal review' } },
    meta('user:zhao-lei'),
  );
  await planning.changeTask(
    'demo-task-08',
    { type: 'AssignTask', data: { assigneeId: 'zhang-wei', reason: 'Zhao Lei is behind; Zhang Wei knows the Suzhou accounts' } },
    meta(),
  );
  await planning.changeTask(
    'demo-task-17',
    { type: 'AssignTask', data: { assigneeId: 'chen-jie', reason: 'Prospecting capacity moved to dormant accounts' } },
    meta(),
  );
  await planning.changeTask(
    'demo-task-12',
    { type: 'MoveTaskDueDate', data: { dueDate: iso(end), reason: 'Report runs until the quarter closes' } },
    meta(),
  );

  await onProgress('daily actuals');
  const days = Math.max(0, Math.floor((last.getTime() - start.getTime()) / 86_400_000) + 1);
  const span = Math.floor((end.getTime() - start.getTime()) / 86_400_000) + 1;
  for (const rep of reps) {
    // Each day's deals follow the month's weight in the phasing, ±15%: those on pace stay on pace
    // whatever day the demo is read on, and the one who falls behind is the one alert.
    const perDay = (day: number) => {
      const date = addDays(start, day);
      const month = date.getUTCMonth() - start.getUTCMonth();
      const inMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
      return ((rep.target * (monthly.weights[month] ?? 0)) / inMonth) * rep.pace;
    };
    const actuals = Array.from({ length: days }, (_, day) => ({
      actualId: `demo-${rep.memberId}-${day}`,
      value: Math.round(perDay(day) * (0.85 + 0.3 * random())),
      businessDate: iso(addDays(start, day)),
      source: 'CRM closed-won opportunities',
      externalRef: `crm-${rep.memberId}-${day}`,
    }));
    if (actuals.length > 0)
      await planning.changeGoal(`demo-revenue-${rep.memberId}`, { type: 'RecordActuals', data: { actuals } }, meta('system:crm-feed'));
  }
  // First orders most days, a little ahead of the linear plan (55 against 50 over the quarter).
  const wonBy = (d: number) => Math.round((55 / span) * d);
  const customers = Array.from({ length: days }, (_, d) => ({
    actualId: `demo-customers-${d}`,
    value: wonBy(d + 1) - wonBy(d),
    businessDate: iso(addDays(start, d)),
    source: 'CRM accounts with a first order',
    externalRef: `crm-first-order-${d}`,
  })).filter((a) => a.value > 0);
  if (customers.length > 0)
    await planning.changeGoal('demo-new-customers', { type: 'RecordActuals', data: { actuals: customers } }, meta('system:crm-feed'));
  // A survey wave a week: a level KPI measured monthly would look stale three weeks in four.
  const surveys = Array.from({ length: Math.floor((days - 1) / 7) + (days > 0 ? 1 : 0) }, (_, week) => ({
    actualId: `demo-csat-${week}`,
    value: Math.round((4.35 + random() * 0.25) * 10) / 10,
    businessDate: iso(addDays(start, week * 7)),
    source: 'Weekly survey tool export',
    externalRef: `survey-wave-${week}`,
  }));
  if (surveys.length > 0)
    await planning.changeGoal('demo-csat', { type: 'RecordActuals', data: { actuals: surveys } }, meta('system:survey-import'));
  if (days > 14) {
    // A week-old deal partly credited: the correction shows in the report, not as an alert.
    const corrected = `demo-wang-fang-${days - 8}`;
    const { state } = await planning.goal('demo-revenue-wang-fang');
    const value = state.actuals.get(corrected)?.value ?? 0;
    await planning.changeGoal(
      'demo-revenue-wang-fang',
      {
        type: 'CorrectActual',
        data: { actualId: corrected, value: Math.round(value / 2), reason: 'Order partly cancelled by the customer; invoice credited' },
      },
      meta(),
    );
  }
  await onProgress('meetings, issues and feedback');
  await loadExecution(life, project, start, end, last, meta);
  await onProgress('incentives');
  await life.setIncentiveScheme(project, { rules: INCENTIVE_RULES }, meta());
  await life.planTraining(
    project,
    {
      trainingId: 'demo-training-negotiation',
      memberId: 'zhao-lei',
      topic: 'Value selling and negotiation',
      date: iso(end),
      reason: 'Price pressure in Nanjing and Suzhou deals',
    },
    meta(),
  );
  await onProgress('done');
  return project;
}

const INCENTIVE_RULES = [
  {
    ruleId: 'on-target',
    title: 'On-target bonus',
    scope: 'member' as const,
    threshold: 1,
    award: { kind: 'bonus' as const, amount: 8_000, currency: 'CNY' },
  },
  {
    ruleId: 'stretch',
    title: 'Stretch bonus',
    scope: 'member' as const,
    threshold: 1.2,
    award: { kind: 'bonus' as const, amount: 15_000, currency: 'CNY' },
  },
  {
    ruleId: 'top-team',
    title: 'Team award',
    scope: 'team' as const,
    threshold: 1,
    award: { kind: 'award' as const, title: 'Team trip to Hangzhou' },
  },
];

/** The team's previous quarter: two member goals, closed with an outcome, wrapped up, its evaluation published. */
async function loadPreviousQuarter(
  planning: Planning,
  life: ProjectLife,
  inPrevious: Date,
  meta: (actor?: string) => RequestMetadata,
): Promise<void> {
  const { start, end } = demoQuarter(inPrevious);
  const project = DEMO_PREVIOUS_PROJECT_ID;
  await planning.openProject(
    project,
    {
      name: 'East region: previous quarter',
      managerId: 'li-na',
      periodStart: iso(start),
      periodEnd: iso(end),
      currency: 'CNY',
      timeZone: DEMO_TIME_ZONE,
      description: 'The quarter before the push: the same team, a smaller target.',
      smartPolicy: { onFailure: 'warn', achievableMultiple: 3 },
    },
    meta(),
  );
  for (const member of members.filter((m) => ['li-na', 'wang-fang', 'zhao-lei'].includes(m.memberId))) {
    await planning.changeTeam(
      project,
      { type: 'JoinMember', data: { ...member, responsibilities: [...member.responsibilities], skills: [...member.skills] } },
      meta(),
    );
  }
  const results = [
    ['wang-fang', 800_000, 864_000],
    ['zhao-lei', 700_000, 595_000],
  ] as const;
  for (const [memberId, target, actual] of results) {
    const goalId = `demo-previous-revenue-${memberId}`;
    await planning.setGoal(
      project,
      goalId,
      {
        title: `Revenue: ${members.find((m) => m.memberId === memberId)?.name}`,
        kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
        target,
        baseline: Math.round(target * 0.8),
        startDate: iso(start),
        deadline: iso(end),
        phasing: { kind: 'linear' },
        owner: { kind: 'member', memberId },
        tolerance: 0.1,
        actualsSource: 'CRM closed-won opportunities',
      },
      meta(),
    );
    const months = [0, 1, 2].map((m) => ({
      actualId: `${goalId}-${m}`,
      value: Math.round(actual / 3),
      businessDate: iso(addDays(start, m * 30 + 25)),
      source: 'CRM closed-won opportunities',
    }));
    await planning.changeGoal(goalId, { type: 'RecordActuals', data: { actuals: months } }, meta('system:crm-feed'));
  }
  await life.setIncentiveScheme(project, { rules: INCENTIVE_RULES }, meta());
  // An interim evaluation, then a correction that lifts Zhao Lei to target: the final one pays more.
  await life.publishEvaluation(project, 'Interim: Wang Fang above target, Zhao Lei 15% short.', meta());
  const lastMonth = `demo-previous-revenue-zhao-lei-2`;
  await planning.changeGoal(
    'demo-previous-revenue-zhao-lei',
    {
      type: 'CorrectActual',
      data: { actualId: lastMonth, value: 303_334, reason: 'The September invoice was entered without its service contract' },
    },
    meta(),
  );
  await life.appraiseMember(
    project,
    { memberId: 'wang-fang', score: 5, strengths: ['Key account depth', 'Forecast accuracy'], improvements: ['Delegate renewals'] },
    meta(),
  );
  await life.appraiseMember(
    project,
    { memberId: 'zhao-lei', score: 3, strengths: ['New territory opened'], improvements: ['Qualify earlier', 'Hold price'] },
    meta(),
  );
  await life.recordLesson(
    project,
    {
      lessonId: 'demo-lesson-late-start',
      outcome: 'failure',
      text: 'Nanjing distributors were contacted only in the last month; start territory work in week one.',
      tags: ['pipeline', 'territory'],
      goalIds: ['demo-previous-revenue-zhao-lei'],
      strategyRefs: [],
    },
    meta(),
  );
  await life.recordLesson(
    project,
    {
      lessonId: 'demo-lesson-qbr',
      outcome: 'success',
      text: 'Quarterly business reviews with the top ten accounts brought two thirds of the upsell.',
      tags: ['key accounts'],
      goalIds: ['demo-previous-revenue-wang-fang'],
      strategyRefs: [],
    },
    meta(),
  );
  await planning.closeProject(project, 'Quarter ended', meta(), undefined, 'partially_achieved');
  await life.publishEvaluation(
    project,
    'Both account executives reached their targets once the September invoice was corrected; the late start in Nanjing is the lesson.',
    meta(),
  );
}

/** Regular meetings with minutes, an issues log, and feedback and survey responses from customers and the team. */
async function loadExecution(
  life: ProjectLife,
  project: string,
  start: Date,
  end: Date,
  last: Date,
  meta: (actor?: string) => RequestMetadata,
): Promise<void> {
  await life.setMeetingCadence(
    project,
    {
      cadenceId: 'demo-weekly-pipeline',
      title: 'Weekly pipeline review',
      kind: 'pipeline_review',
      every: 'week',
      weekday: 1,
      attendees: members.map((m) => m.memberId),
    },
    meta(),
  );
  await life.setMeetingCadence(
    project,
    { cadenceId: 'demo-monthly-one-on-one', title: 'Monthly one-on-ones', kind: 'one_on_one', every: 'month', attendees: ['li-na'] },
    meta(),
  );
  const meetingDay = (back: number) => (addDays(last, -back).getTime() < start.getTime() ? start : addDays(last, -back));
  const first = meetingDay(14);
  await life.recordMeetingMinutes(
    project,
    {
      meetingId: 'demo-meeting-1',
      cadenceId: 'demo-weekly-pipeline',
      date: iso(first),
      attendees: members.map((m) => m.memberId),
      notes: 'Suzhou and Nanjing pipeline is thin; trade fair leads need qualifying.',
      decisions: ['Zhang Wei takes the Suzhou site visits', 'Discounts above 10% need Li Na’s approval'],
      actionItems: [
        {
          taskId: 'demo-task-action-1',
          title: 'Joint call plan for Suzhou accounts',
          assigneeId: 'zhao-lei',
          dueDate: iso(addDays(first, 7).getTime() > end.getTime() ? end : addDays(first, 7)),
        },
      ],
    },
    meta(),
  );
  await life.recordMeetingMinutes(
    project,
    {
      meetingId: 'demo-meeting-2',
      cadenceId: 'demo-weekly-pipeline',
      date: iso(meetingDay(7)),
      attendees: ['li-na', 'wang-fang', 'zhang-wei', 'zhao-lei'],
      notes: 'Reviewed pace per member; Zhao Lei still behind.',
      decisions: ['Weekly check-in between Li Na and Zhao Lei until the gap closes'],
      actionItems: [],
    },
    meta(),
  );

  await life.raiseIssue(
    project,
    'demo-issue-crm-export',
    {
      title: 'CRM export misses deals closed on weekends',
      description: 'The nightly feed filters by business days.',
      severity: 'high',
      goalId: 'demo-revenue',
    },
    meta('user:liu-yang'),
  );
  await life.changeIssue(project, {
    type: 'AssignIssue',
    data: { issueId: 'demo-issue-crm-export', assigneeId: 'liu-yang' },
    metadata: meta(),
  });
  await life.changeIssue(project, {
    type: 'ResolveIssue',
    data: { issueId: 'demo-issue-crm-export', resolution: 'Feed filter fixed; weekend deals backfilled' },
    metadata: meta('user:liu-yang'),
  });
  await life.raiseIssue(
    project,
    'demo-issue-legal',
    { title: 'Distributor contracts stuck in legal review', description: '', severity: 'medium', taskId: 'demo-task-07' },
    meta('user:zhao-lei'),
  );
  await life.changeIssue(project, { type: 'AssignIssue', data: { issueId: 'demo-issue-legal', assigneeId: 'li-na' }, metadata: meta() });

  await life.recordFeedback(
    project,
    'demo-feedback-price',
    {
      source: 'customer',
      from: 'crm-account-nanjing-04',
      topic: 'Price',
      rating: 2,
      text: 'The service contract costs more than the local competitor’s.',
      link: { kind: 'strategy', id: 'demo-pricing-2026' },
    },
    meta('user:zhao-lei'),
  );
  await life.recordFeedback(
    project,
    'demo-feedback-fair',
    {
      source: 'team',
      from: 'chen-jie',
      topic: 'Trade fair leads',
      rating: 4,
      text: 'Most leads are real plant managers; follow-up within a week works.',
      link: { kind: 'strategy', id: 'demo-promo-fair' },
    },
    meta('user:chen-jie'),
  );
  await life.recordFeedback(
    project,
    'demo-feedback-support',
    {
      source: 'customer',
      from: 'crm-account-shanghai-11',
      topic: 'Support',
      rating: 5,
      text: 'On-site engineer came the same day.',
      link: { kind: 'goal', id: 'demo-csat' },
    },
    meta('user:wang-fang'),
  );
  const surveyDay = iso(last.getTime() < start.getTime() ? start : last);
  for (const [i, score] of [5, 4, 4, 5, 3].entries())
    await life.recordSurveyResponse(
      project,
      `demo-csat-response-${i + 1}`,
      { respondentRef: `crm-survey-${i + 1}`, scale: 'csat', score, comment: '', surveyedOn: surveyDay },
      undefined,
      meta('system:survey-import'),
    );
  for (const [i, score] of [10, 9, 7, 6, 9].entries())
    await life.recordSurveyResponse(
      project,
      `demo-nps-response-${i + 1}`,
      { respondentRef: `crm-survey-${i + 1}`, scale: 'nps', score, comment: '', surveyedOn: surveyDay },
      undefined,
      meta('system:survey-import'),
    );
}
