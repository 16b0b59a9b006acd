/**
 * Every instance Slipway runs, on every runtime, as a service instance of the catalog (docs/catalog.md): ID = the
 * instance id, Name = the app (`<app>-<process>` for a process type other than `web`), Tags `[<environment>,
 * <process>, release-<n>]`, Meta `{app, environment, process, release, commit}`, the instance's address and port, and
 * one check of type `slipway` that mirrors Slipway's health monitor. An instance appears once healthy, stays (critical)
 * while unhealthy, crashed or restarting, and is deregistered when it starts draining, before its process is stopped.
 *
 * Edge-triggered by the fleet (`CoreDeps.instanceCatalog`) so changes are prompt, and level-triggered by `reconcile`
 * so that any drift (a restart of slipwayd, a write that failed, an instance removed behind the fleet's back) is
 * repaired on the next pass.
 */
import type { InstanceRecord, ReleaseRecord } from '../domain/records.js';
import { KeyedMutex } from '../domain/keyed-mutex.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { Catalog, ServiceRegistration } from './catalog.js';
import type { CheckStatus, ServiceRecord } from './catalog-records.js';

/** What the fleet and the health monitor tell the catalog about Slipway's own instances. */
export interface InstanceCatalogHooks {
  /**
   * An instance's state changed (healthy, unhealthy, crashed, started again): its registration follows its record.
   * `detail` is the health monitor's last word on it (`HTTP 200`), shown as the check's output. Never rejects.
   */
  instanceChanged(instanceId: string, detail?: string): Promise<void>;
  /** The instance is draining: it leaves the catalog now, before it leaves the router and stops. Never rejects. */
  instanceRetiring(instanceId: string): Promise<void>;
}

export interface InstanceRegistration extends InstanceCatalogHooks {
  /**
   * One level-triggered pass: each instance the store holds is registered (or not) as its state says, and every
   * service Slipway registered for an instance that is gone or draining is removed. Never rejects.
   */
  reconcile(): Promise<void>;
  /** Stops the periodic pass and waits for the one under way. Idempotent. */
  close(): Promise<void>;
}

export interface InstanceRegistrationDeps {
  catalog: Catalog;
  store: Pick<Store, 'instances' | 'apps' | 'environments' | 'releases'>;
  clock: Clock;
  logger: Logger;
  /** How often `reconcile` runs by itself, the first time at once; 0: never (the caller runs it). Default 10 s. */
  reconcileIntervalMs?: number;
}

/** The check every Slipway instance carries: `service:<instance id>`, as Consul names a service's only check. */
export function instanceCheckId(instanceId: string): string {
  return `service:${instanceId}`;
}

/** The catalog's service name of an instance: the app for `web`, `<app>-<process>` for any other process type. */
export function instanceServiceName(appName: string, process: string): string {
  return process === 'web' ? appName : `${appName}-${process}`;
}

const defaultReconcileIntervalMs = 10_000;

/** What the catalog should hold for an instance, decided from its record alone (and whether it is registered now). */
function desiredStatus(instance: InstanceRecord, isRegistered: boolean): CheckStatus | 'absent' {
  switch (instance.state) {
    case 'healthy':
      return 'passing';
    case 'unhealthy':
      return 'critical';
    // Not yet healthy: not listed. Once listed, a crash or a restart keeps it listed, critical, until it serves again.
    case 'starting':
    case 'crashed':
      return isRegistered ? 'critical' : 'absent';
    case 'draining':
    case 'stopping':
    case 'stopped':
      return 'absent';
  }
}

function outputOf(instance: InstanceRecord, status: CheckStatus, detail: string | undefined): string {
  const why = detail === undefined || detail === '' ? '' : `: ${detail}`;
  if (status === 'passing') return `Slipway health check passing${why}`;
  if (instance.state === 'crashed')
    return `instance exited${instance.lastExitCode === null ? '' : ` with code ${instance.lastExitCode}`}; restarting`;
  if (instance.state === 'starting') return 'instance starting again';
  return `Slipway health check failing${why}`;
}

function isSameService(current: ServiceRecord, wanted: ServiceRegistration): boolean {
  return (
    current.name === wanted.name &&
    current.address === wanted.address &&
    current.port === wanted.port &&
    JSON.stringify(current.tags) === JSON.stringify(wanted.tags) &&
    JSON.stringify(Object.entries(current.meta).sort()) === JSON.stringify(Object.entries(wanted.meta).sort()) &&
    current.source.kind === 'slipway'
  );
}

export function createInstanceRegistration(deps: InstanceRegistrationDeps): InstanceRegistration {
  const { catalog, store, clock, logger } = deps;
  const locks = new KeyedMutex();
  const releases = new Map<string, ReleaseRecord>();
  let passing: Promise<void> | undefined;
  let isClosed = false;

  const releaseOf = async (releaseId: string): Promise<ReleaseRecord | undefined> => {
    const cached = releases.get(releaseId);
    if (cached) return cached;
    const release = await store.releases.findById(releaseId);
    // Releases never change once recorded.
    if (release) releases.set(releaseId, release);
    return release;
  };

  const registrationOf = async (
    instance: InstanceRecord,
    status: CheckStatus,
    detail: string | undefined,
  ): Promise<ServiceRegistration | undefined> => {
    const app = await store.apps.findById(instance.appId);
    const environment = await store.environments.findById(instance.environmentId);
    const release = await releaseOf(instance.releaseId);
    if (!app || !environment || !release) return undefined;
    const commit = release.source.kind === 'git' ? release.source.commit : undefined;
    const meta: Record<string, string> = {
      app: app.name,
      environment: environment.name,
      process: instance.process,
      release: String(release.number),
      ...(commit === undefined ? {} : { commit }),
    };
    return {
      id: instance.id,
      name: instanceServiceName(app.name, instance.process),
      tags: [environment.name, instance.process, `release-${release.number}`],
      address: instance.host ?? '',
      port: instance.port ?? 0,
      meta,
      taggedAddresses: {},
      weights: { passing: 1, warning: 1 },
      enableTagOverride: false,
      source: { kind: 'slipway', instanceId: instance.id, appId: app.id },
      checks: [
        {
          checkId: instanceCheckId(instance.id),
          name: 'Slipway health check',
          serviceId: instance.id,
          notes: "Mirrors Slipway's health monitor for this instance",
          status,
          output: outputOf(instance, status, detail),
          definition: { type: 'slipway', instanceId: instance.id },
        },
      ],
    };
  };

  const deregister = async (instanceId: string): Promise<void> => {
    const current = catalog.service(instanceId);
    if (current?.source.kind !== 'slipway') return;
    await catalog.deregisterService(instanceId);
    logger.info({ instanceId }, 'instance left the catalog');
  };

  /** Brings one instance's registration in line with its record (`undefined`: it is gone). */
  const converge = async (instanceId: string, record: InstanceRecord | undefined, detail?: string) => {
    const current = catalog.service(instanceId);
    // A service of that id registered through the agent API is not Slipway's to change.
    if (current !== undefined && current.source.kind !== 'slipway') return;
    const status = record === undefined ? 'absent' : desiredStatus(record, current !== undefined);
    if (record === undefined || status === 'absent') {
      await deregister(instanceId);
      return;
    }
    const wanted = await registrationOf(record, status, detail);
    if (!wanted) {
      await deregister(instanceId);
      return;
    }
    const check = catalog.check(instanceCheckId(instanceId));
    if (current === undefined || check === undefined || !isSameService(current, wanted)) {
      await catalog.registerService(wanted, { replaceExistingChecks: true });
      if (current === undefined) logger.info({ instanceId, service: wanted.name }, 'instance joined the catalog');
      // A re-registration keeps the status a kept check had (Consul's agent does): set it when it differs.
      const kept = catalog.check(instanceCheckId(instanceId));
      if (kept !== undefined && kept.status !== status)
        await catalog.updateCheck(kept.checkId, status, wanted.checks[0]?.output ?? '');
      return;
    }
    // Only the check: a pass without a detail keeps the last output unless the status changes.
    if (check.status !== status || detail !== undefined)
      await catalog.updateCheck(check.checkId, status, wanted.checks[0]?.output ?? '');
  };

  const guarded = async (instanceId: string, work: () => Promise<void>): Promise<void> => {
    try {
      await locks.run(instanceId, work);
    } catch (error) {
      // The next pass repairs it.
      logger.warn({ instanceId, err: error }, 'instance registration not updated');
    }
  };

  const reconcileOnce = async (): Promise<void> => {
    let instances: InstanceRecord[];
    try {
      instances = await store.instances.list();
    } catch (error) {
      logger.warn({ err: error }, 'instance registration pass skipped');
      return;
    }
    const byId = new Map(instances.map((instance) => [instance.id, instance]));
    for (const instance of instances)
      await guarded(instance.id, async () => converge(instance.id, await store.instances.findById(instance.id)));
    for (const service of catalog.services().value) {
      if (service.source.kind !== 'slipway' || byId.has(service.id)) continue;
      await guarded(service.id, async () => converge(service.id, await store.instances.findById(service.id)));
    }
  };

  const reconcile = (): Promise<void> => {
    // One pass at a time; a caller during a pass waits for that pass.
    passing ??= reconcileOnce().finally(() => {
      passing = undefined;
    });
    return passing;
  };

  const intervalMs = deps.reconcileIntervalMs ?? defaultReconcileIntervalMs;
  const closing = new AbortController();
  // The first pass at once (what a restart left behind), then one per interval.
  const looping = (async () => {
    if (intervalMs <= 0) return;
    while (!closing.signal.aborted) {
      await reconcile();
      await clock.sleep(intervalMs, closing.signal).catch(() => undefined);
    }
  })();

  return {
    reconcile,
    async instanceChanged(instanceId, detail) {
      if (isClosed) return;
      await guarded(instanceId, async () => converge(instanceId, await store.instances.findById(instanceId), detail));
    },
    async instanceRetiring(instanceId) {
      if (isClosed) return;
      await guarded(instanceId, () => deregister(instanceId));
    },
    async close() {
      isClosed = true;
      closing.abort();
      await looping;
      await passing;
    },
  };
}
