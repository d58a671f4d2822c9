import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { locale } from '../i18n';

/** Axis labels for days in the user's locale: "24. Aug." (de) / "24 Aug" (en-GB). */
function dayLabels(splits: number[]): string[] {
  const day = new Intl.DateTimeFormat(locale.get(), { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return splits.map((s) => day.format(new Date(s * 1000)));
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  bars?: boolean;
  format?: (v: number) => string;
}

/** A uPlot chart over days (x = unix seconds) that follows its container's width. */
export function Chart(props: {
  days: number[];
  series: ChartSeries[];
  height?: number;
  yFormat?: (v: number) => string;
  yRange?: [number, number];
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 24] });
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: props.height ?? 220,
      legend: { show: props.series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, ...(props.yRange ? { y: { range: props.yRange } } : {}) },
      axes: [
        {
          stroke: '#64748b',
          grid: { show: false },
          ticks: { stroke: '#e2e8f0' },
          incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400],  // whole days: one label per date
          values: (_u, splits) => dayLabels(splits),
        },
        {
          stroke: '#64748b',
          grid: { stroke: '#eef2f6' },
          ticks: { show: false },
          size: 86,
          values: props.yFormat ? (_u, vals) => vals.map((v) => props.yFormat!(v)) : undefined,
        },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.bars ? 0 : 2,
          fill: s.bars ? s.color : s.color + '14',
          paths: s.bars ? bars : undefined,
          points: { show: false },
          value: s.format ? (_u: uPlot, v: number | null) => (v === null ? '—' : s.format!(v)) : undefined,
        })),
      ],
    };
    const chart = new uPlot(opts, [props.days, ...props.series.map((s) => s.values)] as uPlot.AlignedData, el);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(el.clientWidth, 200), height: props.height ?? 220 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [props.days, props.series]);
  return <div class="chart" ref={box} role="img" aria-label={props.label} />;
}

export function dayToUnix(d: string): number {
  const [y, m, day] = d.split('-').map(Number);
  return Date.UTC(y, m - 1, day) / 1000;
}
