import { InMemoryEventStore } from '@planledger/event-store';
import { Planning } from '../planning';
import { ProjectLife } from '../project-life/project-life';
import { buildReport, reportHtml, reportMarkdown } from '../project-life/report';
import { DEMO_PREVIOUS_PROJECT_ID, DEMO_PROJECT_ID, demoQuarter, loadDemo, StoreNotEmpty } from './demo-project';

describe('the demo project', () => {
  const now = new Date('2026-11-20T10:00:00.000Z');

  it('tells a quarter campaign: six members, seven goals, twenty tasks, daily actuals, one member behind', async () => {
    const store = new InMemoryEventStore();
    const steps: string[] = [];
    expect(await loadDemo(store, now, (s) => void steps.push(s))).toBe(DEMO_PROJECT_ID);
    expect(steps.at(-1)).toBe('done');
    const planning = new Planning(store);
    const project = await planning.project(DEMO_PROJECT_ID);
    expect(project.state.charter).toMatchObject({ periodStart: '2026-10-01', periodEnd: '2026-12-31' });
    expect((await planning.team(DEMO_PROJECT_ID)).members).toHaveLength(6);
    const goals = await planning.projectGoals(DEMO_PROJECT_ID);
    expect(goals).toHaveLength(7);
    expect(goals.find((g) => g.goalId === 'demo-revenue')?.decomposition).toMatchObject({
      parentTarget: 2_500_000,
      activeChildren: 4,
    });
    const tasks = await planning.projectTasks(DEMO_PROJECT_ID);
    expect(tasks).toHaveLength(21);
    expect(new Set(tasks.map((t) => t.status))).toEqual(new Set(['planned', 'in_progress', 'blocked', 'completed']));

    // Zhao Lei's attainment against the time elapsed is far below everyone else's.
    const attainment = async (memberId: string) => {
      const { state } = await planning.goal(`demo-revenue-${memberId}`);
      const actual = [...state.actuals.values()].reduce((sum, a) => sum + a.value, 0);
      return actual / (state.definition?.target ?? 1);
    };
    const zhao = await attainment('zhao-lei');
    for (const other of ['wang-fang', 'zhang-wei', 'chen-jie']) expect(zhao).toBeLessThan((await attainment(other)) * 0.6);
    const [lastActual] = (await store.readStream('goal-demo-revenue-zhao-lei', { direction: 'backwards', limit: 1 })).map(
      (e) => e.data['businessDate'],
    );
    expect(lastActual).toBe('2026-11-20');
  });

  it('refuses a store that already holds events, and writes nothing', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('something', [{ type: 'Other', data: {}, metadata: { actor: 'u' } }], { expected: 'no_stream' });
    await expect(loadDemo(store, now)).rejects.toBeInstanceOf(StoreNotEmpty);
    expect((await store.readAll()).events).toHaveLength(1);
  });

  it('runs in the calendar quarter around today, on its first day too', async () => {
    expect(demoQuarter(new Date('2027-02-14T00:00:00Z'))).toEqual({
      start: new Date('2027-01-01T00:00:00Z'),
      end: new Date('2027-03-31T00:00:00Z'),
    });
    await expect(loadDemo(new InMemoryEventStore(), new Date('2027-01-01T08:00:00Z'))).resolves.toBe(DEMO_PROJECT_ID);
    // The quarter of the demo's own calendar: 01:00 on 1 January in Shanghai is the new quarter,
    // though it is still 31 December in UTC.
    expect(demoQuarter(new Date('2026-12-31T17:00:00Z'))).toEqual({
      start: new Date('2027-01-01T00:00:00Z'),
      end: new Date('2027-03-31T00:00:00Z'),
    });
    expect(demoQuarter(new Date('2026-12-31T17:00:00Z'), 'UTC')).toEqual({
      start: new Date('2026-10-01T00:00:00Z'),
      end: new Date('2026-12-31T00:00:00Z'),
    });
  });
});

describe('the demo project’s strategy, execution and wrap-up', () => {
  const now = new Date('2026-11-20T10:00:00.000Z');
  let store: InMemoryEventStore;
  let planning: Planning;
  let life: ProjectLife;
  beforeAll(async () => {
    store = new InMemoryEventStore();
    await loadDemo(store, now);
    planning = new Planning(store);
    life = new ProjectLife(store, planning);
  });

  it('has a strategy that goals and tasks serve, meetings with minutes, an issues log and feedback', async () => {
    const strategy = await life.strategy(DEMO_PROJECT_ID);
    expect(strategy.elements.map((e) => e.kind).sort()).toEqual([
      'channel',
      'channel',
      'market_analysis',
      'pricing',
      'promotion',
      'segment',
      'segment',
    ]);
    expect(strategy.elements.find((e) => e.elementId === 'demo-promo-fair')?.servedByGoals.map((g) => g.goalId)).toEqual([
      'demo-new-customers',
    ]);
    expect(strategy.unservedElements).toEqual(['demo-market-east']);
    expect(strategy.goalsServingNoElement.length).toBeGreaterThan(0);
    const meetings = await life.meetings(DEMO_PROJECT_ID);
    expect(meetings.meetings).toHaveLength(2);
    expect((await planning.task('demo-task-action-1')).state.plan?.assigneeId).toBe('zhao-lei');
    expect((await life.issues(DEMO_PROJECT_ID)).issues.map((i) => i.status).sort()).toEqual(['open', 'resolved']);
    const feedback = await life.feedback(DEMO_PROJECT_ID);
    expect(feedback.feedback).toHaveLength(3);
    expect(feedback.satisfaction).toEqual({ csat: 4.2, csatResponses: 5, nps: 40, npsResponses: 5 });
  });

  it('has a closed predecessor whose published evaluations show the award a correction added', async () => {
    const previous = await planning.project(DEMO_PREVIOUS_PROJECT_ID);
    expect(previous.state).toMatchObject({ status: 'closed', outcome: 'partially_achieved' });
    const wrapUp = await life.wrapUp(DEMO_PREVIOUS_PROJECT_ID);
    const awardsOf = (i: number) => wrapUp.evaluations[i].awards.map((a) => `${a.ruleId}:${a.memberId}`);
    expect(wrapUp.evaluations).toHaveLength(2);
    expect(awardsOf(0)).toEqual(['on-target:wang-fang']);
    expect(awardsOf(1)).toEqual(['on-target:wang-fang', 'on-target:zhao-lei', 'top-team:null']);
    const report = await buildReport(store, planning, life, DEMO_PREVIOUS_PROJECT_ID);
    expect(report.changes).toEqual([
      expect.objectContaining({
        kind: 'correction',
        actualId: 'demo-previous-revenue-zhao-lei-2',
        reason: 'The September invoice was entered without its service contract',
      }),
    ]);
    expect(report.team.find((m) => m.memberId === 'zhao-lei')?.appraisal).toMatchObject({ score: 3 });
    expect(report.lessons).toHaveLength(2);
  });

  it('renders the report in English and Chinese, as Markdown and HTML', async () => {
    const report = await buildReport(store, planning, life, DEMO_PROJECT_ID);
    const en = reportMarkdown(report, 'en');
    const zh = reportMarkdown(report, 'zh');
    expect(en).toContain('# Project report: East region quarter push');
    expect(en).toContain('## Strategy');
    expect(en).toContain('| Shanghai industrial automation fair | promotion | New customers won, Qualify trade fair leads |');
    expect(en).toContain('| East China mid-market | market analysis | ⚠ Nothing serves |');
    expect(zh).toContain('# 项目报告: East region quarter push');
    expect(zh).toContain('客户满意度: 满意度（CSAT） 4.2 (5 份回复), 净推荐值（NPS） 40 (5 份回复)');
    expect(zh).toContain('## 问题 (2 已提出, 1 已解决)');
    const html = reportHtml(report, 'zh');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<h2>经验教训</h2>');
    expect(html).not.toMatch(/<script/);
  });
});

describe('the demo on any start day', () => {
  // The first week, the middle and the last days of a quarter, and a quarter's first day.
  it.each([
    '2026-10-01T01:00:00Z',
    '2026-10-03T02:00:00Z',
    '2026-11-02T03:00:00Z',
    '2026-10-20T09:00:00Z',
    '2026-11-20T10:00:00Z',
    '2026-12-01T08:00:00Z',
    '2026-12-29T12:00:00Z',
    // 01:00 on a quarter's first day in Shanghai, still the old quarter's last day in UTC.
    '2026-12-31T17:00:00Z',
  ])(
    'on %s shows at most five overdue tasks, one blocked, and exactly one drift alert: the member who falls behind',
    async (at) => {
      const now = new Date(at);
      const store = new InMemoryEventStore();
      await loadDemo(store, now);
      const planning = new Planning(store);
      const zone = (await planning.project(DEMO_PROJECT_ID)).state.charter?.timeZone ?? 'UTC';
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(now);
      const tasks = await planning.projectTasks(DEMO_PROJECT_ID);
      const open = tasks.filter((t) => t.status !== 'completed' && t.status !== 'cancelled');
      const overdue = open.filter((t) => (t.dueDate ?? '') < today);
      expect(overdue.length).toBeLessThanOrEqual(5);
      expect(tasks.filter((t) => t.status === 'blocked')).toHaveLength(1);
      // The drift checks the worker runs after the load, on the project's today.
      const meta = { actor: 'service:planledger-worker', now: now.toISOString(), correlationId: 'check' };
      const verdicts: string[] = [];
      for (const goal of await planning.projectGoals(DEMO_PROJECT_ID))
        for (const event of (await planning.checkDrift(goal.goalId, today, meta)).events) verdicts.push(`${event.type} ${goal.goalId}`);
      expect(verdicts).toEqual(['KpiDriftDetected demo-revenue-zhao-lei']);
    },
    60_000,
  );
});
