/**
 * Metrics read from the store at scrape time: deployments by app, environment and state, jobs by state (the queue's
 * depth), instances by state, and whether each instance is up as an upstream. Being read, not counted, they survive
 * restarts, and an app's series disappear with the app.
 */
import type { Store } from '@slipway/core';
import type { MetricFamily } from './exposition-text.js';

/** Instance states in which an instance is an upstream the edge may be sent to (up when healthy). */
const upstreamStates = new Set(['starting', 'healthy', 'unhealthy']);

export interface StoreNames {
  /** App names by id. */
  readonly apps: ReadonlyMap<string, string>;
  /** Environment names by id. */
  readonly environments: ReadonlyMap<string, string>;
}

/** The names of every app and environment, read once per scrape. */
export async function readStoreNames(store: Store): Promise<StoreNames> {
  const apps = new Map((await store.apps.list()).map((app) => [app.id, app.name]));
  const environments = new Map<string, string>();
  for (const project of await store.projects.list()) {
    for (const environment of await store.environments.listByProject(project.id)) {
      environments.set(environment.id, environment.name);
    }
  }
  return { apps, environments };
}

export async function readStateMetrics(store: Store, names: StoreNames): Promise<MetricFamily[]> {
  const appOf = (id: string): string | undefined => names.apps.get(id);
  const environmentOf = (id: string): string => names.environments.get(id) ?? '';
  const deployments = (await store.deployments.countByState()).flatMap(({ appId, environmentId, state, count }) => {
    const app = appOf(appId);
    return app === undefined
      ? []
      : [{ labels: { app, environment: environmentOf(environmentId), state }, value: count }];
  });
  const jobs = (await store.jobs.countByState()).map(({ state, count }) => ({ labels: { state }, value: count }));
  const instanceRecords = await store.instances.list();
  const releaseNumbers = new Map<string, number>();
  const instanceCounts = new Map<string, { labels: Record<string, string>; value: number }>();
  const upstreams: { labels: Record<string, string>; value: number }[] = [];
  for (const instance of instanceRecords) {
    const app = appOf(instance.appId);
    if (app === undefined) continue;
    const environment = environmentOf(instance.environmentId);
    const key = `${app} ${environment} ${instance.process} ${instance.state}`;
    const known = instanceCounts.get(key);
    if (known === undefined) {
      instanceCounts.set(key, {
        labels: { app, environment, process: instance.process, state: instance.state },
        value: 1,
      });
    } else known.value += 1;
    if (!upstreamStates.has(instance.state)) continue;
    let release = releaseNumbers.get(instance.releaseId);
    if (release === undefined) {
      release = (await store.releases.findById(instance.releaseId))?.number ?? 0;
      releaseNumbers.set(instance.releaseId, release);
    }
    upstreams.push({
      labels: { app, environment, release: String(release), process: instance.process, instance: instance.id },
      value: instance.state === 'healthy' ? 1 : 0,
    });
  }
  return [
    {
      name: 'slipway_deployments',
      help: 'Deployments recorded, by app, environment and state (pending, running, succeeded, failed, cancelled …)',
      type: 'gauge',
      samples: deployments,
    },
    {
      name: 'slipway_jobs',
      help: 'Deployment jobs by state; state="queued" is the depth of the job queue',
      type: 'gauge',
      samples: jobs,
    },
    {
      name: 'slipway_instances',
      help: 'Instances by app, environment, process and state',
      type: 'gauge',
      samples: [...instanceCounts.values()],
    },
    {
      name: 'slipway_upstream_up',
      help: 'Whether an instance the edge may route to is healthy (1) or not yet or no longer (0)',
      type: 'gauge',
      samples: upstreams,
    },
  ];
}
