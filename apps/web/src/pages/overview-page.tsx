/** Every app the caller may see, with status, current release, instance health and last deployment; searched and
 *  paged by the server, live through the `apps` topic. */
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { appsPageQuery } from './apps-query.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useLiveRefresh } from '../live/use-live.js';

const pageSize = 50;

export function OverviewPage() {
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const apps = useQuery(appsPageQuery({ search, page, pageSize }));
  useLiveRefresh('apps', [['apps']]);
  const total = apps.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <section aria-labelledby="apps-title">
      <div className="page-head">
        <h1 id="apps-title">Apps</h1>
        <Link className="button button-primary" to="/apps/new">
          New app
        </Link>
      </div>
      <label className="search">
        <span className="visually-hidden">Search apps</span>
        <input
          className="input"
          type="search"
          placeholder="Search apps"
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(1);
          }}
        />
      </label>
      <ErrorNotice error={apps.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Apps, {total} in all</caption>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Project</th>
              <th scope="col">Status</th>
              <th scope="col">Release</th>
              <th scope="col">Instances</th>
              <th scope="col">Last deployment</th>
            </tr>
          </thead>
          <tbody>
            {(apps.data?.apps ?? []).map((app) => {
              const production = app.environments.find((e) => e.name === 'production') ?? app.environments[0];
              const healthy = production?.instances.healthy ?? 0;
              const instances = production?.instances.total ?? 0;
              const observedAtMs =
                app.statusObservedAt === undefined || app.statusObservedAt === null
                  ? undefined
                  : Date.parse(app.statusObservedAt);
              return (
                <tr key={app.id}>
                  <th scope="row">
                    <Link to={`/apps/${encodeURIComponent(app.name)}`}>{app.name}</Link>
                  </th>
                  <td>{app.project}</td>
                  <td>
                    <StatusBadge
                      state={app.status ?? (instances === 0 ? 'none' : healthy === instances ? 'running' : 'degraded')}
                      observedAtMs={observedAtMs}
                      staleAfterMs={30_000}
                    />
                  </td>
                  <td>{production?.currentRelease === null ? '—' : `v${production?.currentRelease ?? '—'}`}</td>
                  <td>
                    {healthy}/{instances} healthy
                    {(production?.instances.crashLooping ?? 0) > 0
                      ? `, ${production?.instances.crashLooping} crash-looping`
                      : ''}
                  </td>
                  <td>
                    {app.lastDeployment === undefined || app.lastDeployment === null ? (
                      '—'
                    ) : (
                      <>
                        <StatusBadge state={app.lastDeployment.state} />{' '}
                        <RelativeTime at={app.lastDeployment.createdAt} />
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {apps.data !== undefined && apps.data.apps.length === 0 ? (
        <p>{search === '' ? 'No apps yet.' : `No app matches “${search}”.`}</p>
      ) : null}
      <nav className="pager" aria-label="Pages of apps">
        <button type="button" className="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span>
          Page {page} of {pages} ({total} apps)
        </span>
        <button type="button" className="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </nav>
    </section>
  );
}
