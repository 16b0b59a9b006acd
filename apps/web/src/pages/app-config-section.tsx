/**
 * The app's config vars (keys and values; secrets are elsewhere and never shown): edited in place, added and removed,
 * sent as one patch, which rolls out a new release when the app has one.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { settingsApi } from '../api/app-settings-api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RolloutNotice } from '../components/rollout-notice.js';
import { useCan } from '../session/session.js';

const keyPattern = '[A-Za-z_][A-Za-z0-9_]*';

export function ConfigSection({ app, project }: { readonly app: string; readonly project: string | undefined }) {
  const config = useQuery({ queryKey: ['app', app, 'config'], queryFn: () => settingsApi.config(app) });
  const canEdit = useCan('deployer', project);
  const [values, setValues] = useState<Record<string, string>>({});
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const queryClient = useQueryClient();
  const current = config.data?.config ?? {};
  const patch = useMutation({
    mutationFn: () => {
      const set: Record<string, string> = {};
      for (const [key, value] of Object.entries(values)) if (current[key] !== value) set[key] = value;
      if (newKey.trim() !== '') set[newKey.trim()] = newValue;
      return settingsApi.patchConfig(app, set, [...removed]);
    },
    onSuccess: (answer) => {
      setValues({});
      setRemoved(new Set());
      setNewKey('');
      setNewValue('');
      queryClient.setQueryData(['app', app, 'config'], answer);
      void queryClient.invalidateQueries({ queryKey: ['app', app] });
    },
  });
  const rows = Object.keys(current).sort();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    patch.mutate();
  };
  const toggleRemoved = (key: string) => {
    const next = new Set(removed);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setRemoved(next);
  };
  return (
    <form onSubmit={submit} aria-label="Config vars">
      <ErrorNotice error={config.error} />
      {config.data?.pendingKeys.length ? (
        <p className="notice">Not yet in a release: {config.data.pendingKeys.join(', ')}.</p>
      ) : null}
      <DataTable
        caption="Config vars"
        columns={[
          { header: 'Key', cell: (key) => <code>{key}</code> },
          {
            header: 'Value',
            cell: (key) =>
              canEdit ? (
                <input
                  className="input"
                  aria-label={`Value of ${key}`}
                  maxLength={32_768}
                  disabled={removed.has(key)}
                  value={values[key] ?? current[key] ?? ''}
                  onChange={(e) => setValues({ ...values, [key]: e.target.value })}
                />
              ) : (
                <code className="value">{current[key]}</code>
              ),
          },
          ...(canEdit
            ? [
                {
                  header: 'Remove',
                  cell: (key: string) => (
                    <label className="inline-field">
                      <input type="checkbox" checked={removed.has(key)} onChange={() => toggleRemoved(key)} />
                      <span>
                        Remove<span className="visually-hidden"> {key}</span>
                      </span>
                    </label>
                  ),
                },
              ]
            : []),
        ]}
        rows={rows}
        rowKey={(key) => key}
        rowAttributes={(key) => ({ 'data-config-key': key })}
        empty="No config var yet."
      />
      {canEdit ? (
        <fieldset className="form add-row">
          <legend>Add a config var</legend>
          <label>
            Key
            <input
              className="input"
              pattern={keyPattern}
              maxLength={255}
              value={newKey}
              onChange={(e) => setNewKey(e.target.value)}
            />
          </label>
          <label>
            Value
            <input
              className="input"
              maxLength={32_768}
              value={newValue}
              onChange={(e) => setNewValue(e.target.value)}
            />
          </label>
        </fieldset>
      ) : null}
      <ErrorNotice error={patch.error} />
      {canEdit ? (
        <>
          <p className="hint">Saving rolls out a new release with the new config (when the app has a release).</p>
          <button type="submit" className="button button-primary" disabled={patch.isPending}>
            Save config
          </button>
        </>
      ) : null}
      {patch.isSuccess ? <RolloutNotice deploymentId={patch.data.deploymentId} what="Config" /> : null}
    </form>
  );
}
