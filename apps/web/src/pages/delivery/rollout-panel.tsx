/**
 * One rollout: its phase (and why it is paused), the steps with the current one marked, the weights per release, the
 * analysis with its measurements charted, and the controls (deployer and above only).
 */
import { lazy, Suspense } from 'react';
import type { RolloutView } from '@slipway/contract';
import { DataTable } from '../../components/data-table.js';
import { RelativeTime } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';
import { useCan } from '../../session/session.js';
import { RolloutControls } from './rollout-controls.js';

// uPlot is loaded only when a rollout has measurements to chart: it stays out of the initial bundle.
const MeasurementsChart = lazy(() => import('./measurements-chart.js'));

export function RolloutPanel({ rollout, project }: { readonly rollout: RolloutView; readonly project: string }) {
  const canControl = useCan('deployer', project);
  const analysis = rollout.analysis;
  return (
    <div className="card rollout" data-rollout={rollout.id}>
      <h2>
        {rollout.app} ({rollout.environment}): v{rollout.releaseNumber}
        {rollout.stableReleaseNumber === null ? '' : ` over v${rollout.stableReleaseNumber}`}
      </h2>
      <p data-testid="rollout-phase">
        <StatusBadge state={rollout.phase} /> {rollout.strategy}
        {rollout.pauseReason === null ? '' : ` · paused: ${rollout.pauseReason}`}
        {rollout.pendingControl === null ? '' : ` · ${rollout.pendingControl} asked`}
      </p>
      {rollout.message === null ? null : <p className="meta">{rollout.message}</p>}
      <p className="meta small">
        Started <RelativeTime at={rollout.startedAt} />
        {rollout.finishedAt === null ? null : (
          <>
            {' '}
            · finished <RelativeTime at={rollout.finishedAt} />
          </>
        )}
      </p>
      {canControl ? <RolloutControls rollout={rollout} /> : null}
      <h3>Steps</h3>
      {rollout.steps.length === 0 ? (
        <p className="meta">This strategy has no steps.</p>
      ) : (
        <ol className="steps">
          {rollout.steps.map((step) => {
            const isCurrent = step.index === rollout.currentStep && rollout.finishedAt === null;
            return (
              <li key={step.index} className={isCurrent ? 'step-current' : undefined}>
                {step.label}
                {isCurrent ? <span className="tag">current</span> : null}
              </li>
            );
          })}
        </ol>
      )}
      <h3>Traffic</h3>
      <DataTable
        caption="Traffic split by release"
        columns={[
          { header: 'Release', cell: (w) => `v${w.releaseNumber}${w.isPreview ? ' (preview)' : ''}` },
          {
            header: 'Weight',
            cell: (w) => (
              <span className="weight">
                <span className="weight-bar" aria-hidden="true">
                  <span style={{ width: `${Math.min(100, Math.max(0, w.weight))}%` }} />
                </span>
                {w.weight} %
              </span>
            ),
          },
          {
            header: 'Instances',
            cell: (w) =>
              Object.entries(w.instances)
                .map(([process, count]) => `${process}: ${count}`)
                .join(', ') || '—',
          },
          { header: 'Routed on purpose', cell: (w) => (w.matches.length === 0 ? '—' : w.matches.join(', ')) },
        ]}
        rows={rollout.weights}
        rowKey={(w) => String(w.releaseNumber)}
        rowAttributes={(w) => ({ 'data-weight': String(w.weight) })}
        empty="No traffic split in force."
      />
      {analysis === null ? null : (
        <>
          <h3>
            Analysis {analysis.name}: <StatusBadge state={analysis.phase} kind="progress" />
          </h3>
          {analysis.message === null ? null : <p className="meta">{analysis.message}</p>}
          {analysis.measurements.length === 0 ? (
            <p className="meta">No measurement yet.</p>
          ) : (
            <Suspense fallback={<p className="meta">Loading the chart…</p>}>
              <MeasurementsChart measurements={analysis.measurements} />
            </Suspense>
          )}
        </>
      )}
    </div>
  );
}
