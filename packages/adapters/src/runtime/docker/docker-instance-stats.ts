/** Measures an instance container through the engine's stats: memory less page cache, its limit, CPU and pids. */
import type Docker from 'dockerode';
import type { InstanceStats } from '@slipway/core';
import { engineError, engineStatusOf, type DockerClient } from '../../docker/docker-engine.js';
import { isContainerRunning } from './docker-instance-status.js';

/**
 * The part of the engine's stats answer read here, every member optional: cgroup v1 and v2 fill `memory_stats.stats`
 * with different keys, and a container that is not running gets an answer with empty members and the zero time.
 */
export interface EngineContainerStats {
  /** When the engine took the sample (RFC 3339, nanoseconds). */
  read?: string;
  preread?: string;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
  cpu_stats?: { cpu_usage?: { total_usage?: number }; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number } };
  pids_stats?: { current?: number };
}

/** One sample of an instance's container, kept to measure its CPU at the next. */
export interface CpuSample {
  containerId: string;
  /** CPU time the container used since it started, nanoseconds. */
  totalUsageNs: number;
  /** The engine's time of the sample, ms since the epoch (with a fraction). */
  readAtMs: number;
  /** The CPUs reported for this sample, given again for a second read of the same sample. */
  cpus: number;
}

export interface DockerInstanceStats {
  /**
   * The instance's stats from its container's inspect: undefined when the container is not running or went meanwhile.
   * Errors: `RUNTIME_UNAVAILABLE` when the engine does not answer, `RUNTIME_ERROR` when it refuses.
   */
  sample(instanceId: string, info: Docker.ContainerInspectInfo): Promise<InstanceStats | undefined>;
  /** Drops what is kept of the instance's previous sample. */
  forget(instanceId: string): void;
}

/**
 * Stats of instance containers, keeping each instance's latest sample for the CPU of the next. The engine is asked
 * for one sample (`one-shot`): without it the engine waits for a second one, a second or two per call, and gives the
 * CPU of the last second only.
 */
export function createDockerInstanceStats(options: { client: DockerClient; engineName: string }): DockerInstanceStats {
  const { client, engineName } = options;
  const previousById = new Map<string, CpuSample>();

  async function sample(instanceId: string, info: Docker.ContainerInspectInfo): Promise<InstanceStats | undefined> {
    if (!isContainerRunning(info)) {
      previousById.delete(instanceId);
      return undefined;
    }
    let raw: EngineContainerStats;
    try {
      raw = await client.getContainer(info.Id).stats({ stream: false, 'one-shot': true });
    } catch (error) {
      // 404: the container went meanwhile; 409: it is no longer running.
      const status = engineStatusOf(error);
      if (status === 404 || status === 409) {
        previousById.delete(instanceId);
        return undefined;
      }
      throw engineError(error, `${engineName}, reading the stats of instance ${instanceId}`);
    }
    const measured = statsOf(raw, info, previousById.get(instanceId));
    if (measured === undefined) {
      previousById.delete(instanceId);
      return undefined;
    }
    const kept = previousById.get(instanceId);
    // Of two samples read at once, the newer one stays.
    if (kept === undefined || kept.containerId !== info.Id || kept.readAtMs <= measured.sample.readAtMs) {
      previousById.set(instanceId, measured.sample);
    }
    return measured.stats;
  }

  return {
    sample,
    forget(instanceId) {
      previousById.delete(instanceId);
    },
  };
}

/**
 * The stats of one engine answer, and the sample to keep; undefined for the empty answer of a container that is not
 * running. CPU is measured since `previous` when it is a sample of the same container, else since the engine's own
 * previous sample when the answer has one, else since the container started.
 */
export function statsOf(
  raw: EngineContainerStats,
  info: Pick<Docker.ContainerInspectInfo, 'Id' | 'HostConfig' | 'State'>,
  previous: CpuSample | undefined,
): { stats: InstanceStats; sample: CpuSample } | undefined {
  const readAtMs = timeMsOf(raw.read);
  if (readAtMs === undefined) return undefined;
  const totalUsageNs = raw.cpu_stats?.cpu_usage?.total_usage ?? 0;
  const measuredCpus = cpusOf({ containerId: info.Id, totalUsageNs, readAtMs }, raw, info, previous);
  const cpus = Math.min(measuredCpus, maxCpusOf(raw, info.HostConfig));
  const memoryLimitBytes = memoryLimitBytesOf(raw, info.HostConfig);
  return {
    stats: {
      memoryBytes: memoryBytesOf(raw),
      ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }),
      cpus,
      pids: raw.pids_stats?.current ?? 0,
    },
    sample: { containerId: info.Id, totalUsageNs, readAtMs, cpus },
  };
}

function cpusOf(
  current: Omit<CpuSample, 'cpus'>,
  raw: EngineContainerStats,
  info: Pick<Docker.ContainerInspectInfo, 'State'>,
  previous: CpuSample | undefined,
): number {
  if (previous?.containerId === current.containerId && previous.totalUsageNs <= current.totalUsageNs) {
    // The engine samples about once a second: a second read within it is the same sample.
    if (previous.readAtMs === current.readAtMs) return previous.cpus;
    if (previous.readAtMs < current.readAtMs) return cpusBetween(previous, current);
  }
  const preUsageNs = raw.precpu_stats?.cpu_usage?.total_usage ?? 0;
  const prereadAtMs = timeMsOf(raw.preread);
  if (preUsageNs > 0 && prereadAtMs !== undefined && preUsageNs <= current.totalUsageNs) {
    if (prereadAtMs < current.readAtMs) {
      return cpusBetween({ totalUsageNs: preUsageNs, readAtMs: prereadAtMs }, current);
    }
  }
  const startedAtMs = timeMsOf(info.State.StartedAt);
  if (startedAtMs === undefined || startedAtMs >= current.readAtMs) return 0;
  return cpusBetween({ totalUsageNs: 0, readAtMs: startedAtMs }, current);
}

function cpusBetween(
  from: { totalUsageNs: number; readAtMs: number },
  to: { totalUsageNs: number; readAtMs: number },
): number {
  return Math.max(0, (to.totalUsageNs - from.totalUsageNs) / ((to.readAtMs - from.readAtMs) * 1e6));
}

/**
 * The CPUs the container can use at most: the host's, and its limit. A sample soon after the start exceeds them, as the
 * engine records the start time after the container's first processes ran.
 */
function maxCpusOf(raw: EngineContainerStats, hostConfig: Docker.HostConfig | undefined): number {
  const onlineCpus = raw.cpu_stats?.online_cpus ?? 0;
  const limitCpus = (hostConfig?.NanoCpus ?? 0) / 1e9;
  return Math.min(onlineCpus > 0 ? onlineCpus : Infinity, limitCpus > 0 ? limitCpus : Infinity);
}

/** The cgroup's usage less its page cache: `cache` on cgroup v1 (hierarchical, as the usage), `inactive_file` on v2. */
function memoryBytesOf(raw: EngineContainerStats): number {
  const usageBytes = raw.memory_stats?.usage ?? 0;
  const stats = raw.memory_stats?.stats ?? {};
  const isCgroupV1 = stats['cache'] !== undefined;
  const pageCacheBytes = isCgroupV1 ? (stats['total_cache'] ?? stats['cache'] ?? 0) : (stats['inactive_file'] ?? 0);
  return Math.max(0, usageBytes - pageCacheBytes);
}

/** Without a limit of its own the engine reports the host's memory as the limit: that is no limit the engine enforces. */
function memoryLimitBytesOf(raw: EngineContainerStats, hostConfig: Docker.HostConfig | undefined): number | undefined {
  const configuredBytes = hostConfig?.Memory ?? 0;
  if (configuredBytes <= 0) return undefined;
  const reportedBytes = raw.memory_stats?.limit ?? 0;
  return reportedBytes > 0 ? reportedBytes : configuredBytes;
}

/**
 * An engine time (RFC 3339 with up to nanoseconds) in ms since the epoch, keeping the sub-millisecond fraction; the
 * zero time (`0001-01-01T00:00:00Z`) and anything unparseable are undefined.
 */
function timeMsOf(time: string | undefined): number | undefined {
  if (time === undefined || time.startsWith('0001-')) return undefined;
  const parts = /^([^.]+?)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (parts === null) return undefined;
  const wholeSecondsMs = Date.parse(`${parts[1] ?? ''}${parts[3] ?? ''}`);
  if (Number.isNaN(wholeSecondsMs)) return undefined;
  return wholeSecondsMs + Number(`0${parts[2] ?? ''}`) * 1000;
}
