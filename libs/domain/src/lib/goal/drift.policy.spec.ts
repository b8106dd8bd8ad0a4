import type { GoalDefinition } from '@planledger/contracts';
import { assessDrift, type DriftState } from './drift.policy';
import type { ActualPoint } from './pace.policy';

/** 30 days of November, 3,000 to reach, 10% tolerance: 100 a day is exactly on plan. */
const goal: GoalDefinition = {
  title: 'November revenue',
  kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
  target: 3000,
  baseline: 0,
  startDate: '2026-11-01',
  deadline: '2026-11-30',
  phasing: { kind: 'linear' },
  owner: { kind: 'team' },
  tolerance: 0.1,
};
const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}`;
const daily = (from: number, to: number, value: number): ActualPoint[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ businessDate: day(from + i), value }));

interface Case {
  name: string;
  goal?: Partial<GoalDefinition>;
  actuals: ActualPoint[];
  asOf: string;
  previous?: DriftState;
  settings?: { trailingDays: number; staleAfterDays: number };
  expect: Partial<{
    state: DriftState;
    pace: number | null;
    expectedToDate: number;
    actualToDate: number | null;
    trailingRunRate: number | null;
    trailingForecast: number | null;
    trailingPace: number | null;
    daysSinceLastActual: number | null;
  }>;
}

// Each expectation worked out by hand from the definitions in drift.policy.ts and pace.policy.ts.
const cases: Case[] = [
  {
    name: 'start day, on plan: expected 3000 × 1/30, forecast 100 + 100 × 29',
    actuals: daily(1, 1, 100),
    asOf: day(1),
    expect: { state: 'on_track', expectedToDate: 100, pace: 1, trailingRunRate: 100, trailingForecast: 3000, daysSinceLastActual: 0 },
  },
  {
    name: 'deadline day, target reached: nothing remains, never stale',
    actuals: daily(1, 30, 100),
    asOf: day(30),
    expect: { state: 'on_track', expectedToDate: 3000, actualToDate: 3000, pace: 1, trailingForecast: 3000 },
  },
  {
    name: 'ahead so far, but the last five days brought 100 of the 500 planned: trailing pace 0.2',
    actuals: [...daily(1, 5, 200), ...daily(6, 10, 20)],
    asOf: day(10),
    settings: { trailingDays: 5, staleAfterDays: 7 },
    expect: {
      state: 'at_risk',
      actualToDate: 1100,
      expectedToDate: 1000,
      pace: 1.1,
      trailingRunRate: 20,
      trailingForecast: 1500,
      trailingPace: 0.2,
    },
  },
  {
    name: 'the same actuals over a 14-day window (10 days so far): 1100 of 1000 planned, 110 a day, 1100 + 2200 = 3300',
    actuals: [...daily(1, 5, 200), ...daily(6, 10, 20)],
    asOf: day(10),
    expect: { state: 'on_track', trailingRunRate: 110, trailingForecast: 3300, trailingPace: 1.1 },
  },
  {
    name: 'stale: the last actual is 9 days old, more than 7',
    actuals: daily(1, 1, 100),
    asOf: day(10),
    expect: { state: 'stale', daysSinceLastActual: 9 },
  },
  {
    name: 'stale: no actual since the start 8 days ago',
    actuals: [],
    asOf: day(9),
    expect: { state: 'stale', daysSinceLastActual: 8, actualToDate: 0 },
  },
  {
    name: 'neither stale nor drifting at exactly 7 days without an actual: still in its grace period',
    actuals: [],
    asOf: day(8),
    expect: { state: 'on_track', daysSinceLastActual: 7, pace: 0 },
  },
  {
    name: 'zero target, lower is better (complaints): 5 against 0 expected is pace 0',
    goal: { target: 0, kpi: { name: 'Complaints', unit: 'tickets', direction: 'lower_is_better', aggregation: 'cumulative' } },
    actuals: [{ businessDate: day(3), value: 5 }],
    asOf: day(10),
    expect: { state: 'off_track', expectedToDate: 0, pace: 0 },
  },
  {
    name: 'lower is better, under budget: 1000 expected ÷ 800 spent = 1.25',
    goal: { kpi: { name: 'Cost', unit: 'CNY', direction: 'lower_is_better', aggregation: 'cumulative' } },
    actuals: daily(1, 10, 80),
    asOf: day(10),
    expect: { state: 'on_track', pace: 1.25, trailingForecast: 2400 },
  },
  {
    name: 'lower is better, over budget: 1000 ÷ 1300 = 0.77, below 0.8',
    goal: { kpi: { name: 'Cost', unit: 'CNY', direction: 'lower_is_better', aggregation: 'cumulative' } },
    actuals: daily(1, 10, 130),
    asOf: day(10),
    expect: { state: 'off_track' },
  },
  {
    name: 'level KPI: the latest value against a glide from 4.0 to 4.6 (4.2 due on day 10 of 30)',
    goal: { kpi: { name: 'CSAT', unit: 'points', direction: 'higher_is_better', aggregation: 'level' }, baseline: 4.0, target: 4.6 },
    actuals: [
      { businessDate: day(2), value: 3.0 },
      { businessDate: day(9), value: 4.2 },
    ],
    asOf: day(10),
    expect: { state: 'on_track', actualToDate: 4.2, trailingRunRate: null, trailingForecast: 4.2 },
  },
  {
    name: 'rephased monthly 20% / 80% over November–December: 1500 by 30 November against 1220 due; the slow start is the plan, no early warning',
    goal: { deadline: '2026-12-31', target: 6100, phasing: { kind: 'monthly', weights: [0.2, 0.8] } },
    actuals: daily(1, 30, 50),
    asOf: day(30),
    expect: { expectedToDate: 1220, state: 'on_track', trailingForecast: 3050 },
  },
  {
    name: 'the same goal phased linearly: 3000 due (30 of 61 days), 1500 is half',
    goal: { deadline: '2026-12-31', target: 6100 },
    actuals: daily(1, 30, 50),
    asOf: day(30),
    expect: { expectedToDate: 3000, pace: 0.5, state: 'off_track' },
  },
  {
    name: 'a corrected actual counts at its corrected value: 1000 corrected to 100 leaves 100 of 500 due',
    actuals: [{ businessDate: day(5), value: 100 }],
    asOf: day(5),
    expect: { actualToDate: 100, pace: 0.2, state: 'off_track' },
  },
  {
    name: 'hysteresis: at risk before, pace 0.91 is not enough to be on track again (needs 0.925)',
    actuals: daily(1, 10, 91),
    asOf: day(10),
    previous: 'at_risk',
    expect: { pace: 0.91, state: 'at_risk' },
  },
  {
    name: 'hysteresis: at risk before, pace 0.93 is on track again',
    actuals: daily(1, 10, 93),
    asOf: day(10),
    previous: 'at_risk',
    expect: { state: 'on_track' },
  },
  {
    name: 'stale before is no status to hold on to: pace 0.91 is on track',
    actuals: daily(1, 10, 91),
    asOf: day(10),
    previous: 'stale',
    expect: { state: 'on_track' },
  },
];

describe('drift policy', () => {
  it.each(cases)('$name', ({ goal: change, actuals, asOf, previous, settings, expect: wanted }) => {
    const result = assessDrift({ ...goal, ...change }, actuals, asOf, previous, settings);
    for (const [key, value] of Object.entries(wanted)) {
      if (typeof value === 'number') expect(result[key as keyof typeof result]).toBeCloseTo(value, 6);
      else expect(result[key as keyof typeof result]).toEqual(value);
    }
    expect(result.reason.length).toBeGreaterThan(5);
  });

  it('names why a goal is stale or at risk', () => {
    expect(assessDrift(goal, daily(1, 1, 100), day(10)).reason).toBe('no actual since 2026-11-01 (9 days)');
    expect(
      assessDrift(goal, [...daily(1, 5, 200), ...daily(6, 10, 20)], day(10), undefined, { trailingDays: 5, staleAfterDays: 7 }).reason,
    ).toMatch(/last 5 days ran at 20% of plan \(run rate lands at 1500 against 3000\)/);
  });
});
