/** Pushes the routing table to the edge when it changes, and again periodically so a restarted edge is restored. */
import type { CoreDeps, CoreSettings } from '../core-deps.js';
import type { DesiredStateRecord } from '../delivery/rollout-model.js';
import type { AppRecord, EnvironmentRecord } from '../domain/records.js';
import { domainRoutes, httpsHostsOf } from '../domains/route-domains.js';
import { buildRoutingTable } from './routing-table-builder.js';
import { coldStartHoldOf } from '../autoscale/cold-start.js';
import type { ColdStartHold } from '@slipway/contract';

/** Re-sent even when unchanged, so an edge that lost its table (or was replaced) gets it back. */
const refreshMs = 10_000;

export interface RouterSync {
  /**
   * Applies the current table if it changed since the last apply (or always, with `force`). Never throws:
   * resolves true when the router holds the current table, false when it could not be reached.
   */
  sync(force?: boolean): Promise<boolean>;
}

export function createRouterSync(
  deps: Pick<CoreDeps, 'store' | 'router' | 'clock' | 'logger'> & {
    settings?: Pick<CoreSettings, 'defaultDomain' | 'domainHttps'>;
  },
): RouterSync {
  let lastApplied = '';
  let holdsOfRelease = new Map<string, [string, ColdStartHold][]>();
  let lastAppliedAtMs = 0;
  let running: Promise<boolean> | undefined;
  let again = false;

  const syncOnce = async (force: boolean): Promise<void> => {
    const [storedRoutes, domains, instances, apps, appEnvironments] = await Promise.all([
      deps.store.routes.list(),
      deps.store.domains.list(),
      deps.store.instances.list(),
      deps.store.apps.list(),
      deps.store.appEnvironments.list(),
    ]);
    // Custom domains answer like their app environment's default route.
    const routes = [...storedRoutes, ...domainRoutes(storedRoutes, domains)];
    const environments = new Map<string, EnvironmentRecord>();
    for (const id of new Set(routes.map((r) => r.environmentId))) {
      const environment = await deps.store.environments.findById(id);
      if (environment) environments.set(id, environment);
    }
    const releases = new Map<string, { number: number }>();
    for (const id of new Set(instances.map((i) => i.releaseId))) {
      const release = await deps.store.releases.findById(id);
      if (release) releases.set(id, { number: release.number });
    }
    const desiredStates: DesiredStateRecord[] = [];
    for (const key of new Set(routes.map((r) => `${r.appId}/${r.environmentId}`))) {
      const [appId = '', environmentId = ''] = key.split('/');
      const desired = await deps.store.desiredStates.find(appId, environmentId);
      if (desired) desiredStates.push(desired);
    }
    // Wakeable process types (scale to zero) of each current release; releases are immutable, so read once.
    const coldStarts = new Map<string, ColdStartHold>();
    const holdsNow = new Map<string, [string, ColdStartHold][]>();
    for (const appEnvironment of appEnvironments) {
      const releaseId = appEnvironment.currentReleaseId;
      if (releaseId === null) continue;
      let holds = holdsOfRelease.get(releaseId);
      if (holds === undefined) {
        const release = await deps.store.releases.findById(releaseId);
        holds = Object.entries(release?.manifest.processes ?? {}).flatMap(([process, spec]) => {
          const hold = coldStartHoldOf(spec.autoscale);
          return hold === undefined ? [] : [[process, hold] as [string, ColdStartHold]];
        });
      }
      holdsNow.set(releaseId, holds);
      for (const [process, hold] of holds)
        coldStarts.set(`${appEnvironment.appId}/${appEnvironment.environmentId}/${process}`, hold);
    }
    holdsOfRelease = holdsNow;
    const table = buildRoutingTable({
      coldStarts,
      routes,
      instances,
      apps: new Map(apps.map((a): [string, AppRecord] => [a.id, a])),
      environments,
      releases,
      appEnvironments,
      desiredStates,
      ...(deps.settings === undefined ? {} : { defaultDomain: deps.settings.defaultDomain }),
      httpsHosts: httpsHostsOf(domains, deps.settings?.domainHttps, deps.clock.nowMs()),
    });
    const serialised = JSON.stringify(table);
    const now = deps.clock.nowMs();
    if (!force && serialised === lastApplied && now - lastAppliedAtMs < refreshMs) return;
    await deps.router.apply(table);
    if (serialised !== lastApplied) deps.logger.debug({ routes: table.routes.length }, 'routing table applied');
    lastApplied = serialised;
    lastAppliedAtMs = now;
  };

  const sync = async (force = false): Promise<boolean> => {
    // Coalesce: one sync at a time; a request arriving meanwhile runs once more afterwards with fresh state.
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let pass = force;
      let isApplied = false;
      do {
        again = false;
        try {
          await syncOnce(pass);
          isApplied = true;
        } catch (error) {
          isApplied = false;
          deps.logger.warn({ err: error }, 'routing table not applied');
        }
        pass = true;
      } while (again);
      return isApplied;
    })();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };

  return { sync };
}
