/**
 * The control plane's own health (global admin): version and uptime, the store, whether the edge runs, the
 * runtimes, isolation, and the live streams open now. Refreshed by hand (a status is never polled).
 */
import { useQuery } from '@tanstack/react-query';
import type { SystemStatusView } from '@slipway/contract';
import { adminApi } from '../../api/admin-api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { formatAge } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

export function StatusSection() {
  const status = useQuery({ queryKey: ['admin', 'status'], queryFn: () => adminApi.systemStatus() });
  return (
    <>
      <div>
        <button type="button" className="button" disabled={status.isFetching} onClick={() => void status.refetch()}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={status.error} />
      {status.data === undefined ? null : <StatusView status={status.data} />}
    </>
  );
}

function StatusView({ status }: { readonly status: SystemStatusView }) {
  const { edge, isolation, liveStreams } = status;
  return (
    <>
      <h2>Control plane</h2>
      <dl className="facts">
        <dt>Version</dt>
        <dd>{status.version}</dd>
        <dt>Node</dt>
        <dd>{status.nodeName}</dd>
        <dt>Up for</dt>
        <dd>{formatAge(status.uptimeSeconds * 1000)}</dd>
        <dt>API</dt>
        <dd>
          <code>{status.api}</code>
        </dd>
        <dt>Store</dt>
        <dd>{status.store.kind}</dd>
      </dl>
      <h2>Edge</h2>
      <dl className="facts" data-testid="edge-status">
        <dt>State</dt>
        <dd>
          <StatusBadge state={edge.isRunning ? 'running' : 'stopped'} />
          {edge.error === null ? null : <span> ({edge.error})</span>}
        </dd>
        <dt>Address</dt>
        <dd>{edge.address === '' ? '—' : <code>{edge.address}</code>}</dd>
        <dt>Routes</dt>
        <dd>{edge.routes}</dd>
        <dt>Workers</dt>
        <dd>{edge.workers ?? '—'}</dd>
      </dl>
      <h2>Runtimes</h2>
      <DataTable
        caption="Runtimes"
        columns={[
          { header: 'Runtime', cell: (r) => r.name },
          { header: 'Runs images', cell: (r) => yesNo(r.runsImages) },
          { header: 'Runs artifacts', cell: (r) => yesNo(r.runsArtifacts) },
          { header: 'Enforces resource limits', cell: (r) => yesNo(r.enforcesResourceLimits) },
        ]}
        rows={status.runtimes}
        rowKey={(r) => r.name}
      />
      <h2>Isolation and live streams</h2>
      <dl className="facts">
        <dt>Isolation</dt>
        <dd>
          {isolation === null
            ? 'not reported'
            : `${isolation.mode}${isolation.reason === undefined ? '' : ` (${isolation.reason})`}`}
        </dd>
        <dt>Live streams</dt>
        <dd>
          {liveStreams.streams} open, {liveStreams.watchers} watchers, {liveStreams.droppedSlowStreams} dropped for not
          reading
        </dd>
      </dl>
    </>
  );
}
