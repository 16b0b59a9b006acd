/**
 * A project's apps with status (and its age), current release, instance health and last deployment; searched and
 * paged by the server, live through the `apps:<project>` topic. The server judges each status as it reads it; while
 * the stream is down, a status older than its app's bound reads "unknown (last seen …)" by the page's own clock.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { appsPageSize as limit } from './apps-page.js';
import { appsPageQuery } from './apps-query.js';
import { useProjectChoice } from './project-choice.js';
import { ErrorNotice } from '../components/error-notice.js';
import { SelectField } from '../components/select-field.js';
import { formatAge, RelativeTime, useNow } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useLiveGapSince, useLiveRefresh } from '../live/use-live.js';
import { useCan } from '../session/session.js';

function releaseText(release: { number: number; commit: string | null; imageDigest: string | null } | null): string {
  if (release === null) return '—';
  const origin =
    release.commit !== null
      ? ` (${release.commit.slice(0, 7)})`
      : release.imageDigest !== null
        ? ` (${release.imageDigest.slice(0, 19)})`
        : '';
  return `v${release.number}${origin}`;
}

export function OverviewPage() {
  const { project, projects, hasNoProject, choose } = useProjectChoice();
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const apps = useQuery(appsPageQuery({ project, search, offset, limit }));
  useLiveRefresh(project === '' ? undefined : `apps:${project}`, [['apps', project]]);
  // While the stream is open every status shown is the server's current judgement; else it holds as of then.
  const gapSinceMs = useLiveGapSince();
  const nowMs = useNow(gapSinceMs === undefined ? 60_000 : 1_000);
  const confirmedAtMs = gapSinceMs === undefined ? nowMs : Math.max(gapSinceMs, apps.dataUpdatedAt);
  const total = apps.data?.total ?? 0;
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  // Creating an app takes admin on its project, as slipwayd decides.
  const canCreate = useCan('admin', project === '' ? undefined : project);
  return (
    <section aria-labelledby="apps-title">
      <div className="page-head">
        <h1 id="apps-title">Apps</h1>
        <SelectField
          label="Project"
          value={project}
          options={projects}
          onChange={(name) => {
            choose(name);
            setOffset(0);
          }}
        />
        {canCreate ? (
          <Link
            className="button button-primary"
            to={project === '' ? '/new-app' : `/new-app?project=${encodeURIComponent(project)}`}
          >
            New app
          </Link>
        ) : null}
      </div>
      <label className="search">
        <span className="visually-hidden">Search apps</span>
        <input
          className="input"
          type="search"
          placeholder="Search apps"
          maxLength={63}
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setOffset(0);
          }}
        />
      </label>
      <ErrorNotice error={apps.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">
            Apps of project {project}, {total} in all
          </caption>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Status</th>
              <th scope="col">Release</th>
              <th scope="col">Instances</th>
              <th scope="col">Last deployment</th>
            </tr>
          </thead>
          <tbody>
            {(apps.data?.apps ?? []).map((app) => (
              <tr key={app.name}>
                <th scope="row">
                  <Link to={`/apps/${encodeURIComponent(app.name)}`}>{app.name}</Link>
                </th>
                <td>
                  <StatusBadge
                    state={app.status}
                    observedAtMs={confirmedAtMs}
                    staleAfterMs={app.staleAfterMs ?? undefined}
                    nowMs={nowMs}
                  />
                  {gapSinceMs === undefined || app.observedAt === null ? null : (
                    <div className="meta small">seen {formatAge(nowMs - confirmedAtMs)} ago</div>
                  )}
                </td>
                <td>{releaseText(app.release)}</td>
                <td>
                  {app.instances.healthy}/{app.instances.desired} healthy
                  {app.instances.crashLooping > 0 ? `, ${app.instances.crashLooping} crash-looping` : ''}
                </td>
                <td>
                  {app.lastDeployment === null ? (
                    '—'
                  ) : (
                    <>
                      <StatusBadge state={app.lastDeployment.state} kind="progress" /> {app.lastDeployment.kind},{' '}
                      <RelativeTime at={app.lastDeployment.createdAt} />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {hasNoProject ? (
        <p>
          No project and no app yet. <Link to="/new-app">New app</Link> makes the first one, in project default.
        </p>
      ) : null}
      {apps.data !== undefined && apps.data.apps.length === 0 ? (
        <p>{search === '' ? 'No apps in this project yet.' : `No app matches “${search}”.`}</p>
      ) : null}
      <nav className="pager" aria-label="Pages of apps">
        <button type="button" className="button" disabled={page <= 1} onClick={() => setOffset(offset - limit)}>
          Previous
        </button>
        <span>
          Page {page} of {pages} ({total} apps)
        </span>
        <button type="button" className="button" disabled={page >= pages} onClick={() => setOffset(offset + limit)}>
          Next
        </button>
      </nav>
    </section>
  );
}
