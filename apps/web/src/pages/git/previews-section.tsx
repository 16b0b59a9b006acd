/**
 * An app's pull-request previews: pull request and branch, state, the preview's URL as a link, when it was made and
 * when it expires if no event comes (its idle TTL after the last one); a deployer of the project removes one. Live
 * through the `deployment:<id>` topic of each preview still deploying; new pull requests arrive by webhook, which no
 * topic carries: Refresh reads the list again.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PreviewView } from '@slipway/contract';
import { SlipwayError } from '@slipway/contract/errors';
import { gitApi } from '../../api/git-api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { formatAge, RelativeTime, useNow } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';
import { useLiveRefresh } from '../../live/use-live.js';
import { useCan } from '../../session/session.js';

/** At most this many deployments followed at once (a stream carries 16 topics). */
const maxFollowedDeployments = 8;

function FollowDeployment({ app, deploymentId }: { readonly app: string; readonly deploymentId: string }) {
  useLiveRefresh(`deployment:${deploymentId}`, [['git', 'previews', app]]);
  return null;
}

function ExpiresAt({ preview, idleTtlSeconds }: { readonly preview: PreviewView; readonly idleTtlSeconds?: number }) {
  const now = useNow();
  if (idleTtlSeconds === undefined) return <span>—</span>;
  const atMs = Date.parse(preview.lastEventAt) + idleTtlSeconds * 1000;
  const at = new Date(atMs).toISOString();
  return (
    <time dateTime={at} title={new Date(atMs).toLocaleString()}>
      {atMs <= now ? 'due now' : `in ${formatAge(atMs - now)}`}
    </time>
  );
}

/** The preview's address on the edge, in the scheme the dashboard itself is served over. */
const previewUrl = (host: string): string => `${window.location.protocol}//${host}/`;

export function PreviewsSection({ project, app }: { readonly project: string; readonly app: string }) {
  const queryClient = useQueryClient();
  const key = ['git', 'previews', app];
  const previews = useQuery({ queryKey: key, queryFn: () => gitApi.previews(app) });
  const settings = useQuery({
    queryKey: [...key, 'settings'],
    queryFn: () => gitApi.previewSettings(app),
    retry: false,
  });
  const canRemove = useCan('deployer', project);
  const remove = useMutation({
    mutationFn: (number: number) => gitApi.removePreview(app, number),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }),
  });
  const isOff = settings.error instanceof SlipwayError && settings.error.code === 'PREVIEW_NOT_FOUND';
  const list = previews.data?.previews ?? [];
  const following = list
    .filter((p) => p.deploymentId !== null && (p.state === 'deploying' || p.state === 'removing'))
    .slice(0, maxFollowedDeployments);
  const ttl = settings.data?.idleTtlSeconds;
  return (
    <>
      {following.map((p) => (
        <FollowDeployment key={p.deploymentId} app={app} deploymentId={p.deploymentId ?? ''} />
      ))}
      <h2 className="section-title">Previews of {app}</h2>
      {isOff ? (
        <p>Previews are off for {app}: slipway previews enable turns them on for a repository.</p>
      ) : (
        <ErrorNotice error={settings.error} />
      )}
      {settings.data === undefined ? null : (
        <p className="meta">
          From repository {settings.data.repository}, at most {settings.data.maxPreviews} at once, removed after{' '}
          {formatAge(settings.data.idleTtlSeconds * 1000)} without an event.
        </p>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={() => void queryClient.invalidateQueries({ queryKey: key })}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={previews.error} />
      <DataTable
        caption={`Previews of ${app}, one per pull request`}
        columns={[
          {
            header: 'Pull request',
            cell: (p: PreviewView) => (
              <>
                #{p.number} <span className="meta">{p.title}</span>
              </>
            ),
          },
          {
            header: 'Branch',
            cell: (p) => (
              <>
                <code className="value">{p.headRef}</code>
                {p.isFork ? (
                  <div className="meta small">
                    from a fork{p.approvedBy === null ? '' : `, approved by ${p.approvedBy}`}
                  </div>
                ) : null}
              </>
            ),
          },
          { header: 'Commit', cell: (p) => <code>{p.commit.slice(0, 7)}</code> },
          { header: 'State', cell: (p) => <StatusBadge state={p.state} /> },
          {
            header: 'URL',
            cell: (p) => (
              <a className="value" href={previewUrl(p.host)} rel="noreferrer" target="_blank">
                {p.host}
              </a>
            ),
          },
          { header: 'Created', cell: (p) => <RelativeTime at={p.createdAt} /> },
          {
            header: 'Expires',
            cell: (p) => <ExpiresAt preview={p} {...(ttl === undefined ? {} : { idleTtlSeconds: ttl })} />,
          },
          ...(canRemove
            ? [
                {
                  header: 'Actions',
                  isHeaderHidden: true,
                  cell: (p: PreviewView) => (
                    <button
                      type="button"
                      className="button"
                      disabled={remove.isPending || p.state === 'removing'}
                      onClick={() => remove.mutate(p.number)}
                    >
                      Remove<span className="visually-hidden"> preview #{p.number}</span>
                    </button>
                  ),
                },
              ]
            : []),
        ]}
        rows={list}
        rowKey={(p) => String(p.number)}
        rowAttributes={(p) => ({ 'data-preview': String(p.number) })}
        empty={`No open preview of ${app}.`}
      />
      <ErrorNotice error={remove.error} />
    </>
  );
}
