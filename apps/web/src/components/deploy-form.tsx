/**
 * Starts a deployment of an app from a git repository (URL and ref), a directory on slipwayd's machine (offered to
 * the owner only: slipwayd refuses other users' directories outside its allowed roots, and the refusal is shown), or
 * an uploaded .tar.gz. Calls `onStarted` with the deployment once slipwayd accepted it.
 */
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { DeploymentView } from '@slipway/contract';
import { settingsApi } from '../api/app-settings-api.js';
import { useCan } from '../session/session.js';
import { ErrorNotice } from './error-notice.js';

type SourceKind = 'git' | 'path' | 'archive';

export interface DeployFormProps {
  readonly app: string;
  readonly onStarted: (deployment: DeploymentView) => void;
}

export function DeployForm({ app, onStarted }: DeployFormProps) {
  const isOwner = useCan('owner', undefined);
  const [kind, setKind] = useState<SourceKind>('git');
  const [url, setUrl] = useState('');
  const [ref, setRef] = useState('');
  const [path, setPath] = useState('');
  const [file, setFile] = useState<File | undefined>(undefined);
  const id = useId();
  const deploy = useMutation({
    mutationFn: async () => {
      if (kind === 'archive') {
        if (file === undefined) throw new Error('choose a .tar.gz archive first');
        return settingsApi.uploadArchive(app, file);
      }
      if (kind === 'path') return settingsApi.deploy(app, { path: path.trim() });
      const git = ref.trim() === '' ? { url: url.trim() } : { url: url.trim(), ref: ref.trim() };
      return settingsApi.deploy(app, { git });
    },
    onSuccess: (answer) => onStarted(answer.deployment),
  });
  const kinds: { value: SourceKind; label: string }[] = [
    { value: 'git', label: 'Git repository' },
    ...(isOwner ? [{ value: 'path' as const, label: 'Directory on the server' }] : []),
    { value: 'archive', label: 'Upload a .tar.gz archive' },
  ];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    deploy.mutate();
  };
  return (
    <form className="form" onSubmit={submit} aria-label={`Deploy ${app}`}>
      <fieldset className="choice">
        <legend>Source</legend>
        {kinds.map((k) => (
          <label key={k.value} className="choice-option">
            <input
              type="radio"
              name={`${id}-kind`}
              value={k.value}
              checked={kind === k.value}
              onChange={() => setKind(k.value)}
            />
            {k.label}
          </label>
        ))}
      </fieldset>
      {kind === 'git' ? (
        <>
          <label>
            Repository URL
            <input
              className="input"
              required
              maxLength={2048}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://example.com/team/app.git"
            />
          </label>
          <label>
            Ref (branch, tag or commit; empty: the default branch)
            <input className="input" maxLength={255} value={ref} onChange={(e) => setRef(e.target.value)} />
          </label>
        </>
      ) : null}
      {kind === 'path' ? (
        <label>
          Directory (on the machine slipwayd runs on)
          <input
            className="input"
            required
            maxLength={4096}
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/srv/apps/shop"
          />
        </label>
      ) : null}
      {kind === 'archive' ? (
        <label>
          Archive (.tar.gz of the source)
          <input
            className="input"
            type="file"
            required
            accept=".tar.gz,.tgz,application/gzip"
            onChange={(e) => setFile(e.target.files?.[0])}
          />
        </label>
      ) : null}
      {isOwner ? null : (
        <p className="hint small">
          Deploying a directory on the server is offered to the owner only (slipwayd allows other users only the
          directories its operator listed).
        </p>
      )}
      <ErrorNotice error={deploy.error} />
      <div>
        <button type="submit" className="button button-primary" disabled={deploy.isPending}>
          {deploy.isPending ? 'Starting…' : 'Deploy'}
        </button>
      </div>
    </form>
  );
}
