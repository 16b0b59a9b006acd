/** The app's instances: process, release, runtime, state, usage against limits, restarts and crash-loop reports. */
import { useQuery } from '@tanstack/react-query';
import type { InstanceView } from '@slipway/contract';
import { api } from '../api/app-api.js';
import { DataTable, type Column } from '../components/data-table.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useLiveRefresh } from '../live/use-live.js';

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MiB`;

const columns: readonly Column<InstanceView>[] = [
  { header: 'Instance', cell: (i) => <code>{i.id.slice(0, 12)}</code> },
  { header: 'Process', cell: (i) => i.process },
  { header: 'Release', cell: (i) => `v${i.releaseNumber}` },
  { header: 'Runtime', cell: (i) => i.runtime ?? 'process' },
  { header: 'State', cell: (i) => <StatusBadge state={i.state} /> },
  {
    header: 'Memory',
    cell: (i) =>
      i.usage === null || i.usage === undefined
        ? '—'
        : `${mib(i.usage.memoryBytes)}${i.usage.memoryLimitBytes === undefined ? '' : ` of ${mib(i.usage.memoryLimitBytes)}`}`,
  },
  {
    header: 'CPU',
    cell: (i) =>
      i.usage === null || i.usage === undefined
        ? '—'
        : `${i.usage.cpus.toFixed(2)}${i.limits?.cpus === undefined ? '' : ` of ${i.limits.cpus}`} CPU`,
  },
  {
    header: 'Restarts',
    cell: (i) => `${i.restarts}${i.lastExitCode === null ? '' : ` (last exit ${i.lastExitCode})`}`,
  },
  { header: 'Started', cell: (i) => <RelativeTime at={i.startedAt} /> },
];

export function InstancesSection({ app }: { readonly app: string; readonly project: string | undefined }) {
  const instances = useQuery({ queryKey: ['app', app, 'instances'], queryFn: () => api.instances(app) });
  useLiveRefresh(`app:${app}`, [['app', app, 'instances']]);
  return (
    <>
      <ErrorNotice error={instances.error} />
      <DataTable
        caption="Instances"
        columns={columns}
        rows={instances.data?.instances ?? []}
        rowKey={(i) => i.id}
        rowAttributes={(i) => ({ 'data-instance': i.id })}
        empty="No instance runs."
      />
    </>
  );
}
