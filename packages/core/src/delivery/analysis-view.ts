/** An analysis run as the API, the CLI and events show it (the contract's `AnalysisView`). */
import type { AnalysisSpec, AnalysisView, MeasurementView } from '@slipway/contract';
import { restoreAnalysisRun, type AnalysisRunState } from './analysis-run.js';

/**
 * The view of a run: its phase and message, and the retained measurements of every metric, oldest first (ties in the
 * spec's metric order). A gate state that holds no run of this spec shows as `running` with no measurement yet.
 */
export function toAnalysisView(name: string, spec: AnalysisSpec, state: unknown): AnalysisView {
  const run: AnalysisRunState | null = restoreAnalysisRun(state, spec);
  if (run === null) return { name, phase: 'running', message: null, measurements: [] };
  const measurements: Array<MeasurementView & { atMs: number; order: number }> = run.metrics.flatMap((metric, order) =>
    metric.measurements.map((m) => ({
      metric: metric.name,
      outcome: m.outcome,
      value: m.value,
      detail: m.detail,
      at: new Date(m.atMs).toISOString(),
      atMs: m.atMs,
      order,
    })),
  );
  measurements.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
  return {
    name,
    phase: run.phase,
    message: run.message,
    measurements: measurements.map(({ atMs: _atMs, order: _order, ...view }) => view),
  };
}
