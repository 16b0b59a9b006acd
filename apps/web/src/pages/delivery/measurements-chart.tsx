/**
 * An analysis' measurements over time, one line per metric (uPlot), with the same numbers in a table for screen
 * readers and narrow screens. Loaded lazily: uPlot is not in the initial bundle.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MeasurementView } from '@slipway/contract';
import { DataTable } from '../../components/data-table.js';
import { StatusBadge } from '../../components/status-badge.js';

const palette = ['#1d4ed8', '#b3261e', '#137333', '#8a5300', '#6b21a8'];

/** Aligned series: the union of measurement times (seconds), and per metric its value at each (null elsewhere). */
export function seriesOf(measurements: readonly MeasurementView[]): { metrics: string[]; data: uPlot.AlignedData } {
  const metrics = [...new Set(measurements.map((m) => m.metric))];
  const times = [...new Set(measurements.map((m) => Date.parse(m.at) / 1000))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = metrics.map(() => times.map((): number | null => null));
  for (const m of measurements) {
    const column = columns[metrics.indexOf(m.metric)];
    const at = index.get(Date.parse(m.at) / 1000);
    if (column !== undefined && at !== undefined) column[at] = m.value;
  }
  return { metrics, data: [times, ...columns] };
}

export default function MeasurementsChart({ measurements }: { readonly measurements: readonly MeasurementView[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (element === null) return undefined;
    const { metrics, data } = seriesOf(measurements);
    const width = Math.max(240, element.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 220,
        series: [{}, ...metrics.map((metric, i) => ({ label: metric, stroke: palette[i % palette.length] ?? '#888' }))],
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, element.clientWidth), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [measurements]);
  return (
    <>
      <div ref={box} className="chart" role="img" aria-label="Analysis measurements over time" />
      <details>
        <summary>Measurements as a table</summary>
        <DataTable
          caption="Analysis measurements"
          columns={[
            { header: 'Metric', cell: (m) => m.metric },
            { header: 'Outcome', cell: (m) => <StatusBadge state={m.outcome} /> },
            { header: 'Value', cell: (m) => (m.value === null ? '—' : String(m.value)) },
            { header: 'Detail', cell: (m) => m.detail ?? '' },
            { header: 'At', cell: (m) => new Date(m.at).toLocaleTimeString() },
          ]}
          rows={measurements}
          rowKey={(m) => `${m.metric}-${m.at}`}
        />
      </details>
    </>
  );
}
