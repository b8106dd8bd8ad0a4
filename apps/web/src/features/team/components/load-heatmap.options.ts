import type { EChartsCoreOption } from 'echarts/core';
import { formatDate, type Language } from '../../../lib/format';

/** The team's load heatmap: member × week, hours due against capacity (1 = full). */
export function loadHeatmapOption(
  members: readonly { name: string; weeks: readonly { week: string; load: number }[] }[],
  description: string,
  language: Language,
): EChartsCoreOption {
  const weeks = [...new Set(members.flatMap((m) => m.weeks.map((w) => w.week)))].sort();
  const data = members.flatMap((m, y) => m.weeks.map((w) => [weeks.indexOf(w.week), y, Math.round(w.load * 100) / 100]));
  return {
    aria: { enabled: true, label: { description } },
    animation: false,
    grid: { left: 96, right: 16, top: 8, bottom: 56 },
    tooltip: { valueFormatter: (v: unknown) => (typeof v === 'number' ? `${Math.round(v * 100)}%` : '—') },
    xAxis: { type: 'category', data: weeks.map((w) => formatDate(w, language)) },
    yAxis: { type: 'category', data: members.map((m) => m.name) },
    visualMap: {
      min: 0,
      max: 1.5,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      inRange: { color: ['#f0f5ff', '#597ef7', '#10239e'] },
    },
    series: [{ type: 'heatmap', data, label: { show: true, formatter: (p: { value: number[] }) => `${Math.round(p.value[2] * 100)}%` } }],
  };
}
