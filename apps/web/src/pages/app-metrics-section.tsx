/**
 * The app's metrics, from the history slipwayd samples whether or not anyone looks: request rate, 5xx share, latency
 * percentiles and in-flight requests (all releases and each), CPU and memory per instance, with a marker at each
 * release that went live. Refetched on the `app:<app>` topic's events (a deployment, a release, an instance that
 * moved) and by its Refresh button: the stream carries no event per sample, and the tab never polls.
 */
import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { metricRanges, metricsApi, type MetricRange } from '../api/metrics-api.js';
import { ErrorNotice } from '../components/error-notice.js';
import { useLiveRefresh } from '../live/use-live.js';
import { MetricPanel } from './metrics/metric-panel.js';
import { metricPanels, releaseMarks } from './metrics/metric-panels.js';

const rangeNames: Record<MetricRange, string> = { '1h': '1 h', '6h': '6 h', '24h': '24 h', '7d': '7 d' };

const seconds = (value: number) =>
  value < 60 ? `${value} s` : `${(value / 60).toFixed(value % 60 === 0 ? 0 : 1)} min`;

export function MetricsSection({ app }: { readonly app: string }) {
  const [range, setRange] = useState<MetricRange>('1h');
  const series = useQuery({
    queryKey: ['app', app, 'metrics', range],
    queryFn: () => metricsApi.series(app, range),
    placeholderData: keepPreviousData,
  });
  useLiveRefresh(`app:${app}`, [['app', app, 'metrics']]);
  const data = series.data;
  const panels = useMemo(() => (data === undefined ? [] : metricPanels(data)), [data]);
  const marks = useMemo(() => (data === undefined ? [] : releaseMarks(data)), [data]);
  return (
    <>
      <div className="metrics-toolbar">
        <div role="group" aria-label="Time range" className="range-group">
          {metricRanges.map((name) => (
            <button
              key={name}
              type="button"
              className="button button-quiet"
              aria-pressed={range === name}
              onClick={() => setRange(name)}
            >
              {rangeNames[name]}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="button"
          disabled={series.isFetching}
          onClick={() => {
            void series.refetch();
          }}
        >
          {series.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ErrorNotice error={series.error} />
      {data === undefined ? (
        series.isPending ? (
          <p className="meta">Loading the metrics…</p>
        ) : null
      ) : (
        <>
          <p className="meta" data-testid="metrics-window">
            {data.environment}, the last {rangeNames[range]} to {new Date(data.until).toLocaleTimeString()}: a point
            every {seconds(data.stepSeconds)}, sampled every {seconds(data.sampleIntervalSeconds)}.
          </p>
          <p data-testid="metrics-releases">
            {data.markers.length === 0
              ? 'No release went live in this window.'
              : `Releases that went live (marked on the charts): ${data.markers
                  .map((m) => `v${m.release} at ${new Date(m.at).toLocaleString()}`)
                  .join(', ')}.`}
          </p>
          <div className="metric-panels">
            {panels.map((panel) => (
              <MetricPanel
                key={panel.id}
                panel={panel}
                timestampsMs={data.timestamps}
                marks={marks}
                sinceMs={Date.parse(data.since)}
                untilMs={Date.parse(data.until)}
              />
            ))}
          </div>
        </>
      )}
    </>
  );
}
