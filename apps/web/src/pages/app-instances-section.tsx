/** The app's instances: process, release, runtime, state, usage against limits, restarts and crash-loop reports. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/app-api.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RelativeTime } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useLiveRefresh } from '../live/use-live.js';

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MiB`;

export function InstancesSection({ app }: { readonly app: string; readonly project: string | undefined }) {
  const instances = useQuery({ queryKey: ['app', app, 'instances'], queryFn: () => api.instances(app) });
  useLiveRefresh(`app:${app}`, [['app', app, 'instances']]);
  return (
    <>
      <ErrorNotice error={instances.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Instances</caption>
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Process</th>
              <th scope="col">Release</th>
              <th scope="col">Runtime</th>
              <th scope="col">State</th>
              <th scope="col">Memory</th>
              <th scope="col">CPU</th>
              <th scope="col">Restarts</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {(instances.data?.instances ?? []).map((instance) => (
              <tr key={instance.id} data-instance={instance.id}>
                <th scope="row">
                  <code>{instance.id.slice(0, 12)}</code>
                </th>
                <td>{instance.process}</td>
                <td>v{instance.releaseNumber}</td>
                <td>{instance.runtime ?? 'process'}</td>
                <td>
                  <StatusBadge state={instance.state} />
                </td>
                <td>
                  {instance.usage === null || instance.usage === undefined
                    ? '—'
                    : `${mib(instance.usage.memoryBytes)}${
                        instance.usage.memoryLimitBytes === undefined
                          ? ''
                          : ` of ${mib(instance.usage.memoryLimitBytes)}`
                      }`}
                </td>
                <td>
                  {instance.usage === null || instance.usage === undefined
                    ? '—'
                    : `${instance.usage.cpus.toFixed(2)}${
                        instance.limits?.cpus === undefined ? '' : ` of ${instance.limits.cpus}`
                      } CPU`}
                </td>
                <td>
                  {instance.restarts}
                  {instance.lastExitCode === null ? '' : ` (last exit ${instance.lastExitCode})`}
                </td>
                <td>
                  <RelativeTime at={instance.startedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {instances.data?.instances.length === 0 ? <p>No instance runs.</p> : null}
    </>
  );
}
