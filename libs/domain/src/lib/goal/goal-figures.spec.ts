import type { GoalDefinition, GoalEvent, RollupRule } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectOpened, revenueGoal } from '../testing/fixtures';
import { decideDrift } from './drift.decider';
import { decideGoal, foldGoal, initialGoalState, type GoalState } from './goal.decider';
import { goalDrift, goalFigures, goalForecastRange, goalNodeOf, rollupOf, type GoalNode } from './goal-figures';

// A ten-day goal judged on its fifth day: half of a linear plan is due (hand-computed figures below).
const ASOF = '2026-10-05';
const base: GoalDefinition = {
  ...revenueGoal,
  startDate: '2026-10-01',
  deadline: '2026-10-10',
  phasing: { kind: 'linear' },
  tolerance: 0.1,
  baseline: 0,
};
const revenue = (target: number, over: Partial<GoalDefinition> = {}): GoalDefinition => ({ ...base, target, ...over });
const level = (target: number, baseline: number, over: Partial<GoalDefinition> = {}): GoalDefinition => ({
  ...base,
  kpi: { name: 'Customer satisfaction', unit: 'points', direction: 'higher_is_better', aggregation: 'level' },
  target,
  baseline,
  ...over,
});
const node = (
  goalId: string,
  definition: GoalDefinition,
  actuals: [number, string][] = [],
  status: GoalNode['status'] = 'active',
): GoalNode => ({
  goalId,
  status,
  definition,
  actuals: actuals.map(([value, businessDate]) => ({ value, businessDate })),
});
const under = (parentGoalId: string, definition: GoalDefinition): GoalDefinition => ({ ...definition, parentGoalId });
const figuresOf = (nodes: GoalNode[], goalId: string, asOf = ASOF) => {
  const found = goalFigures(nodes, asOf).get(goalId);
  if (!found) throw new Error(`no figures for ${goalId}`);
  return found;
};

describe('the goal figure function', () => {
  describe('for a goal with its own actuals', () => {
    it.each([
      {
        name: 'a cumulative KPI sums the actuals up to the day (a later one does not count yet)',
        goal: node('g', revenue(1000), [
          [100, '2026-10-01'],
          [200, '2026-10-03'],
          [150, '2026-10-06'],
        ]),
        // 300 of 1000; half the plan (500) due; run rate 300 in 5 of 10 days lands at 600.
        want: { actualToDate: 300, expectedToDate: 500, attainment: 0.3, pace: 0.6, forecast: 600, status: 'off_track' },
      },
      {
        name: 'a level KPI takes the latest value by business date, not the last one recorded',
        goal: node('g', level(4.5, 4), [
          [4.2, '2026-10-02'],
          [4.6, '2026-10-04'],
          [4.3, '2026-10-03'],
        ]),
        // Latest by business date: 4.6; expected glides from 4 to 4.5: 4.25 at half time.
        want: { actualToDate: 4.6, expectedToDate: 4.25, attainment: 4.6 / 4.5, pace: 4.6 / 4.25, forecast: 4.6, status: 'on_track' },
      },
      {
        name: 'a lower-is-better KPI inverts attainment and pace',
        goal: node('g', level(5, 10, { kpi: { name: 'Churn rate', unit: '%', direction: 'lower_is_better', aggregation: 'level' } }), [
          [8, '2026-10-04'],
        ]),
        // Expected 10 + (5 − 10) × 0.5 = 7.5; attainment 5 ÷ 8; pace 7.5 ÷ 8 = 0.9375 ≥ 0.9.
        want: { actualToDate: 8, expectedToDate: 7.5, attainment: 0.625, pace: 0.9375, forecast: 8, status: 'on_track' },
      },
      {
        name: 'a cumulative goal without actuals stands at 0, behind its plan',
        goal: node('g', revenue(1000)),
        want: { actualToDate: 0, expectedToDate: 500, attainment: 0, pace: 0, status: 'off_track' },
      },
    ])('$name', ({ goal, want }) => {
      const figures = figuresOf([goal], 'g');
      for (const [key, value] of Object.entries(want)) {
        if (typeof value === 'number') expect(figures[key as keyof typeof figures]).toBeCloseTo(value, 9);
        else expect(figures[key as keyof typeof figures]).toBe(value);
      }
      expect(figures).toMatchObject({ rolledUp: false, childGoalIds: [] });
    });

    it('uses the corrected value of an actual', () => {
      const events: GoalEvent[] = [
        { type: 'GoalSet', data: { goalId: 'g', projectId: 'p1', ...revenue(1000), smart: allPass } },
        { type: 'ActualRecorded', data: { goalId: 'g', actualId: 'a1', value: 100, businessDate: '2026-10-01', source: 'CRM' } },
        { type: 'ActualRecorded', data: { goalId: 'g', actualId: 'a2', value: 200, businessDate: '2026-10-03', source: 'CRM' } },
        { type: 'ActualCorrected', data: { goalId: 'g', actualId: 'a1', before: 100, after: 80, reason: 'credit note' } },
      ];
      const goal = goalNodeOf(foldGoal(initialGoalState, events)) as GoalNode;
      expect(figuresOf([goal], 'g')).toMatchObject({ actualToDate: 280, attainment: 0.28, pace: 0.56 });
    });
  });

  describe('for a three-level tree', () => {
    // root ← A ← (A1, A2), root ← B; a withdrawn child C of the root never counts.
    const tree = (rule: RollupRule, kind: 'revenue' | 'level') => {
      const def = (target: number, baseline = 0) => (kind === 'revenue' ? revenue(target) : level(target, baseline));
      const values = kind === 'revenue' ? { a1: 100, a2: 50, b: 120, c: 999 } : { a1: 8, a2: 12, b: 20, c: 99 };
      return [
        node('root', { ...def(kind === 'revenue' ? 1000 : 50), rollup: rule }),
        node('A', { ...under('root', def(kind === 'revenue' ? 600 : 40)), rollup: rule }),
        node('A1', under('A', def(kind === 'revenue' ? 300 : 10)), [[values.a1, '2026-10-02']]),
        node('A2', under('A', def(kind === 'revenue' ? 300 : 30)), [[values.a2, '2026-10-04']]),
        node('B', under('root', def(10)), [[values.b, '2026-10-03']]),
        node('C', under('root', def(500)), [[values.c, '2026-10-03']], 'withdrawn'),
      ];
    };

    it.each([
      // sum: A = 100 + 50; root = 150 + 120. Attainment against each parent's own target.
      { rule: 'sum', kind: 'revenue', A: 150, root: 270, rootAttainment: 0.27 },
      // average: A = (8 + 12) / 2 = 10; root = (10 + 20) / 2 = 15.
      { rule: 'average', kind: 'level', A: 10, root: 15, rootAttainment: 15 / 50 },
      // weighted by child target: A = (10×8 + 30×12) / 40 = 11; root = (40×11 + 10×20) / 50 = 12.8.
      { rule: 'weighted_average', kind: 'level', A: 11, root: 12.8, rootAttainment: 12.8 / 50 },
      // min: A = min(8, 12) = 8; root = min(8, 20) = 8.
      { rule: 'min', kind: 'level', A: 8, root: 8, rootAttainment: 8 / 50 },
      // sum over level children: A = 8 + 12 = 20; root = 20 + 20 = 40.
      { rule: 'sum', kind: 'level', A: 20, root: 40, rootAttainment: 40 / 50 },
    ] as const)('$rule over $kind goals rolls up all the way: A $A, root $root', ({ rule, kind, A, root, rootAttainment }) => {
      const nodes = tree(rule, kind);
      const figures = goalFigures(nodes, ASOF);
      expect(figures.get('A')?.actualToDate).toBeCloseTo(A, 9);
      expect(figures.get('root')?.actualToDate).toBeCloseTo(root, 9);
      expect(figures.get('root')?.attainment).toBeCloseTo(rootAttainment, 9);
      expect(figures.get('root')).toMatchObject({ rolledUp: true, rollup: rule, childGoalIds: ['A', 'B'], lastActualDate: '2026-10-04' });
      expect(figures.get('A')).toMatchObject({ rolledUp: true, childGoalIds: ['A1', 'A2'] });
    });

    it('none: the parent keeps its own actuals, whatever its children record', () => {
      const nodes = [
        node('root', { ...revenue(1000), rollup: 'none' }, [[50, '2026-10-02']]),
        node('A', under('root', revenue(600)), [[500, '2026-10-02']]),
      ];
      expect(figuresOf(nodes, 'root')).toMatchObject({ actualToDate: 50, attainment: 0.05, rolledUp: false, rollup: 'none' });
    });

    it('ignores a parent’s own actuals once it rolls up its children, so nothing counts twice', () => {
      const nodes = [node('root', revenue(1000), [[400, '2026-10-01']]), node('A', under('root', revenue(600)), [[100, '2026-10-02']])];
      expect(figuresOf(nodes, 'root').actualToDate).toBe(100);
    });

    it('defaults to sum for cumulative KPIs and to average for level KPIs', () => {
      expect(rollupOf(revenue(1))).toBe('sum');
      expect(rollupOf(level(5, 4))).toBe('average');
      expect(rollupOf({ ...level(5, 4), rollup: 'min' })).toBe('min');
    });
  });

  describe('the drift check on a tree', () => {
    const quarter = { startDate: '2026-10-01', deadline: '2026-12-31' };

    it('finds a parent stale when none of its children recorded anything for more than a week', () => {
      const nodes = [
        node('root', revenue(1000, quarter)),
        node('A', under('root', revenue(500, quarter)), [[100, '2026-10-20']]),
        node('B', under('root', revenue(500, quarter)), [[100, '2026-11-05']]),
      ];
      const judged = goalDrift(nodes, 'root', '2026-11-20');
      expect(judged).toMatchObject({
        state: 'stale',
        daysSinceLastActual: 15,
        actualToDate: 200,
        reason: 'no actual since 2026-11-05 (15 days)',
      });
    });

    it('judges a parent on track on the total while the child that falls behind still drifts', () => {
      const children = [
        node('A', under('root', revenue(500)), [
          [200, '2026-10-02'],
          [200, '2026-10-04'],
        ]),
        node('B', under('root', revenue(500)), [[100, '2026-10-04']]),
      ];
      const nodes = [node('root', revenue(1000)), ...children];
      // root: 500 of the 500 due (pace 1); A: 400 of 250 (1.6); B: 100 of 250 (0.4).
      expect(goalDrift(nodes, 'root', ASOF)).toMatchObject({ state: 'on_track', actualToDate: 500, pace: 1 });
      expect(goalDrift(nodes, 'A', ASOF)).toMatchObject({ state: 'on_track' });
      expect(goalDrift(nodes, 'B', ASOF)).toMatchObject({ state: 'off_track', pace: 0.4 });

      // Through the decider: the child's alert fires, the parent's check records nothing.
      const project = [projectOpened].reduce(evolveProject, initialProjectState);
      const stateOf = (n: GoalNode): GoalState =>
        foldGoal(initialGoalState, [
          { type: 'GoalSet', data: { goalId: n.goalId, projectId: 'p1', ...n.definition, smart: allPass } },
          ...n.actuals.map((a, i): GoalEvent => ({
            type: 'ActualRecorded',
            data: { goalId: n.goalId, actualId: `a${i}`, value: a.value, businessDate: a.businessDate, source: 'CRM' },
          })),
        ]);
      const check = (goalId: string) => ({ type: 'CheckDrift' as const, data: { goalId, asOf: ASOF }, metadata: meta });
      expect(decideDrift(check('root'), {}, { project, goal: stateOf(nodes[0]), descendants: children })).toEqual([]);
      expect(decideDrift(check('B'), {}, { project, goal: stateOf(children[1]) })).toEqual([
        expect.objectContaining({ type: 'KpiDriftDetected', data: expect.objectContaining({ goalId: 'B', to: 'off_track' }) }),
      ]);
    });
  });
});

describe('the range of a forecast', () => {
  const twoDays = { trailingDays: 2, staleAfterDays: 7 };

  it('runs from the lower to the higher of the run rate since the start and the trailing one', () => {
    // 450 in 5 of 10 days: 900 at the deadline by the run rate so far; the last two days brought 150,
    // 75 a day, so the 5 days left add 375: 825 by the trailing run rate.
    const goal = node('g', revenue(1000), [
      [100, '2026-10-01'],
      [200, '2026-10-03'],
      [150, '2026-10-05'],
    ]);
    expect(goalForecastRange([goal], 'g', ASOF, twoDays)).toEqual({ low: 825, high: 900 });
  });

  it('reaches down to where the goal stands when the trailing window brought nothing', () => {
    // 300 by day 3, nothing on days 4 and 5: 600 by the run rate so far, 300 if nothing more comes.
    const goal = node('g', revenue(1000), [
      [100, '2026-10-01'],
      [200, '2026-10-03'],
    ]);
    expect(goalForecastRange([goal], 'g', ASOF, twoDays)).toEqual({ low: 300, high: 600 });
  });

  it('is unknown for a level KPI, whose forecast is its latest value', () => {
    expect(goalForecastRange([node('g', level(4.5, 4), [[4.2, '2026-10-02']])], 'g', ASOF, twoDays)).toBeNull();
    expect(goalForecastRange([], 'missing', ASOF)).toBeNull();
  });
});

describe('a parent that rolls up its children', () => {
  const project = [projectOpened].reduce(evolveProject, initialProjectState);
  const context = { project, currentMemberIds: new Set<string>(), similarGoalResults: [] };
  const parent = (rollup?: RollupRule) =>
    foldGoal(initialGoalState, [
      { type: 'GoalSet', data: { goalId: 'team', projectId: 'p1', ...revenueGoal, ...(rollup ? { rollup } : {}), smart: allPass } },
    ]);
  const record = {
    type: 'RecordActual' as const,
    data: { goalId: 'team', actualId: 'a1', value: 10, businessDate: '2026-11-01', source: 'CRM' },
    metadata: meta,
  };

  it('refuses an actual of its own, saying why, so nothing counts twice', () => {
    expect(() => decideGoal(record, parent(), { ...context, activeChildCount: 4 })).toThrow(
      expect.objectContaining({ code: 'ACTUAL_ON_ROLLED_UP_GOAL' }),
    );
  });

  it('takes its own actuals with rollup none, or without active children', () => {
    expect(decideGoal(record, parent('none'), { ...context, activeChildCount: 4 })).toHaveLength(1);
    expect(decideGoal(record, parent(), { ...context, activeChildCount: 0 })).toHaveLength(1);
  });

  it('records a change of rollup as an event with the reason, and refuses the rule it already has', () => {
    const change = (rollup: RollupRule) => ({
      type: 'ChangeGoalRollup' as const,
      data: { goalId: 'team', rollup, reason: 'judge the team on its weakest region' },
      metadata: meta,
    });
    const events = decideGoal(change('min'), parent(), context);
    expect(events).toEqual([
      { type: 'GoalRollupChanged', data: { goalId: 'team', before: 'sum', after: 'min', reason: 'judge the team on its weakest region' } },
    ]);
    expect(foldGoal(parent(), events).definition?.rollup).toBe('min');
    expect(() => decideGoal(change('sum'), parent(), context)).toThrow(expect.objectContaining({ code: 'NOTHING_TO_CHANGE' }));
  });
});

const allPass = {
  specific: { ok: true },
  measurable: { ok: true },
  achievable: { ok: true },
  relevant: { ok: true },
  timeBound: { ok: true },
};
