import { useEffect, useRef } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import type { Language } from '../lib/format';

type Echarts = typeof import('echarts/core');
let loading: Promise<Echarts> | undefined;
const loadEcharts = () => (loading ??= import('./echarts-setup').then((m) => m.echarts));

/** Starts fetching ECharts while the page's data is still on its way, so the first chart does not wait for both in turn. */
export const preloadCharts = () => void loadEcharts();

export interface ChartProps {
  option: EChartsCoreOption;
  language: Language;
  /** What the chart shows, for screen readers (ECharts' aria description is added beside it). */
  label: string;
  height?: number;
  testId?: string;
  onPointClick?: (params: { name?: string; data?: unknown; componentType?: string }) => void;
}

/** One ECharts instance in the page's language, resized with its box and disposed with it. */
export function Chart({ option, language, label, height = 280, testId, onPointClick }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<Echarts['init']>>(undefined);
  const click = useRef(onPointClick);
  click.current = onPointClick;

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void loadEcharts().then((echarts) => {
      if (disposed || !box.current) return;
      const instance = echarts.init(box.current, null, { renderer: 'svg', locale: language === 'zh-CN' ? 'ZH' : 'EN' });
      chart.current = instance;
      instance.on('click', (params) => click.current?.(params as never));
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(box.current);
      instance.setOption(option);
      box.current.dataset['drawn'] = 'true';
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = undefined;
    };
    // The locale is fixed at init: a language switch makes a new instance.
  }, [language]);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} role="img" aria-label={label} data-testid={testId} style={{ width: '100%', height }} />;
}
