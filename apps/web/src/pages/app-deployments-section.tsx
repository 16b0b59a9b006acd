/** The app's deployments, newest first: kind, state, the phase it is in (live), its releases and why it failed. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/app-api.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useLiveRefresh } from '../live/use-live.js';

export function DeploymentsSection({ app }: { readonly app: string; readonly project: string | undefined }) {
  const deployments = useQuery({
    queryKey: ['app', app, 'deployments'],
    queryFn: () => api.deployments(app),
  });
  useLiveRefresh(`app:${app}`, [['app', app, 'deployments']]);
  return (
    <>
      <ErrorNotice error={deployments.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Deployments</caption>
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col">Phase</th>
              <th scope="col">Releases</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {(deployments.data?.deployments ?? []).map((deployment) => (
              <tr key={deployment.id}>
                <th scope="row">
                  <Link to={`/deployments/${encodeURIComponent(deployment.id)}`}>
                    <code>{deployment.id.slice(0, 12)}</code>
                  </Link>
                </th>
                <td>{deployment.kind}</td>
                <td>
                  <StatusBadge state={deployment.state} />
                  {deployment.failure === null ? null : (
                    <div className="failure">
                      {deployment.failure.code}: {deployment.failure.reason}
                    </div>
                  )}
                </td>
                <td>{deployment.phase ?? '—'}</td>
                <td>
                  {deployment.previousReleaseNumber === null ? '' : `v${deployment.previousReleaseNumber} → `}
                  {deployment.releaseNumber === null ? '—' : `v${deployment.releaseNumber}`}
                </td>
                <td>
                  <RelativeTime at={deployment.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
