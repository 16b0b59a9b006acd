/**
 * The app's secrets: names, versions and times only. A value is typed into a password field that is emptied once
 * sent; no value is ever fetched, shown or kept by the page.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SecretView } from '@slipway/contract';
import { settingsApi, type SecretsAnswer } from '../api/app-settings-api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { RolloutNotice } from '../components/rollout-notice.js';
import { useCan } from '../session/session.js';

const namePattern = '[A-Za-z_][A-Za-z0-9_]*';

export function SecretsSection({ app, project }: { readonly app: string; readonly project: string | undefined }) {
  const secrets = useQuery({ queryKey: ['app', app, 'secrets'], queryFn: () => settingsApi.secrets(app) });
  const canEdit = useCan('deployer', project);
  const queryClient = useQueryClient();
  const [changed, setChanged] = useState<SecretsAnswer | undefined>(undefined);
  const form = useRef<HTMLFormElement>(null);
  const applied = (answer: SecretsAnswer) => {
    setChanged(answer);
    queryClient.setQueryData(['app', app, 'secrets'], { secrets: answer.secrets });
    void queryClient.invalidateQueries({ queryKey: ['app', app] });
  };
  // The value is read from the (uncontrolled) field when sent, and the field emptied: no state (not even the
  // mutation's variables) holds it.
  const set = useMutation({
    mutationFn: () => {
      const data = new FormData(form.current ?? undefined);
      const text = (field: string): string => {
        const value = data.get(field);
        return typeof value === 'string' ? value : '';
      };
      return settingsApi.setSecret(app, text('name').trim(), text('value'));
    },
    onSuccess: (answer) => {
      form.current?.reset();
      applied(answer);
    },
  });
  const unset = useMutation({ mutationFn: (name: string) => settingsApi.unsetSecret(app, name), onSuccess: applied });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    set.mutate();
  };
  return (
    <>
      <ErrorNotice error={secrets.error} />
      <p className="hint">Secret values are write-only: they are never shown, and this page never reads them.</p>
      <DataTable
        caption="Secrets"
        columns={[
          { header: 'Name', cell: (s: SecretView) => <code>{s.name}</code> },
          { header: 'Version', cell: (s) => `v${s.version}` },
          { header: 'Changed', cell: (s) => <RelativeTime at={s.updatedAt} /> },
          ...(canEdit
            ? [
                {
                  header: 'Actions',
                  isHeaderHidden: true,
                  cell: (s: SecretView) => (
                    <button
                      type="button"
                      className="button"
                      disabled={unset.isPending}
                      onClick={() => unset.mutate(s.name)}
                    >
                      Unset<span className="visually-hidden"> {s.name}</span>
                    </button>
                  ),
                },
              ]
            : []),
        ]}
        rows={secrets.data?.secrets ?? []}
        rowKey={(s) => s.name}
        rowAttributes={(s) => ({ 'data-secret': s.name })}
        empty="No secret yet."
      />
      <ErrorNotice error={unset.error} />
      {canEdit ? (
        <form ref={form} className="form add-row" onSubmit={submit} aria-label="Set a secret">
          <h2 className="form-title">Set a secret</h2>
          <label>
            Name
            <input className="input" name="name" required pattern={namePattern} maxLength={255} autoComplete="off" />
          </label>
          <label>
            Value
            <input className="input" name="value" type="password" required autoComplete="new-password" />
          </label>
          <ErrorNotice error={set.error} />
          <p className="hint">Setting a secret rolls out a new release that carries it (when the app has a release).</p>
          <div>
            <button type="submit" className="button button-primary" disabled={set.isPending}>
              Set secret
            </button>
          </div>
        </form>
      ) : null}
      {changed === undefined ? null : <RolloutNotice deploymentId={changed.deploymentId ?? null} what="Secrets" />}
    </>
  );
}
