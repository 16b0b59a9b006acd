/**
 * Where the app answers: its routes (from the app's view) and its custom domains, each with its certificate state and
 * the coded reason it is not (yet) served over HTTPS; a deployer adds and removes domains.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AppView, DomainView } from '@slipway/contract';
import { settingsApi } from '../api/app-settings-api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useCan } from '../session/session.js';

type Route = AppView['environments'][number]['routes'][number] & { environment: string };

function certificateText(domain: DomainView) {
  if (domain.certificate === null) return 'none';
  return (
    <>
      valid until <time dateTime={domain.certificate.notAfter}>{domain.certificate.notAfter.slice(0, 10)}</time> (renews{' '}
      <RelativeTime at={domain.certificate.renewAt} />)
    </>
  );
}

export function DomainsSection({ app, view }: { readonly app: string; readonly view: AppView | undefined }) {
  const domains = useQuery({ queryKey: ['app', app, 'domains'], queryFn: () => settingsApi.domains(app) });
  const canEdit = useCan('deployer', view?.project);
  const [domain, setDomain] = useState('');
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['app', app, 'domains'] });
  const add = useMutation({
    mutationFn: () => settingsApi.addDomain(app, domain.trim()),
    onSuccess: () => {
      setDomain('');
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (name: string) => settingsApi.removeDomain(app, name), onSuccess: refresh });
  const routes: Route[] = (view?.environments ?? []).flatMap((e) =>
    e.routes.map((r) => ({ ...r, environment: e.name })),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <>
      <h2 className="section-title">Routes</h2>
      <DataTable
        caption="Routes"
        columns={[
          { header: 'Host', cell: (r: Route) => <code>{r.host}</code> },
          { header: 'Path', cell: (r) => <code>{r.path}</code> },
          { header: 'Process', cell: (r) => r.process },
          { header: 'Environment', cell: (r) => r.environment },
        ]}
        rows={routes}
        rowKey={(r) => `${r.environment} ${r.host}${r.path}`}
        empty="No route yet: routes come from the app's manifest once it is deployed."
      />
      <h2 className="section-title">Domains</h2>
      <ErrorNotice error={domains.error} />
      <DataTable
        caption="Domains"
        columns={[
          { header: 'Domain', cell: (d: DomainView) => <code>{d.domain}</code> },
          { header: 'State', cell: (d) => <StatusBadge state={d.state} /> },
          { header: 'Certificate', cell: certificateText },
          {
            header: 'Reason',
            cell: (d) =>
              d.reason === null ? (
                '—'
              ) : (
                <span>
                  <code>{d.reason.code}</code>: {d.reason.message}
                </span>
              ),
          },
          {
            header: 'Last error',
            cell: (d) => (d.lastError === null ? '—' : `${d.lastError.code}: ${d.lastError.message}`),
          },
          ...(canEdit
            ? [
                {
                  header: 'Actions',
                  isHeaderHidden: true,
                  cell: (d: DomainView) =>
                    d.origin === 'added' ? (
                      <button
                        type="button"
                        className="button"
                        disabled={remove.isPending}
                        onClick={() => remove.mutate(d.domain)}
                      >
                        Remove<span className="visually-hidden"> {d.domain}</span>
                      </button>
                    ) : (
                      <span className="meta small">from the manifest</span>
                    ),
                },
              ]
            : []),
        ]}
        rows={domains.data?.domains ?? []}
        rowKey={(d) => `${d.environment} ${d.domain}`}
        rowAttributes={(d) => ({ 'data-domain': d.domain })}
        empty="No custom domain."
      />
      <ErrorNotice error={remove.error} />
      {canEdit ? (
        <form className="form add-row" onSubmit={submit} aria-label="Add a domain">
          <label>
            Add a domain (production)
            <input
              className="input"
              required
              maxLength={253}
              value={domain}
              onChange={(e) => setDomain(e.target.value)}
              placeholder="shop.example.com"
            />
          </label>
          <ErrorNotice error={add.error} />
          <div>
            <button type="submit" className="button button-primary" disabled={add.isPending}>
              Add domain
            </button>
          </div>
        </form>
      ) : null}
    </>
  );
}
