import type { GoalProgress } from '../../../lib/api/types';
import { burnUpOption, daysAfter, monthlyPhasing, phasingOption, sparklineOption, type PlanMarker } from './chart-options';

type Series = {
  name: string;
  data: unknown[];
  markLine?: { data: Record<string, unknown>[] };
  markPoint?: { data: Record<string, unknown>[] };
};
const seriesOf = (option: Record<string, unknown>) => option['series'] as Series[];

/** A 10-day goal of 1,000 with a linear plan: 100 a day expected; actuals known to day 4. */
function goal(overrides: Partial<GoalProgress> = {}): GoalProgress {
  return {
    goalId: 'g1',
    projectId: 'p1',
    title: 'Revenue',
    goalStatus: 'active',
    kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
    target: 1000,
    deadline: '2026-10-10',
    owner: { kind: 'team' },
    parentGoalId: null,
    asOf: '2026-10-04',
    plannedShare: 0.4,
    actualToDate: 360,
    expectedToDate: 400,
    attainment: 0.36,
    pace: 0.9,
    forecast: 900,
    status: 'at_risk',
    reason: 'at 90% of plan to date',
    caughtUp: true,
    series: [
      { date: '2026-10-01', actual: 80, expected: 100 },
      { date: '2026-10-02', actual: 170, expected: 200 },
      { date: '2026-10-03', actual: 260, expected: 300 },
      { date: '2026-10-04', actual: 360, expected: 400 },
    ],
    ...overrides,
  };
}

const labels = {
  actual: 'Actual',
  phased: 'Phased target',
  forecast: 'Forecast',
  range: 'Range',
  needed: 'Needed',
  target: 'Target',
  deadline: 'Deadline',
  description: 'Burn-up of Revenue',
};

describe('the burn-up chart', () => {
  it('draws the API’s actual and phased lines day by day, up to the deadline', () => {
    const option = burnUpOption(goal(), [], labels, 'en');
    const [actual, phased] = seriesOf(option);
    expect(actual.data).toEqual([
      ['2026-10-01', 80],
      ['2026-10-02', 170],
      ['2026-10-03', 260],
      ['2026-10-04', 360],
    ]);
    expect(phased.data).toEqual([
      ['2026-10-01', 100],
      ['2026-10-02', 200],
      ['2026-10-03', 300],
      ['2026-10-04', 400],
    ]);
    // The axis runs day by day to the deadline, so the lines from today get their true length.
    expect((option['xAxis'] as { data: string[] }).data).toEqual([
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
      '2026-10-06',
      '2026-10-07',
      '2026-10-08',
      '2026-10-09',
      '2026-10-10',
    ]);
  });

  it('draws the forecast from the last actual to the API’s forecast at the deadline', () => {
    const forecast = seriesOf(burnUpOption(goal(), [], labels, 'en'))[2];
    expect(forecast.name).toBe('Forecast');
    expect(forecast.data).toEqual([
      ['2026-10-04', 360],
      ['2026-10-10', 900],
    ]);
  });

  it('has no forecast line when the API gives none, or once the deadline has passed', () => {
    expect(seriesOf(burnUpOption(goal({ forecast: null }), [], labels, 'en'))[2].data).toEqual([]);
    const done = goal({ deadline: '2026-10-04' });
    expect(seriesOf(burnUpOption(done, [], labels, 'en'))[2].data).toEqual([]);
  });

  it('draws the band of the API’s forecast range from the last actual, and the pace the target needs', () => {
    const option = burnUpOption(goal({ forecastRange: { low: 750, high: 900 } }), [], labels, 'en');
    const byId = (id: string) => (option['series'] as (Series & { id?: string })[]).find((s) => s.id === id);
    expect(byId('range-low')?.data).toEqual([
      ['2026-10-04', 360],
      ['2026-10-10', 750],
    ]);
    // Stacked on the low line: 0 where it starts, high − low (900 − 750) at the deadline.
    expect(byId('range-band')?.data).toEqual([
      ['2026-10-04', 0],
      ['2026-10-10', 150],
    ]);
    const needed = seriesOf(option).find((s) => s.name === 'Needed');
    expect(needed?.data).toEqual([
      ['2026-10-04', 360],
      ['2026-10-10', 1000],
    ]);
    // The tooltip says the range as the API gave it, never the band's height.
    const tooltip = (option['tooltip'] as { formatter: (p: unknown[]) => string }).formatter([
      { seriesId: 'range-low', seriesName: 'Range', marker: '', value: ['2026-10-10', 750], axisValueLabel: '2026-10-10' },
      { seriesId: 'range-band', seriesName: 'Range', marker: '', value: ['2026-10-10', 150], axisValueLabel: '2026-10-10' },
    ]);
    expect(tooltip).toBe('10 Oct 2026<br/>Range: ¥750 – ¥900');
  });

  it('has no band without a range from the API, and no needed pace for a level KPI', () => {
    expect(seriesOf(burnUpOption(goal({ forecastRange: null }), [], labels, 'en')).map((s) => s.name)).toEqual([
      'Actual',
      'Phased target',
      'Forecast',
      'Needed',
    ]);
    const level = goal({ kpi: { name: 'CSAT', unit: 'points', direction: 'higher_is_better', aggregation: 'level' } });
    expect(seriesOf(burnUpOption(level, [], labels, 'en')).map((s) => s.name)).toEqual(['Actual', 'Phased target', 'Forecast']);
  });

  it('counts the days after one up to another, across a month and a year', () => {
    expect(daysAfter('2026-12-30', '2027-01-02')).toEqual(['2026-12-31', '2027-01-01', '2027-01-02']);
    expect(daysAfter('2026-10-10', '2026-10-10')).toEqual([]);
    expect(daysAfter('2026-10-11', '2026-10-10')).toEqual([]);
  });

  it('marks the deadline and the target', () => {
    const marks = seriesOf(burnUpOption(goal(), [], labels, 'en'))[0].markLine?.data;
    expect(marks).toEqual([
      expect.objectContaining({ name: 'Deadline', xAxis: '2026-10-10' }),
      expect.objectContaining({ name: 'Target', yAxis: 1000 }),
    ]);
  });

  it('puts a marker on the actual line at each plan change’s date, and skips dates outside the series', () => {
    const markers: PlanMarker[] = [
      { date: '2026-10-02', kind: 'target', label: 'Target adjusted', ref: 'pos-1' },
      { date: '2026-10-04', kind: 'alert', label: 'Drift', ref: 'pos-2' },
      { date: '2026-09-30', kind: 'owner', label: 'Before the start', ref: 'pos-3' },
    ];
    const points = seriesOf(burnUpOption(goal(), markers, labels, 'en'))[0].markPoint?.data;
    expect(points).toEqual([
      { name: 'Target adjusted', coord: ['2026-10-02', 170], symbol: 'diamond', value: 'pos-1' },
      { name: 'Drift', coord: ['2026-10-04', 360], symbol: 'pin', value: 'pos-2' },
    ]);
  });

  it('describes itself for screen readers and formats its axis in the reader’s language', () => {
    const option = burnUpOption(goal({ target: 3_000_000 }), [], labels, 'zh-CN');
    expect(option['aria']).toEqual({ enabled: true, label: { description: 'Burn-up of Revenue' } });
    const yAxis = option['yAxis'] as { axisLabel: { formatter: (v: number) => string } };
    expect(yAxis.axisLabel.formatter(1_900_000)).toBe('¥190万');
    const xAxis = option['xAxis'] as { axisLabel: { formatter: (d: string) => string } };
    expect(xAxis.axisLabel.formatter('2026-10-04')).toBe('2026年10月4日');
  });
});

describe('the monthly phasing', () => {
  it('is each month’s last cumulative figure less the month before', () => {
    // Oct: expected 300 by its end, actual 250; Nov: 700 and 500 by its end (400 and 250 in November).
    const series = [
      { date: '2026-10-30', actual: 200, expected: 290 },
      { date: '2026-10-31', actual: 250, expected: 300 },
      { date: '2026-11-29', actual: 480, expected: 690 },
      { date: '2026-11-30', actual: 500, expected: 700 },
    ];
    expect(monthlyPhasing(series)).toEqual([
      { period: '2026-10', planned: 300, actual: 250 },
      { period: '2026-11', planned: 400, actual: 250 },
    ]);
  });

  it('keeps the last known actual through days the series has none, and leaves a month with none empty', () => {
    const series = [
      { date: '2026-10-31', actual: 250, expected: 300 },
      { date: '2026-11-01', actual: 260, expected: 310 },
      { date: '2026-11-02', actual: null, expected: 320 },
      { date: '2026-12-01', actual: null, expected: 710 },
    ];
    expect(monthlyPhasing(series)).toEqual([
      { period: '2026-10', planned: 300, actual: 250 },
      { period: '2026-11', planned: 20, actual: 10 },
      { period: '2026-12', planned: 390, actual: null },
    ]);
  });

  it('names the months in the reader’s language', () => {
    const option = phasingOption(
      [{ period: '2026-10', planned: 300, actual: 250 }],
      { planned: '计划', actual: '实际', description: '每月' },
      'CNY',
      'zh-CN',
    );
    expect((option['xAxis'] as { data: string[] }).data).toEqual(['2026年10月']);
    expect(seriesOf(option).map((s) => [s.name, s.data])).toEqual([
      ['计划', [300]],
      ['实际', [250]],
    ]);
  });
});

describe('the small charts', () => {
  it('a sparkline draws the actual alone, with nothing around it', () => {
    const option = sparklineOption(goal().series, 'Revenue');
    expect(seriesOf(option)[0].data).toEqual([80, 170, 260, 360]);
    expect((option['xAxis'] as { show: boolean }).show).toBe(false);
  });
});
