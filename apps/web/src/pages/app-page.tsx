/**
 * One app: its status with its age, instances, releases (with rollback that says what it restores), deployments, its
 * metrics, its logs, and what changes it: deploy, scale, config, secrets (write-only), routes and domains,
 * environments. Live through the `app:<name>` topic. Sections are tabs; each is its own component.
 */
import { useState } from 'react';
import * as Tabs from '@radix-ui/react-tabs';
import { useQuery } from '@tanstack/react-query';
import type { AppOverviewRow } from '@slipway/contract';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../api/app-api.js';
import { ErrorNotice } from '../components/error-notice.js';
import { StatusBadge } from '../components/status-badge.js';
import { RelativeTime, useNow } from '../components/relative-time.js';
import { DeployDialog } from '../components/deploy-dialog.js';
import { useCan } from '../session/session.js';
import { useLiveRefresh, useLiveTopic } from '../live/use-live.js';
import { InstancesSection } from './app-instances-section.js';
import { ReleasesSection } from './app-releases-section.js';
import { DeploymentsSection } from './app-deployments-section.js';
import { ScaleSection } from './app-scale-section.js';
import { ConfigSection } from './app-config-section.js';
import { SecretsSection } from './app-secrets-section.js';
import { DomainsSection } from './app-domains-section.js';
import { EnvironmentsSection } from './app-environments-section.js';
import { LogsSection } from './app-logs-section.js';
import { MetricsSection } from './app-metrics-section.js';

export function AppPage() {
  const { app = '' } = useParams();
  const view = useQuery({ queryKey: ['app', app], queryFn: () => api.app(app) });
  useLiveRefresh(`app:${app}`, [['app', app]]);
  // A deployment just started (from this page or the new-app page) is linked until another replaces it.
  const [params, setParams] = useSearchParams();
  const started = params.get('deployment');
  const canDeploy = useCan('deployer', view.data?.project);
  const production = view.data?.environments.find((e) => e.name === 'production') ?? view.data?.environments[0];
  const healthy = production?.instances.healthy ?? 0;
  const total = production?.instances.total ?? 0;
  return (
    <section aria-labelledby="app-title">
      <div className="page-head">
        <h1 id="app-title">{app}</h1>
        <AppStatus app={app} />
        {canDeploy ? (
          <DeployDialog app={app} onStarted={(d) => setParams({ deployment: d.id }, { replace: true })} />
        ) : null}
      </div>
      {started === null ? null : (
        <p role="status" className="notice" data-testid="deployment-started">
          Deployment <Link to={`/deployments/${encodeURIComponent(started)}`}>{started.slice(0, 16)}</Link> started:
          follow its phases and log there, or watch the instances below.
        </p>
      )}
      <ErrorNotice error={view.error} />
      {view.data === undefined ? null : (
        <p className="meta">
          Project {view.data.project} · release {production?.currentRelease ?? 'none'} · {healthy}/{total} instances
          healthy
        </p>
      )}
      <Tabs.Root defaultValue="instances" className="tabs">
        <Tabs.List aria-label="App sections" className="tab-list">
          <Tabs.Trigger value="instances">Instances</Tabs.Trigger>
          <Tabs.Trigger value="deployments">Deployments</Tabs.Trigger>
          <Tabs.Trigger value="releases">Releases</Tabs.Trigger>
          <Tabs.Trigger value="metrics">Metrics</Tabs.Trigger>
          <Tabs.Trigger value="scale">Scale</Tabs.Trigger>
          <Tabs.Trigger value="config">Config</Tabs.Trigger>
          <Tabs.Trigger value="secrets">Secrets</Tabs.Trigger>
          <Tabs.Trigger value="domains">Routes &amp; domains</Tabs.Trigger>
          <Tabs.Trigger value="environments">Environments</Tabs.Trigger>
          <Tabs.Trigger value="logs">Logs</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="instances">
          <InstancesSection app={app} project={view.data?.project} />
        </Tabs.Content>
        <Tabs.Content value="deployments">
          <DeploymentsSection app={app} project={view.data?.project} />
        </Tabs.Content>
        <Tabs.Content value="releases">
          <ReleasesSection app={app} project={view.data?.project} />
        </Tabs.Content>
        <Tabs.Content value="metrics">
          <MetricsSection app={app} />
        </Tabs.Content>
        <Tabs.Content value="scale">
          <ScaleSection app={app} view={view.data} />
        </Tabs.Content>
        <Tabs.Content value="config">
          <ConfigSection app={app} project={view.data?.project} />
        </Tabs.Content>
        <Tabs.Content value="secrets">
          <SecretsSection app={app} project={view.data?.project} />
        </Tabs.Content>
        <Tabs.Content value="domains">
          <DomainsSection app={app} view={view.data} />
        </Tabs.Content>
        <Tabs.Content value="environments">
          <EnvironmentsSection app={app} />
        </Tabs.Content>
        <Tabs.Content value="logs">
          <LogsSection app={app} />
        </Tabs.Content>
      </Tabs.Root>
    </section>
  );
}

/**
 * The server's judgement of the app's status (and when it was last confirmed), from the live stream's snapshots. A
 * fresh look that changed nothing else comes as `observed`; the badge ages the last one by the page's own clock (only
 * this component re-renders each second), so a slipwayd that stopped answering leaves the status "unknown (last seen
 * …)", never what it said then.
 */
function AppStatus({ app }: { readonly app: string }) {
  const [row, setRow] = useState<AppOverviewRow | undefined>(undefined);
  useLiveTopic(`app:${app}`, (event) => {
    if (event.event === 'app') {
      const data = JSON.parse(event.data) as { row?: AppOverviewRow };
      if (data.row !== undefined) setRow(data.row);
    } else if (event.event === 'observed') {
      const seen = JSON.parse(event.data) as Pick<AppOverviewRow, 'observedAt' | 'staleAfterMs'>;
      setRow((current) => (current === undefined ? current : { ...current, ...seen }));
    }
  });
  const nowMs = useNow(1_000);
  if (row === undefined) return null;
  return (
    <span data-testid="app-status">
      <StatusBadge
        state={row.status}
        observedAtMs={row.observedAt === null ? undefined : Date.parse(row.observedAt)}
        staleAfterMs={row.staleAfterMs ?? undefined}
        nowMs={nowMs}
      />
      {row.observedAt === null ? null : (
        <span className="meta small">
          {' '}
          (seen <RelativeTime at={row.observedAt} />)
        </span>
      )}
    </span>
  );
}
