/**
 * A project's repositories: name (linked to the rules that read it), provider, remote (never with credentials), how
 * Slipway authenticates, and the last webhook delivery with what handling it did. No topic carries repositories or
 * deliveries: they are read again when the reader asks (Refresh).
 */
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { RepositoryView } from '@slipway/contract';
import { gitApi } from '../../api/git-api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';
import { gitHref } from './git-choice.js';

const authWords: Record<RepositoryView['auth'], string> = {
  'ssh-key': 'deploy key',
  token: 'token',
  none: 'none (public)',
};

function LastDelivery({ project, repository }: { readonly project: string; readonly repository: string }) {
  const deliveries = useQuery({
    queryKey: ['git', 'repositories', project, repository, 'deliveries'],
    queryFn: () => gitApi.deliveries(project, repository, 1),
  });
  if (deliveries.error !== null) return <span className="meta small">{deliveries.error.message}</span>;
  const last = deliveries.data?.deliveries[0];
  if (deliveries.data === undefined) return <span className="meta">…</span>;
  if (last === undefined) return <span className="meta">none yet</span>;
  return (
    <div data-delivery={last.id}>
      <StatusBadge state={last.outcome ?? last.status} /> {last.event}, <RelativeTime at={last.receivedAt} />
      {last.reason === null ? null : <div className="meta small">{last.reason}</div>}
    </div>
  );
}

export function RepositoriesSection({ project }: { readonly project: string }) {
  const queryClient = useQueryClient();
  const repositories = useQuery({
    queryKey: ['git', 'repositories', project],
    queryFn: () => gitApi.repositories(project),
  });
  return (
    <>
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={() => void queryClient.invalidateQueries({ queryKey: ['git', 'repositories', project] })}
        >
          Refresh
        </button>
      </div>
      <ErrorNotice error={repositories.error} />
      <DataTable
        caption={`Repositories of project ${project}`}
        columns={[
          {
            header: 'Repository',
            cell: (r: RepositoryView) => (
              <>
                {r.name}
                <div className="small">
                  <Link to={gitHref({ project, view: 'rules', repository: r.name })}>
                    Rules<span className="visually-hidden"> reading {r.name}</span>
                  </Link>
                </div>
              </>
            ),
          },
          { header: 'Provider', cell: (r) => r.provider },
          { header: 'Remote', cell: (r) => <code className="value">{r.url}</code> },
          { header: 'Credentials', cell: (r) => authWords[r.auth] },
          {
            header: 'Last webhook delivery',
            cell: (r) => <LastDelivery project={project} repository={r.name} />,
          },
          { header: 'Added', cell: (r) => <RelativeTime at={r.createdAt} /> },
        ]}
        rows={repositories.data?.repositories ?? []}
        rowKey={(r) => r.id}
        rowAttributes={(r) => ({ 'data-repository': r.name })}
        empty="No repository in this project: add one with slipway repos add."
      />
    </>
  );
}
