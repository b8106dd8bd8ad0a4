import type { EChartsCoreOption } from 'echarts/core';
import type { GoalProgress, SeriesPoint } from '../../../lib/api/types';
import { formatDate, formatNumber, type Language } from '../../../lib/format';

/** A dated plan change shown on a burn-up (target adjustment, reassignment, alert). */
export interface PlanMarker {
  date: string;
  kind: 'target' | 'owner' | 'deadline' | 'alert' | 'correction';
  label: string;
  /** What opens when the marker is clicked (a history position or an alert id). */
  ref: string;
}

export interface BurnUpLabels {
  actual: string;
  phased: string;
  /** The line at the current pace, from the last actual to the API's forecast at the deadline. */
  forecast: string;
  /** The band from the last actual to the API's forecast range at the deadline. */
  range: string;
  /** From the last actual to the target at the deadline: the pace the target needs from here. */
  needed: string;
  target: string;
  deadline: string;
  description: string;
}

const MARKER_SYMBOL: Record<PlanMarker['kind'], string> = {
  target: 'diamond',
  owner: 'triangle',
  deadline: 'rect',
  alert: 'pin',
  correction: 'circle',
};

/**
 * The burn-up of one goal: the API's daily actual against its phased expected line; from the last
 * actual to the deadline the line at the current pace (the API's run-rate forecast), the band of the
 * API's forecast range and the pace the target needs; the target and the deadline marked, and a
 * marker on each plan change's date. Figures are the API's; nothing is recomputed.
 */
export function burnUpOption(
  goal: GoalProgress,
  markers: readonly PlanMarker[],
  labels: BurnUpLabels,
  language: Language,
): EChartsCoreOption {
  const unit = goal.kpi.unit;
  // Every day up to the deadline, so the lines from today to the deadline get their true length.
  const dates = goal.series.map((p) => p.date);
  if (dates.length > 0) dates.push(...daysAfter(dates[dates.length - 1], goal.deadline));
  const lastKnown = [...goal.series].reverse().find((p) => p.actual !== null);
  const ahead = lastKnown !== undefined && lastKnown.date < goal.deadline;
  const toDeadline = (value: number | null | undefined): [string, number][] =>
    ahead && value !== null && value !== undefined
      ? [
          [lastKnown.date, lastKnown.actual as number],
          [goal.deadline, value],
        ]
      : [];
  const forecast = toDeadline(goal.forecast);
  const needed = goal.kpi.aggregation === 'cumulative' ? toDeadline(goal.target) : [];
  const range = goal.forecastRange ?? null;
  const low = toDeadline(range?.low);
  // The band is drawn stacked on the low line: its height is only how far the high end lies above.
  const band = range && low.length > 0 ? low.map(([date], i) => [date, i === 0 ? 0 : range.high - range.low] as [string, number]) : [];
  const rangeText = range ? `${formatNumber(range.low, language, { unit })} – ${formatNumber(range.high, language, { unit })}` : '—';
  const actualByDate = new Map(goal.series.map((p) => [p.date, p.actual]));
  const axisValue = (v: number) => formatNumber(v, language, { unit, compact: true });
  return {
    aria: { enabled: true, label: { description: labels.description } },
    animation: false,
    // Room on the right for the target line's label and above for a legend that wraps to two lines.
    grid: { left: 64, right: 64, top: 56, bottom: 32 },
    legend: {
      top: 0,
      data: [labels.actual, labels.phased, labels.forecast, ...(range ? [labels.range] : []), ...(needed.length ? [labels.needed] : [])],
    },
    tooltip: {
      trigger: 'axis',
      // The band's own height is no figure: the range is said once, low to high, as the API gave it.
      formatter: (params: { seriesId?: string; seriesName: string; marker: string; value: unknown; axisValueLabel: string }[]) => {
        const shown = params.filter((p) => p.seriesId !== 'range-band' && Array.isArray(p.value) && typeof p.value[1] === 'number');
        if (shown.length === 0) return '';
        const line = (p: (typeof shown)[number]) =>
          `${p.marker}${p.seriesName}: ${p.seriesId === 'range-low' ? rangeText : formatNumber((p.value as [string, number])[1], language, { unit })}`;
        return [formatDate(shown[0].axisValueLabel, language), ...shown.map(line)].join('<br/>');
      },
    },
    xAxis: { type: 'category', data: dates, axisLabel: { formatter: (d: string) => formatDate(d, language) } },
    yAxis: { type: 'value', axisLabel: { formatter: axisValue } },
    series: [
      {
        name: labels.actual,
        type: 'line',
        showSymbol: false,
        data: goal.series.map((p) => [p.date, p.actual]),
        lineStyle: { width: 3 },
        markLine: {
          symbol: 'none',
          label: { formatter: '{b}' },
          data: [
            { name: labels.deadline, xAxis: goal.deadline, lineStyle: { type: 'solid' } },
            { name: labels.target, yAxis: goal.target, lineStyle: { type: 'dotted' } },
          ],
        },
        markPoint: {
          symbolSize: 22,
          data: markers
            .filter((m) => actualByDate.has(m.date))
            .map((m) => ({ name: m.label, coord: [m.date, actualByDate.get(m.date) ?? 0], symbol: MARKER_SYMBOL[m.kind], value: m.ref })),
          label: { show: false },
        },
      },
      {
        name: labels.phased,
        type: 'line',
        showSymbol: false,
        data: goal.series.map((p) => [p.date, p.expected]),
        lineStyle: { type: 'dashed' },
      },
      { name: labels.forecast, type: 'line', showSymbol: true, data: forecast, lineStyle: { type: 'dotted', width: 2 } },
      ...(range
        ? [
            {
              id: 'range-low',
              name: labels.range,
              type: 'line',
              stack: 'forecast-range',
              showSymbol: false,
              data: low,
              lineStyle: { width: 1, type: 'dashed', color: '#8c8c8c' },
              itemStyle: { color: '#8c8c8c' },
            },
            {
              id: 'range-band',
              name: labels.range,
              type: 'line',
              stack: 'forecast-range',
              showSymbol: false,
              data: band,
              lineStyle: { width: 1, type: 'dashed', color: '#8c8c8c' },
              itemStyle: { color: '#8c8c8c' },
              areaStyle: { color: 'rgba(140, 140, 140, 0.2)' },
            },
          ]
        : []),
      ...(needed.length
        ? [
            {
              name: labels.needed,
              type: 'line',
              showSymbol: false,
              data: needed,
              lineStyle: { type: 'dashed', width: 1, color: '#ad4e00' },
              itemStyle: { color: '#ad4e00' },
            },
          ]
        : []),
    ],
  };
}

/** The calendar days after `from`, up to and including `to` (none when `to` is not later). */
export function daysAfter(from: string, to: string): string[] {
  const days: string[] = [];
  const day = new Date(`${from}T00:00:00Z`);
  for (;;) {
    day.setUTCDate(day.getUTCDate() + 1);
    const iso = day.toISOString().slice(0, 10);
    if (iso > to) return days;
    days.push(iso);
  }
}

/** A card's sparkline: the actual's daily series only, no axes. */
export function sparklineOption(series: readonly SeriesPoint[], description: string): EChartsCoreOption {
  return {
    aria: { enabled: true, label: { description } },
    animation: false,
    grid: { left: 0, right: 0, top: 2, bottom: 2 },
    xAxis: { type: 'category', show: false, data: series.map((p) => p.date) },
    yAxis: { type: 'value', show: false, min: 'dataMin' },
    series: [{ type: 'line', showSymbol: false, data: series.map((p) => p.actual), lineStyle: { width: 2 }, areaStyle: { opacity: 0.15 } }],
  };
}

export interface PeriodFigure {
  period: string;
  planned: number;
  actual: number | null;
}

/**
 * Planned against actual per calendar month of a cumulative goal, read off the API's daily series:
 * each month's share is its last day's cumulative figure less the previous month's.
 */
export function monthlyPhasing(series: readonly SeriesPoint[]): PeriodFigure[] {
  const months = new Map<string, { expected: number; actual: number | null }>();
  for (const p of series) {
    const month = p.date.slice(0, 7);
    const prev = months.get(month);
    months.set(month, { expected: p.expected, actual: p.actual ?? prev?.actual ?? null });
  }
  const out: PeriodFigure[] = [];
  let expectedBefore = 0;
  let actualBefore = 0;
  for (const [period, { expected, actual }] of months) {
    out.push({ period, planned: expected - expectedBefore, actual: actual === null ? null : actual - actualBefore });
    expectedBefore = expected;
    if (actual !== null) actualBefore = actual;
  }
  return out;
}

export function phasingOption(
  periods: readonly PeriodFigure[],
  labels: { planned: string; actual: string; description: string },
  unit: string,
  language: Language,
): EChartsCoreOption {
  const monthName = (period: string) =>
    new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${period}-01T00:00:00Z`),
    );
  return {
    aria: { enabled: true, label: { description: labels.description } },
    animation: false,
    grid: { left: 64, right: 16, top: 36, bottom: 28 },
    legend: { top: 0, data: [labels.planned, labels.actual] },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, language, { unit }) : '—') },
    xAxis: { type: 'category', data: periods.map((p) => monthName(p.period)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatNumber(v, language, { unit, compact: true }) } },
    series: [
      { name: labels.planned, type: 'bar', data: periods.map((p) => p.planned), itemStyle: { color: '#8c8c8c' } },
      { name: labels.actual, type: 'bar', data: periods.map((p) => p.actual), itemStyle: { color: '#1d5fb4' } },
    ],
  };
}
