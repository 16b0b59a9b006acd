import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { statsOf, type CpuSample, type EngineContainerStats } from './docker-instance-stats.js';

const mebibyte = 1024 * 1024;
const startedAt = '2026-01-01T00:00:00Z';
const startedAtMs = Date.parse(startedAt);

const infoOf = (memoryBytes = 0, id = 'c0ffee'): Pick<Docker.ContainerInspectInfo, 'Id' | 'HostConfig' | 'State'> =>
  ({ Id: id, HostConfig: { Memory: memoryBytes }, State: { StartedAt: startedAt } }) as Pick<
    Docker.ContainerInspectInfo,
    'Id' | 'HostConfig' | 'State'
  >;

/** A one-shot answer of a cgroup v1 engine, `secondsAfterStart` after the container started. */
const v1Answer = (
  overrides: Partial<EngineContainerStats> & { secondsAfterStart?: number } = {},
): EngineContainerStats => ({
  read: new Date(startedAtMs + (overrides.secondsAfterStart ?? 10) * 1000).toISOString(),
  preread: '0001-01-01T00:00:00Z',
  memory_stats: {
    usage: 40 * mebibyte,
    limit: 128 * mebibyte,
    stats: { cache: 8 * mebibyte, total_cache: 8 * mebibyte },
  },
  cpu_stats: { cpu_usage: { total_usage: 5e9 } },
  precpu_stats: { cpu_usage: { total_usage: 0 } },
  pids_stats: { current: 3 },
  ...overrides,
});

describe('statsOf', () => {
  it('counts memory without the page cache on cgroup v1, and pids', () => {
    expect(statsOf(v1Answer(), infoOf(), undefined)?.stats).toMatchObject({ memoryBytes: 32 * mebibyte, pids: 3 });
  });

  it('counts memory without the inactive file pages on cgroup v2', () => {
    const answer = v1Answer({ memory_stats: { usage: 40 * mebibyte, stats: { inactive_file: 10 * mebibyte } } });

    expect(statsOf(answer, infoOf(), undefined)?.stats.memoryBytes).toBe(30 * mebibyte);
  });

  it('reports the memory limit only when the container has one', () => {
    expect(statsOf(v1Answer(), infoOf(128 * mebibyte), undefined)?.stats.memoryLimitBytes).toBe(128 * mebibyte);
    expect(statsOf(v1Answer(), infoOf(0), undefined)?.stats).not.toHaveProperty('memoryLimitBytes');
  });

  it('measures the first sample of a one-shot answer since the container started', () => {
    // 5 s of CPU in 10 s.
    expect(statsOf(v1Answer(), infoOf(), undefined)?.stats.cpus).toBeCloseTo(0.5);
  });

  it("measures the first sample since the engine's own previous sample when the answer has one", () => {
    const answer = v1Answer({
      preread: new Date(startedAtMs + 9000).toISOString(),
      precpu_stats: { cpu_usage: { total_usage: 4e9 } },
    });

    expect(statsOf(answer, infoOf(), undefined)?.stats.cpus).toBeCloseTo(1);
  });

  it('measures a later sample since the previous one of the same container, and keeps it for the next', () => {
    const first = statsOf(v1Answer(), infoOf(), undefined);
    const second = statsOf(
      v1Answer({ secondsAfterStart: 14, cpu_stats: { cpu_usage: { total_usage: 6e9 } } }),
      infoOf(),
      first?.sample,
    );

    expect(second?.stats.cpus).toBeCloseTo(0.25);
    expect(second?.sample).toMatchObject({ containerId: 'c0ffee', totalUsageNs: 6e9, readAtMs: startedAtMs + 14_000 });
  });

  it('bounds the CPUs by the online CPUs and by the CPU limit', () => {
    // 5 s of CPU in 1 s.
    const answer = v1Answer({ secondsAfterStart: 1, cpu_stats: { cpu_usage: { total_usage: 5e9 }, online_cpus: 2 } });
    const limited = { ...infoOf(), HostConfig: { NanoCpus: 0.5e9 } };

    expect(statsOf(answer, infoOf(), undefined)?.stats.cpus).toBe(2);
    expect(statsOf(answer, limited, undefined)?.stats.cpus).toBe(0.5);
  });

  it('gives the same CPUs for a second read of the same engine sample', () => {
    const first = statsOf(v1Answer(), infoOf(), undefined);

    expect(statsOf(v1Answer(), infoOf(), first?.sample)?.stats.cpus).toBeCloseTo(0.5);
  });

  it('ignores a previous sample of another container of the instance', () => {
    const previous: CpuSample = { containerId: 'old', totalUsageNs: 4.9e9, readAtMs: startedAtMs + 9_900, cpus: 3 };

    expect(statsOf(v1Answer(), infoOf(), previous)?.stats.cpus).toBeCloseTo(0.5);
  });

  it('keeps the fraction of a millisecond of the engine times', () => {
    const answer = v1Answer({ read: '2026-01-01T00:00:10.000500000Z' });

    expect(statsOf(answer, infoOf(), undefined)?.sample.readAtMs).toBe(startedAtMs + 10_000.5);
  });

  it('has no stats for the empty answer of a container that is not running', () => {
    const answer: EngineContainerStats = {
      read: '0001-01-01T00:00:00Z',
      preread: '0001-01-01T00:00:00Z',
      cpu_stats: { cpu_usage: { total_usage: 0 } },
      pids_stats: {},
    };

    expect(statsOf(answer, infoOf(), undefined)).toBeUndefined();
  });
});
