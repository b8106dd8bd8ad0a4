import type { GoalDefinition } from '@planledger/contracts';
import { revenueGoal } from '../testing/fixtures';
import { assessPace, plannedShare, type ActualPoint } from './pace.policy';

// Revenue 3,000,000 from 2026-10-01 to 2026-12-31, monthly weights 0.3 / 0.3 / 0.4, tolerance 0.1.
const goal: GoalDefinition = revenueGoal;
const linear: GoalDefinition = { ...goal, phasing: { kind: 'linear' } };
const on = (businessDate: string, value: number): ActualPoint => ({ businessDate, value });

describe('plannedShare', () => {
  it('is nothing before the start and everything from the deadline', () => {
    expect(plannedShare(goal.phasing, '2026-10-01', '2026-12-31', '2026-09-30')).toBe(0);
    expect(plannedShare(goal.phasing, '2026-10-01', '2026-12-31', '2026-12-31')).toBe(1);
    expect(plannedShare(goal.phasing, '2026-10-01', '2026-12-31', '2027-02-01')).toBe(1);
  });
  it('grows by the day when linear', () => {
    expect(plannedShare({ kind: 'linear' }, '2026-10-01', '2026-12-31', '2026-11-15')).toBeCloseTo(46 / 92);
    expect(plannedShare({ kind: 'linear' }, '2026-10-01', '2026-12-31', '2026-10-01')).toBeCloseTo(1 / 92);
  });
  it('adds whole months and the passed days of the current one', () => {
    expect(plannedShare(goal.phasing, '2026-10-01', '2026-12-31', '2026-10-31')).toBeCloseTo(0.3);
    expect(plannedShare(goal.phasing, '2026-10-01', '2026-12-31', '2026-11-15')).toBeCloseTo(0.3 + 0.3 * (15 / 30));
  });
  it('weighs Monday-to-Sunday weeks, clipped to the goal', () => {
    const weekly = { kind: 'weekly' as const, weights: [0.25, 0.75] };
    expect(plannedShare(weekly, '2026-11-02', '2026-11-15', '2026-11-08')).toBeCloseTo(0.25);
    expect(plannedShare(weekly, '2026-11-02', '2026-11-15', '2026-11-09')).toBeCloseTo(0.25 + 0.75 / 7);
    // A goal starting on a Thursday: its first week has four days.
    expect(plannedShare({ kind: 'weekly', weights: [0.5, 0.5] }, '2026-11-05', '2026-11-15', '2026-11-06')).toBeCloseTo(0.5 * (2 / 4));
  });
});

describe('assessPace', () => {
  it('measures a cumulative goal against its phased plan, with attainment and a run-rate forecast', () => {
    const result = assessPace(goal, [on('2026-10-20', 900_000), on('2026-11-10', 450_000)], '2026-11-15');
    expect(result.expectedToDate).toBeCloseTo(1_350_000);
    expect(result).toMatchObject({ actualToDate: 1_350_000, status: 'on_track' });
    expect(result.pace).toBeCloseTo(1);
    expect(result.attainment).toBeCloseTo(0.45);
    expect(result.forecast).toBeCloseTo((1_350_000 * 92) / 46);
  });

  it('ignores actuals dated after the day asked about', () => {
    expect(assessPace(goal, [on('2026-10-20', 900_000), on('2026-11-20', 5_000_000)], '2026-11-15').actualToDate).toBe(900_000);
  });

  it.each([
    [0.95, 'on_track'],
    [0.9, 'on_track'],
    [0.85, 'at_risk'],
    [0.8, 'at_risk'],
    [0.7, 'off_track'],
  ] as const)('at pace %p is %p with a tolerance of 0.1', (pace, status) => {
    const result = assessPace(goal, [on('2026-11-01', 1_350_000 * pace)], '2026-11-15');
    expect(result.status).toBe(status);
    expect(result.reason).toContain(`${Math.round(pace * 100)}%`);
  });

  it('needs a quarter of the tolerance more to improve (hysteresis), none to worsen', () => {
    const at = (pace: number, previous: 'on_track' | 'at_risk' | 'off_track') =>
      assessPace(goal, [on('2026-11-01', 1_350_000 * pace)], '2026-11-15', previous).status;
    expect(at(0.91, 'at_risk')).toBe('at_risk');
    expect(at(0.93, 'at_risk')).toBe('on_track');
    expect(at(0.81, 'off_track')).toBe('off_track');
    expect(at(0.83, 'off_track')).toBe('at_risk');
    expect(at(0.89, 'on_track')).toBe('at_risk');
  });

  it('glides a level KPI from baseline to target, lower being better', () => {
    const churn: GoalDefinition = {
      ...linear,
      kpi: { name: 'Churn', unit: '%', direction: 'lower_is_better', aggregation: 'level' },
      baseline: 4,
      target: 2,
    };
    const midway = '2026-11-15';
    const onPlan = assessPace(churn, [on('2026-10-10', 3.8), on('2026-11-14', 3)], midway);
    expect(onPlan.expectedToDate).toBeCloseTo(4 - 2 * (46 / 92));
    expect(onPlan).toMatchObject({ actualToDate: 3, forecast: 3, status: 'on_track' });
    expect(onPlan.attainment).toBeCloseTo(2 / 3);
    expect(assessPace(churn, [on('2026-11-14', 3.5)], midway).status).toBe('at_risk');
    // The latest business date counts, not the order they were recorded in.
    expect(assessPace(churn, [on('2026-11-14', 3), on('2026-10-10', 3.9)], midway).actualToDate).toBe(3);
  });

  it('counts a lower-is-better cumulative KPI with nothing spent as ahead of plan', () => {
    const cost: GoalDefinition = {
      ...linear,
      kpi: { name: 'Discount cost', unit: 'EUR', direction: 'lower_is_better', aggregation: 'cumulative' },
      target: 100_000,
      baseline: 0,
    };
    expect(assessPace(cost, [], '2026-11-15')).toMatchObject({ actualToDate: 0, pace: Number.POSITIVE_INFINITY, status: 'on_track' });
    expect(assessPace(cost, [on('2026-11-01', 100_000)], '2026-11-15').status).toBe('off_track');
  });

  it('says a goal has not started, or has nothing due or recorded yet, without judging it', () => {
    expect(assessPace(goal, [], '2026-09-15')).toMatchObject({ status: 'on_track', reason: 'not started yet', pace: null, forecast: null });
    const level: GoalDefinition = {
      ...linear,
      kpi: { name: 'NPS', unit: 'points', direction: 'higher_is_better', aggregation: 'level' },
      baseline: 30,
      target: 45,
    };
    expect(assessPace(level, [], '2026-11-15')).toMatchObject({
      actualToDate: null,
      status: 'on_track',
      reason: 'no actuals recorded yet',
    });
  });

  it('judges a cumulative goal with nothing recorded by mid-quarter as off track, and the deadline on the total', () => {
    expect(assessPace(goal, [], '2026-11-15')).toMatchObject({ actualToDate: 0, pace: 0, status: 'off_track' });
    const end = assessPace(goal, [on('2026-12-30', 2_800_000)], '2027-01-05');
    expect(end).toMatchObject({ plannedShare: 1, forecast: 2_800_000, status: 'on_track' });
    expect(end.pace).toBeCloseTo(2_800_000 / 3_000_000);
  });
});
