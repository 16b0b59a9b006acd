/** The app's process counts in production: shown to everyone, changed by a deployer or above. */
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { AppView } from '@slipway/contract';
import { settingsApi } from '../api/app-settings-api.js';
import { ErrorNotice } from '../components/error-notice.js';
import { useCan } from '../session/session.js';

export function ScaleSection({ app, view }: { readonly app: string; readonly view: AppView | undefined }) {
  const production = view?.environments.find((e) => e.name === 'production') ?? view?.environments[0];
  const current = production?.scale ?? {};
  const canScale = useCan('deployer', view?.project);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const queryClient = useQueryClient();
  const scale = useMutation({
    mutationFn: () => {
      const processes: Record<string, number> = {};
      for (const [process, count] of Object.entries(current)) processes[process] = Number(edits[process] ?? count);
      return settingsApi.scale(app, processes);
    },
    onSuccess: () => {
      setEdits({});
      void queryClient.invalidateQueries({ queryKey: ['app', app] });
    },
  });
  const processes = Object.entries(current);
  if (processes.length === 0) return <p>No process to scale yet: deploy the app first.</p>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    scale.mutate();
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Scale">
      {processes.map(([process, count]) => (
        <label key={process}>
          Instances of {process} (now {count})
          <input
            className="input"
            type="number"
            min={0}
            max={100}
            step={1}
            required
            disabled={!canScale}
            value={edits[process] ?? String(count)}
            onChange={(e) => setEdits({ ...edits, [process]: e.target.value })}
          />
        </label>
      ))}
      <ErrorNotice error={scale.error} />
      {canScale ? (
        <div>
          <button type="submit" className="button button-primary" disabled={scale.isPending}>
            Scale
          </button>
        </div>
      ) : (
        <p className="hint">Scaling needs the role deployer.</p>
      )}
      {scale.isSuccess ? (
        <p role="status">
          Scaled:{' '}
          {Object.entries(scale.data.processes)
            .map(([p, n]) => `${p} ${n}`)
            .join(', ')}
          .
        </p>
      ) : null}
    </form>
  );
}
