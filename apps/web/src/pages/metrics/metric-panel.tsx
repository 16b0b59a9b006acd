/**
 * One Metrics tab panel: a heading, a legend that names each line by colour and dash, the chart (loaded lazily), the
 * latest values in words for screen readers and everyone, and the same numbers as a table behind a toggle.
 */
import { lazy, Suspense, useId, useState } from 'react';
import { DataTable, type Column } from '../../components/data-table.js';
import { limitStyle, lineStyle } from './line-styles.js';
import type { MetricPanelModel, ReleaseMark } from './metric-panels.js';

// uPlot is loaded only when the Metrics tab is opened: it stays out of the initial bundle.
const MetricsPlot = lazy(() => import('./metrics-plot.js'));

export interface MetricPanelProps {
  readonly panel: MetricPanelModel;
  readonly timestampsMs: readonly number[];
  readonly marks: readonly ReleaseMark[];
  readonly sinceMs: number;
  readonly untilMs: number;
}

function Legend({ panel }: { readonly panel: MetricPanelModel }) {
  let drawn = 0;
  return (
    <ul className="metric-legend" aria-label={`${panel.title} lines`}>
      {panel.lines.map((line) => {
        const style = line.isLimit === true ? limitStyle : lineStyle(drawn++);
        return (
          <li key={line.label}>
            <svg width="28" height="10" aria-hidden="true">
              <line
                x1="0"
                y1="5"
                x2="28"
                y2="5"
                stroke={`var(${style.colourVar})`}
                strokeWidth="2"
                strokeDasharray={style.dash.join(' ')}
              />
            </svg>{' '}
            {line.label}
          </li>
        );
      })}
    </ul>
  );
}

export function MetricPanel({ panel, timestampsMs, marks, sinceMs, untilMs }: MetricPanelProps) {
  const [isTableShown, setTableShown] = useState(false);
  const headingId = useId();
  const tableId = useId();
  const rows = timestampsMs
    .map((_, index) => index)
    .filter((index) => panel.lines.some((line) => line.isLimit !== true && line.values[index] !== null))
    .reverse();
  const columns: Column<number>[] = [
    { header: 'Time', cell: (index) => new Date(timestampsMs[index] ?? 0).toLocaleString() },
    ...panel.lines.map((line) => ({
      header: line.label,
      cell: (index: number) => {
        const value = line.values[index];
        return value === null || value === undefined ? '—' : panel.format(value);
      },
    })),
  ];
  return (
    <figure
      className="card metric-panel"
      aria-labelledby={headingId}
      data-panel={panel.id}
      data-points={panel.pointCount}
      data-marks={marks.length}
    >
      <h3 id={headingId}>
        {panel.title} <span className="meta small">({panel.unit})</span>
      </h3>
      <Legend panel={panel} />
      {panel.pointCount === 0 ? (
        <p className="meta">No sample in this window yet.</p>
      ) : (
        <Suspense fallback={<p className="meta">Loading the chart…</p>}>
          <MetricsPlot
            label={`${panel.title} over time. ${panel.summary}`}
            timestampsMs={timestampsMs}
            lines={panel.lines}
            marks={marks}
            sinceMs={sinceMs}
            untilMs={untilMs}
            format={panel.format}
          />
        </Suspense>
      )}
      <figcaption data-testid="metric-summary">{panel.summary}</figcaption>
      <button
        type="button"
        className="button button-quiet"
        aria-expanded={isTableShown}
        aria-controls={tableId}
        onClick={() => setTableShown((shown) => !shown)}
      >
        {isTableShown ? 'Hide the table' : 'Show as a table'}
      </button>
      <div id={tableId} hidden={!isTableShown}>
        {isTableShown ? (
          <DataTable
            caption={`${panel.title}, newest first`}
            columns={columns}
            rows={rows}
            rowKey={(index) => String(timestampsMs[index])}
            empty="No sample in this window."
          />
        ) : null}
      </div>
    </figure>
  );
}
