/**
 * Schedules health probes per instance (interval, timeout, retries, start period) and moves instances between
 * `starting`, `healthy` and `unhealthy`. Failures inside the start period do not count; the first success does. A
 * process without a check is healthy once it has run for `settings.settleMs`.
 */
import type { HealthCheck } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { KeyedMutex } from '../domain/keyed-mutex.js';
import type { InstanceRecord } from '../domain/records.js';

/** While starting, probe at least this often so a ready instance takes traffic quickly. */
const startingProbeIntervalMs = 250;

interface ProbeState {
  nextProbeAtMs: number;
  consecutiveFailures: number;
  lastDetail: string | undefined;
  isInFlight: boolean;
  /** When a probe of it last ended (or, for a process without a check, last found it running), and at what interval. */
  observed: InstanceObservation | undefined;
}

/** When the monitor last looked at an instance, and how often it looks (ms). */
export interface InstanceObservation {
  readonly atMs: number;
  readonly intervalMs: number;
}

export interface HealthMonitor {
  /** Starts probes that are due for these instances; returns at once (probes run in the background). */
  probeDue(instances: readonly InstanceRecord[]): void;
  /** The last probe's detail, e.g. `HTTP 503`. */
  lastDetail(instanceId: string): string | undefined;
  /** The instance's last observation by this monitor; `undefined` before its first since slipwayd started. */
  observation(instanceId: string): InstanceObservation | undefined;
  reset(instanceId: string): void;
  forget(instanceId: string): void;
  /** Resolves when no probe is in flight (used by orderly shutdown and tests). */
  idle(): Promise<void>;
}

export function createHealthMonitor(
  deps: Pick<CoreDeps, 'store' | 'prober' | 'runtimes' | 'clock' | 'logger' | 'settings' | 'instanceCatalog'>,
  options: {
    checkOf: (instance: InstanceRecord) => Promise<HealthCheck | undefined>;
    locks: KeyedMutex;
    onChange: () => Promise<void>;
  },
): HealthMonitor {
  const states = new Map<string, ProbeState>();
  const inFlight = new Set<Promise<void>>();

  const stateOf = (id: string): ProbeState => {
    let state = states.get(id);
    if (!state) {
      state = {
        nextProbeAtMs: 0,
        consecutiveFailures: 0,
        lastDetail: undefined,
        isInFlight: false,
        observed: undefined,
      };
      states.set(id, state);
    }
    return state;
  };

  const transition = async (instanceId: string, isHealthy: boolean, check: HealthCheck): Promise<void> => {
    const changed = await options.locks.run(instanceId, async () => {
      const instance = await deps.store.instances.findById(instanceId);
      if (!instance || !['starting', 'healthy', 'unhealthy'].includes(instance.state)) return false;
      const now = deps.clock.nowMs();
      const probe = stateOf(instanceId);
      if (isHealthy) {
        if (instance.state === 'healthy') return false;
        // Nothing probes a process without a check: it must stay up for the settle time, so one that exits at once
        // (even with code 0) is a crash, never healthy.
        if (check.type === 'none' && now < (instance.startedAtMs ?? now) + deps.settings.settleMs) return false;
        await deps.store.instances.update({ ...instance, state: 'healthy', healthyAtMs: now, updatedAtMs: now });
        deps.logger.info({ instanceId }, 'instance healthy');
        return true;
      }
      if (check.type === 'none' || instance.state === 'unhealthy') return false;
      const startPeriodMs = check.startPeriodSeconds * 1000;
      const isInStartPeriod = instance.state === 'starting' && now < (instance.startedAtMs ?? now) + startPeriodMs;
      if (isInStartPeriod || probe.consecutiveFailures < check.retries) return false;
      await deps.store.instances.update({ ...instance, state: 'unhealthy', updatedAtMs: now });
      deps.logger.warn({ instanceId, detail: probe.lastDetail }, 'instance unhealthy');
      return true;
    });
    if (!changed) return;
    await options.onChange();
    await deps.instanceCatalog?.instanceChanged(instanceId, stateOf(instanceId).lastDetail);
  };

  const probeOne = async (instance: InstanceRecord, probe: ProbeState): Promise<void> => {
    const check = await options.checkOf(instance);
    if (!check) return;
    if (check.type === 'none') {
      probe.observed = { atMs: deps.clock.nowMs(), intervalMs: deps.settings.reconcileIntervalMs };
      await transition(instance.id, true, check);
      return;
    }
    if (instance.port === null && (check.type === 'http' || check.type === 'tcp')) {
      // Cannot happen for a release's own checks (a port check makes its process listen); kept failing, not probed.
      probe.lastDetail = 'the instance has no port to probe';
      probe.consecutiveFailures += 1;
      probe.nextProbeAtMs = deps.clock.nowMs() + check.intervalSeconds * 1000;
      await transition(instance.id, false, check);
      return;
    }
    const result = await deps.prober.probe(check, {
      host: instance.host ?? '127.0.0.1',
      port: instance.port ?? 0,
      exec: (command, execOptions) => deps.runtimes.get(instance.runtime).exec(instance.id, command, execOptions),
    });
    probe.lastDetail = result.detail;
    probe.consecutiveFailures = result.isHealthy ? 0 : probe.consecutiveFailures + 1;
    const intervalMs = check.intervalSeconds * 1000;
    probe.observed = { atMs: deps.clock.nowMs(), intervalMs: Math.max(intervalMs, deps.settings.reconcileIntervalMs) };
    probe.nextProbeAtMs =
      deps.clock.nowMs() + (instance.state === 'healthy' ? intervalMs : Math.min(intervalMs, startingProbeIntervalMs));
    await transition(instance.id, result.isHealthy, check);
  };

  return {
    probeDue(instances) {
      const now = deps.clock.nowMs();
      for (const instance of instances) {
        // Not launched yet (no start time): nothing to probe.
        if (!['starting', 'healthy', 'unhealthy'].includes(instance.state) || instance.startedAtMs === null) continue;
        const probe = stateOf(instance.id);
        if (probe.isInFlight || probe.nextProbeAtMs > now) continue;
        probe.isInFlight = true;
        const run = probeOne(instance, probe)
          .catch((error: unknown) =>
            deps.logger.warn({ instanceId: instance.id, err: error }, 'health probe failed to run'),
          )
          .finally(() => {
            probe.isInFlight = false;
            inFlight.delete(run);
          });
        inFlight.add(run);
      }
    },
    lastDetail: (id) => states.get(id)?.lastDetail,
    observation: (id) => states.get(id)?.observed,
    reset(id) {
      states.set(id, {
        nextProbeAtMs: 0,
        consecutiveFailures: 0,
        lastDetail: undefined,
        isInFlight: states.get(id)?.isInFlight ?? false,
        observed: undefined,
      });
    },
    forget(id) {
      states.delete(id);
    },
    async idle() {
      await Promise.all([...inFlight]);
    },
  };
}
