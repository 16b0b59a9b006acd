/**
 * One app: its status with its age, instances, releases (with rollback that says what it restores) and deployments.
 * Live through the `app:<name>` topic. Sections are tabs; each is its own component.
 */
import { useState } from 'react';
import * as Tabs from '@radix-ui/react-tabs';
import { useQuery } from '@tanstack/react-query';
import type { AppOverviewRow } from '@slipway/contract';
import { useParams } from 'react-router';
import { api } from '../api/app-api.js';
import { ErrorNotice } from '../components/error-notice.js';
import { StatusBadge } from '../components/status-badge.js';
import { RelativeTime } from '../components/relative-time.js';
import { useLiveRefresh, useLiveTopic } from '../live/use-live.js';
import { InstancesSection } from './app-instances-section.js';
import { ReleasesSection } from './app-releases-section.js';
import { DeploymentsSection } from './app-deployments-section.js';

export function AppPage() {
  const { app = '' } = useParams();
  const view = useQuery({ queryKey: ['app', app], queryFn: () => api.app(app) });
  useLiveRefresh(`app:${app}`, [['app', app]]);
  // The server's judgement of the app's status (and when it was last confirmed), from the live stream's snapshots.
  const [row, setRow] = useState<AppOverviewRow | undefined>(undefined);
  useLiveTopic(`app:${app}`, (event) => {
    if (event.event !== 'app') return;
    const data = JSON.parse(event.data) as { row?: AppOverviewRow };
    if (data.row !== undefined) setRow(data.row);
  });
  const production = view.data?.environments.find((e) => e.name === 'production') ?? view.data?.environments[0];
  const healthy = production?.instances.healthy ?? 0;
  const total = production?.instances.total ?? 0;
  return (
    <section aria-labelledby="app-title">
      <div className="page-head">
        <h1 id="app-title">{app}</h1>
        {row === undefined ? null : (
          <span data-testid="app-status">
            <StatusBadge state={row.status} />
            {row.observedAt === null ? null : (
              <span className="meta small">
                {' '}
                (seen <RelativeTime at={row.observedAt} />)
              </span>
            )}
          </span>
        )}
      </div>
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
      </Tabs.Root>
    </section>
  );
}
