/**
 * The catalog's services: a table of each one's tags, instances and instances by their worst check (in words), and
 * the chosen service's instances with each check's status and last output. The chosen service is in the URL.
 */
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import type { CatalogInstanceView, CatalogServiceSummaryView } from '@slipway/contract';
import { catalogApi, catalogKey } from '../../api/catalog-api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { StatusBadge } from '../../components/status-badge.js';

function checkCounts(row: CatalogServiceSummaryView): string {
  const parts = [
    row.passing > 0 ? `${row.passing} passing` : '',
    row.warning > 0 ? `${row.warning} warning` : '',
    row.critical > 0 ? `${row.critical} critical` : '',
  ].filter((part) => part !== '');
  return parts.length === 0 ? 'none' : parts.join(', ');
}

export function CatalogServicesSection() {
  const [params, setParams] = useSearchParams();
  const chosen = params.get('service') ?? undefined;
  const services = useQuery({ queryKey: [...catalogKey, 'services'], queryFn: catalogApi.services });
  const choose = (name: string | undefined) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (name === undefined) next.delete('service');
      else next.set('service', name);
      return next;
    });
  return (
    <section aria-labelledby="catalog-services-title">
      <h2 id="catalog-services-title" className="section-title">
        Services
      </h2>
      <ErrorNotice error={services.error} />
      {services.data === undefined ? null : (
        <DataTable
          caption="Catalog services"
          rows={services.data.services}
          rowKey={(row) => row.name}
          rowAttributes={(row) => ({ 'data-service': row.name })}
          empty="No service is registered, or none your catalog rules let you read."
          columns={[
            {
              header: 'Service',
              cell: (row) => (
                <button
                  type="button"
                  className="button button-quiet"
                  aria-pressed={row.name === chosen}
                  onClick={() => choose(row.name === chosen ? undefined : row.name)}
                >
                  {row.name}
                </button>
              ),
            },
            {
              header: 'Tags',
              cell: (row) =>
                row.tags.length === 0
                  ? '—'
                  : row.tags.map((tag) => (
                      <span key={tag} className="tag">
                        {tag}
                      </span>
                    )),
            },
            { header: 'Instances', cell: (row) => row.instances },
            { header: 'Health', cell: (row) => <span data-testid="service-health">{checkCounts(row)}</span> },
          ]}
        />
      )}
      {chosen === undefined ? null : <ServiceInstances name={chosen} />}
    </section>
  );
}

function ServiceInstances({ name }: { readonly name: string }) {
  const service = useQuery({ queryKey: [...catalogKey, 'service', name], queryFn: () => catalogApi.service(name) });
  return (
    <section aria-labelledby="catalog-instances-title" data-testid="service-instances">
      <h3 id="catalog-instances-title">Instances of {name}</h3>
      <ErrorNotice error={service.error} />
      {(service.data?.instances ?? []).map((instance) => (
        <InstanceCard key={instance.id} instance={instance} />
      ))}
    </section>
  );
}

function InstanceCard({ instance }: { readonly instance: CatalogInstanceView }) {
  return (
    <article className="card" data-instance={instance.id} aria-label={`Instance ${instance.id}`}>
      <h4 className="value">
        {instance.id} <StatusBadge state={instance.status} />
      </h4>
      <p className="meta value">
        {instance.address === '' ? instance.node : instance.address}
        {instance.port === 0 ? '' : `:${instance.port}`} on node {instance.node}
        {instance.tags.length === 0 ? '' : ` · tags ${instance.tags.join(', ')}`}
      </p>
      {instance.checks.length === 0 ? (
        <p className="small">No check.</p>
      ) : (
        <ul className="small">
          {instance.checks.map((check) => (
            <li key={check.checkId} data-check={check.checkId}>
              <StatusBadge state={check.status} /> {check.name} <span className="meta">({check.type})</span>
              {check.output === '' ? null : <pre className="kv-value">{check.output}</pre>}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
