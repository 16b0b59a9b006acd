/**
 * The app's releases: number, source (commit, archive or image digest), builder, config hash and the names (never
 * values) of the keys changed since the release before, who made it and the outcome, time; and rollback, which first
 * says what it restores: the release's code and the config it was made with, key by key.
 */
import { useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReleaseView } from '@slipway/contract';
import { api } from '../api/app-api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { useCan } from '../session/session.js';
import { useLiveRefresh } from '../live/use-live.js';

export function sourceOf(release: ReleaseView): string {
  if (release.image !== null && release.image !== undefined) return `image ${release.image.digest.slice(0, 19)}`;
  const source = release.source;
  if (source.kind === 'git') return `git ${source.commit?.slice(0, 10) ?? source.ref ?? source.url}`;
  if (source.kind === 'archive') return `archive ${source.fileName}`;
  if (source.kind === 'path') return `directory ${source.path}`;
  return source.kind;
}

export function ReleasesSection({ app, project }: { readonly app: string; readonly project: string | undefined }) {
  const releases = useQuery({ queryKey: ['app', app, 'releases'], queryFn: () => api.releases(app) });
  useLiveRefresh(`app:${app}`, [['app', app, 'releases']]);
  const canDeploy = useCan('deployer', project);
  const list = releases.data?.releases ?? [];
  const current = list.find((r) => r.isCurrent);
  return (
    <>
      <ErrorNotice error={releases.error} />
      <DataTable
        caption="Releases"
        columns={[
          {
            header: 'Release',
            cell: (r) => (
              <>
                v{r.number} {r.isCurrent ? <span className="tag">current</span> : null}
              </>
            ),
          },
          { header: 'Source', cell: (r) => <code>{sourceOf(r)}</code> },
          { header: 'Builder', cell: (r) => r.builder },
          { header: 'Config', cell: (r) => <ConfigCell release={r} /> },
          { header: 'Made by', cell: (r) => madeByText(r) },
          { header: 'Made', cell: (r) => <RelativeTime at={r.createdAt} /> },
          {
            header: 'Actions',
            isHeaderHidden: true,
            cell: (r) =>
              canDeploy && !r.isCurrent ? <RollbackButton app={app} release={r} current={current} /> : null,
          },
        ]}
        rows={list}
        rowKey={(r) => r.id}
        empty="No release yet."
      />
    </>
  );
}

/** Who asked for the deployment that made the release, its kind and its outcome, in words. */
export function madeByText(release: ReleaseView): string {
  const made = release.madeBy;
  if (made === null || made === undefined) return '—';
  return `${made.requestedBy ?? 'slipwayd'} · ${made.kind} · ${made.state}`;
}

/** The config hash (short, the whole one on hover) and the names of the keys changed since the release before. */
function ConfigCell({ release }: { readonly release: ReleaseView }) {
  const changed = release.changedConfigKeys ?? [];
  return (
    <>
      {release.configHash === undefined ? null : (
        <code title={release.configHash}>{release.configHash.slice('sha256:'.length, 'sha256:'.length + 12)}</code>
      )}{' '}
      <span className="meta small">
        {changed.length === 0 ? 'no key changed' : `changed: ${changed.join(', ')}`}
        {release.configKeys.length === 0
          ? ''
          : ` · ${release.configKeys.length} ${release.configKeys.length === 1 ? 'key' : 'keys'}`}
      </span>
    </>
  );
}

function RollbackButton(props: { app: string; release: ReleaseView; current: ReleaseView | undefined }) {
  const { app, release, current } = props;
  const [isOpen, setIsOpen] = useState(false);
  const queryClient = useQueryClient();
  const rollback = useMutation({
    mutationFn: () => api.rollback(app, release.number),
    onSuccess: () => {
      setIsOpen(false);
      void queryClient.invalidateQueries({ queryKey: ['app', app] });
    },
  });
  const added = release.configKeys.filter((k) => !(current?.configKeys ?? []).includes(k));
  const removed = (current?.configKeys ?? []).filter((k) => !release.configKeys.includes(k));
  const valueChanged = (release.configKeysDifferingFromCurrent ?? []).filter(
    (k) => !added.includes(k) && !removed.includes(k),
  );
  return (
    <Dialog.Root open={isOpen} onOpenChange={setIsOpen}>
      <Dialog.Trigger className="button">Roll back to v{release.number}</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>
            Roll back {app} to v{release.number}?
          </Dialog.Title>
          <Dialog.Description asChild>
            <div>
              <p>
                This deploys release v{release.number} again: its code (<code>{sourceOf(release)}</code>, built by{' '}
                {release.builder}) and the config it was made with, replacing v{current?.number ?? '?'}.
              </p>
              <ul>
                <li>Config keys it restores: {added.length === 0 ? 'none' : added.join(', ')}</li>
                <li>Config keys it drops: {removed.length === 0 ? 'none' : removed.join(', ')}</li>
                <li>
                  Config keys whose value it changes: {valueChanged.length === 0 ? 'none' : valueChanged.join(', ')}
                </li>
              </ul>
            </div>
          </Dialog.Description>
          <ErrorNotice error={rollback.error} />
          <div className="dialog-actions">
            <Dialog.Close className="button">Cancel</Dialog.Close>
            <button
              type="button"
              className="button button-primary"
              disabled={rollback.isPending}
              onClick={() => rollback.mutate()}
            >
              Roll back
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
