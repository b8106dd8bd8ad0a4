import type { GoalDefinition } from '@planledger/contracts';
import { revenueGoal } from '../testing/fixtures';
import { assessSmart, failedCriteria, type SmartContext } from './smart.policy';

const context: SmartContext = {
  projectPeriod: { start: '2026-10-01', end: '2026-12-31' },
  policy: { onFailure: 'warn', achievableMultiple: 3 },
  similarGoalResults: [],
};
const assess = (change: Partial<GoalDefinition>, ctx: Partial<SmartContext> = {}) =>
  assessSmart({ ...revenueGoal, ...change }, { ...context, ...ctx });

describe('the SMART check', () => {
  it('passes a goal with a named KPI and unit, a source, a reachable target, a link and a deadline in the period', () => {
    expect(failedCriteria(assess({}))).toEqual([]);
  });

  it.each<[string, Partial<GoalDefinition>, Partial<SmartContext>, string, RegExp]>([
    ['a vague KPI name', { kpi: { ...revenueGoal.kpi, name: 'x' } }, {}, 'specific', /name the KPI/],
    ['no source of actuals', { actualsSource: undefined }, {}, 'measurable', /source/],
    ['a blank source of actuals', { actualsSource: '  ' }, {}, 'measurable', /source/],
    ['a target above 3× the baseline', { target: 6_000_001 }, {}, 'achievable', /more than 3× the baseline 2000000/],
    [
      'a lower-is-better target below baseline ÷ 3',
      { kpi: { ...revenueGoal.kpi, direction: 'lower_is_better' }, baseline: 30, target: 9 },
      {},
      'achievable',
      /below the baseline 30 divided by 3/,
    ],
    [
      'a target above 3× the best similar result when there is no baseline',
      { baseline: 0, target: 1_000 },
      { similarGoalResults: [300, 100] },
      'achievable',
      /best similar result 300/,
    ],
    ['no parent and no relevance note', { relevance: undefined }, {}, 'relevant', /parent goal/],
    ['a deadline after the project ends', { deadline: '2027-01-05' }, {}, 'timeBound', /not inside the project period/],
    ['a start before the project starts', { startDate: '2026-09-20' }, {}, 'timeBound', /not inside the project period/],
    ['a start after the deadline', { startDate: '2026-12-31', deadline: '2026-12-01' }, {}, 'timeBound', /after the deadline/],
  ])('fails %s, with a reason', (_label, change, ctx, criterion, reason) => {
    const assessment = assess(change, ctx);
    const failed = Object.entries(assessment)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    expect(failed).toEqual([criterion]);
    expect(assessment[criterion as keyof typeof assessment].reason).toMatch(reason);
  });

  it.each<[string, Partial<GoalDefinition>, Partial<SmartContext>]>([
    ['exactly 3× the baseline', { target: 6_000_000 }, {}],
    ['no baseline and no history to judge by', { baseline: 0, target: 10_000_000 }, {}],
    ['a parent goal instead of a relevance note', { relevance: undefined, parentGoalId: 'g0' }, {}],
    [
      'a lower-is-better target at baseline ÷ 3',
      { kpi: { ...revenueGoal.kpi, direction: 'lower_is_better' }, baseline: 30, target: 10 },
      {},
    ],
  ])('passes %s', (_label, change, ctx) => {
    expect(failedCriteria(assess(change, ctx))).toEqual([]);
  });
});
