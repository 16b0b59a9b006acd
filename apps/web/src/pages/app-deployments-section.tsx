/** The app's deployments, newest first: kind, state, the phase it is in (live), its releases and why it failed. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { DeploymentView } from '@slipway/contract';
import { api } from '../api/app-api.js';
import { DataTable, type Column } from '../components/data-table.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useLiveRefresh } from '../live/use-live.js';

const columns: readonly Column<DeploymentView>[] = [
  {
    header: 'Deployment',
    cell: (d) => (
      <Link to={`/deployments/${encodeURIComponent(d.id)}`}>
        <code>{d.id.slice(0, 12)}</code>
      </Link>
    ),
  },
  { header: 'Kind', cell: (d) => d.kind },
  {
    header: 'State',
    cell: (d) => (
      <>
        <StatusBadge state={d.state} kind="progress" />
        {d.failure === null ? null : (
          <div className="failure">
            {d.failure.code}: {d.failure.reason}
          </div>
        )}
      </>
    ),
  },
  { header: 'Phase', cell: (d) => d.phase ?? '—' },
  {
    header: 'Releases',
    cell: (d) =>
      `${d.previousReleaseNumber === null ? '' : `v${d.previousReleaseNumber} → `}${
        d.releaseNumber === null ? '—' : `v${d.releaseNumber}`
      }`,
  },
  { header: 'Started', cell: (d) => <RelativeTime at={d.createdAt} /> },
];

export function DeploymentsSection({ app }: { readonly app: string; readonly project: string | undefined }) {
  const deployments = useQuery({ queryKey: ['app', app, 'deployments'], queryFn: () => api.deployments(app) });
  useLiveRefresh(`app:${app}`, [['app', app, 'deployments']]);
  return (
    <>
      <ErrorNotice error={deployments.error} />
      <DataTable
        caption="Deployments"
        columns={columns}
        rows={deployments.data?.deployments ?? []}
        rowKey={(d) => d.id}
        empty="No deployment yet."
      />
    </>
  );
}
