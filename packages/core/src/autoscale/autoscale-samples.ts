/**
 * Reads what the autoscaler decides on, from Slipway itself (no Prometheus): each instance's CPU from its runtime's
 * `stats()`, in percent of its CPU limit (one CPU without a limit); requests in flight per instance from the edge;
 * requests per second from the edge's per-release counters between two reads, shared evenly by the ready instances
 * (the edge spreads a release's requests over its healthy instances).
 */
import type { AutoscaleMetricType, EdgeMetrics } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { InstanceRecord } from '../domain/records.js';
import type { AutoscaleSamples } from './autoscale-decision.js';
import type { InstanceSample } from './replica-proposal.js';

export interface ReleaseScope {
  app: string;
  environment: string;
  releaseNumber: number;
  /** CPUs an instance may use (its limit), for the CPU percentage. */
  cpuLimit: number;
}

/** A release's request count at a time: the previous read, to turn the edge's cumulative count into a rate. */
interface RequestReading {
  requests: number;
  atMs: number;
}

export interface SampleReader {
  /** Samples of the metrics asked for, for these instances of one release's process type. */
  read(
    scope: ReleaseScope,
    instances: readonly InstanceRecord[],
    metrics: readonly AutoscaleMetricType[],
    edge: EdgeMetrics | { error: string } | undefined,
  ): Promise<AutoscaleSamples>;
  /** Forgets readings of releases not in `keys` (`app environment number`), so the map stays bounded. */
  retain(keys: ReadonlySet<string>): void;
}

export function releaseKey(scope: Pick<ReleaseScope, 'app' | 'environment' | 'releaseNumber'>): string {
  return `${scope.app} ${scope.environment} ${scope.releaseNumber}`;
}

export function createSampleReader(deps: Pick<CoreDeps, 'runtimes' | 'router' | 'clock'>): SampleReader {
  const readings = new Map<string, RequestReading>();

  const cpuSamples = async (scope: ReleaseScope, instances: readonly InstanceRecord[]): Promise<InstanceSample[]> =>
    Promise.all(
      instances.map(async (instance): Promise<InstanceSample> => {
        const isReady = instance.state === 'healthy';
        if (!isReady) return { instanceId: instance.id, isReady, value: undefined };
        try {
          const stats = await deps.runtimes.find(instance.runtime)?.stats(instance.id);
          const value = stats === undefined ? undefined : (stats.cpus / scope.cpuLimit) * 100;
          return { instanceId: instance.id, isReady, value };
        } catch {
          return { instanceId: instance.id, isReady, value: undefined };
        }
      }),
    );

  const inFlightSamples = async (
    instances: readonly InstanceRecord[],
  ): Promise<InstanceSample[] | { error: string }> => {
    try {
      const counts = await deps.router.inFlight(instances.map((i) => i.id));
      return instances.map((i) => ({ instanceId: i.id, isReady: i.state === 'healthy', value: counts[i.id] ?? 0 }));
    } catch (error) {
      return { error: `the edge did not answer: ${error instanceof Error ? error.message : String(error)}` };
    }
  };

  const rateSamples = (
    scope: ReleaseScope,
    instances: readonly InstanceRecord[],
    edge: EdgeMetrics | { error: string } | undefined,
  ): InstanceSample[] | { error: string } => {
    if (edge === undefined) return { error: 'the edge was not read' };
    if ('error' in edge) return edge;
    const key = releaseKey(scope);
    const release = edge.releases.find(
      (r) => r.app === scope.app && r.environment === scope.environment && r.releaseNumber === scope.releaseNumber,
    );
    const requests = release?.counters.requests ?? 0;
    const nowMs = deps.clock.nowMs();
    const previous = readings.get(key);
    readings.set(key, { requests, atMs: nowMs });
    if (previous === undefined) return { error: 'first read of the request count: a rate needs two' };
    if (requests < previous.requests) return { error: 'the edge restarted: its request count started again' };
    const elapsedMs = nowMs - previous.atMs;
    if (elapsedMs <= 0) return { error: 'no time passed since the previous read' };
    const perSecond = ((requests - previous.requests) * 1000) / elapsedMs;
    const ready = instances.filter((i) => i.state === 'healthy').length;
    return instances.map((i) => ({
      instanceId: i.id,
      isReady: i.state === 'healthy',
      value: ready === 0 ? undefined : perSecond / ready,
    }));
  };

  return {
    async read(scope, instances, metrics, edge) {
      const samples: AutoscaleSamples = {};
      for (const metric of metrics) {
        if (metric === 'cpu') samples.cpu = await cpuSamples(scope, instances);
        else if (metric === 'inFlight') samples.inFlight = await inFlightSamples(instances);
        else samples.requestsPerSecond = rateSamples(scope, instances, edge);
      }
      return samples;
    },
    retain(keys) {
      for (const key of readings.keys()) if (!keys.has(key)) readings.delete(key);
    },
  };
}
