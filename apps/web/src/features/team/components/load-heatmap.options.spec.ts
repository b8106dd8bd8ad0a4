import { loadHeatmapOption } from './load-heatmap.options';

describe('the load heatmap', () => {
  type Series = { data: unknown[] };
  const seriesOf = (option: Record<string, unknown>) => option['series'] as Series[];

  it('puts each member-week at its cell, as hours due over capacity', () => {
    const option = loadHeatmapOption(
      [
        { name: 'Li Na', weeks: [{ week: '2026-11-30', load: 0.66 }] },
        {
          name: 'Wang Fang',
          weeks: [
            { week: '2026-11-23', load: 1.257 },
            { week: '2026-11-30', load: 1.26 },
          ],
        },
      ],
      'Load',
      'en',
    );
    expect((option['yAxis'] as { data: string[] }).data).toEqual(['Li Na', 'Wang Fang']);
    expect((option['xAxis'] as { data: string[] }).data).toEqual(['23 Nov 2026', '30 Nov 2026']);
    expect(seriesOf(option)[0].data).toEqual([
      [1, 0, 0.66],
      [0, 1, 1.26],
      [1, 1, 1.26],
    ]);
  });
});
