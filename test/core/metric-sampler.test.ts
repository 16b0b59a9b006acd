import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EdgeMetrics, TrafficCounters } from '@slipway/contract';
import {
  createMetricSampler,
  getMetricSeries,
  type AppRecord,
  type MetricSampler,
  type MetricsHistorySettings,
} from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { manualClock, type ManualClock } from './catalog-engine-fixtures.js';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const boundsUs = [5_000, 10_000, 25_000];

/** The edge's cumulative counters of release 1 of hello: `fast` requests under 5 ms, `slow` in 10–25 ms, `failed` 5xx. */
function edgeWith(counts: { fast: number; slow: number; failed: number }): EdgeMetrics {
  const requests = counts.fast + counts.slow;
  const counters: TrafficCounters = {
    requests,
    status: { '2xx': requests - counts.failed, '3xx': 0, '4xx': 0, '5xx': counts.failed },
    connectErrors: 0,
    latency: [counts.fast, 0, counts.slow, 0],
  };
  return {
    latencyBucketsUs: boundsUs,
    routes: [],
    releases: [{ app: 'hello', environment: 'production', releaseNumber: 1, counters }],
  };
}

describe('the metrics history sampler', () => {
  let harness: CoreHarness;
  let clock: ManualClock;
  let app: AppRecord;
  const samplers: MetricSampler[] = [];

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    app = (await harness.store.apps.findByName('hello'))!;
    expect((await harness.deploy('hello', await harness.webSource())).state).toBe('succeeded');
    clock = manualClock(Date.now());
  });

  afterEach(async () => {
    await Promise.all(samplers.splice(0).map((sampler) => sampler.stop()));
    await harness.close();
  });

  const samplerWith = (over: Partial<MetricsHistorySettings> = {}) => {
    const sampler = createMetricSampler(
      { ...harness.deps, clock, logger: silentLogger },
      { intervalMs: 15_000, retentionMs: 3_600_000, maxRowsPerApp: 10_000, ...over },
    );
    samplers.push(sampler);
    return sampler;
  };
  const environmentId = async () => (await harness.store.environments.find(app.projectId, 'production'))!.id;
  const window = async () => ({
    environmentId: await environmentId(),
    sinceMs: 0,
    untilMs: clock.nowMs() + 1,
    limit: 1000,
  });
  const traffic = async () => harness.store.metricSamples.listTraffic(app.id, await window());
  const usage = async () => harness.store.metricSamples.listInstances(app.id, await window());

  it('records the traffic between two reads of the edge, and each instance’s usage at every pass', async () => {
    const sampler = samplerWith();
    const [instance] = await harness.instancesOf('hello');
    harness.router.inFlightCounts.set(instance!.id, 3);
    harness.router.edgeMetrics = edgeWith({ fast: 100, slow: 0, failed: 0 });
    await sampler.sample();
    // A rate needs two reads: the first pass has usage only.
    expect(await traffic()).toEqual([]);
    expect(await usage()).toEqual([
      expect.objectContaining({ instanceId: instance!.id, process: 'web', releaseNumber: 1, memoryBytes: 33_554_432 }),
    ]);

    clock.advance(15_000);
    harness.router.edgeMetrics = edgeWith({ fast: 250, slow: 150, failed: 30 });
    await sampler.sample();
    const [sample] = await traffic();
    expect(sample).toMatchObject({ releaseNumber: 1, intervalMs: 15_000, requests: 300, errors: 30, inFlight: 3 });
    // 150 fast and 150 slow requests: the median is the top of the first bucket, p99 near the top of 10–25 ms.
    expect(sample?.latencyP50Ms).toBe(5);
    expect(sample?.latencyP99Ms).toBeCloseTo(10 + 15 * (147 / 150), 9);

    const series = await getMetricSeries(
      harness.deps,
      {
        app: 'hello',
        environment: 'production',
        sinceMs: clock.nowMs() - 60_000,
        untilMs: clock.nowMs() + 1,
        stepMs: undefined,
      },
      { sampleIntervalMs: 15_000, maxRowsPerApp: 10_000 },
    );
    const at = series.timestamps.findIndex((startMs) => startMs <= clock.nowMs() && clock.nowMs() < startMs + 15_000);
    expect(series.traffic.requestsPerSecond[at]).toBe(20);
    expect(series.traffic.errorRate[at]).toBe(0.1);
    expect(series.releases.map((r) => r.release)).toEqual([1]);
    expect(series.instances).toHaveLength(1);
    // The deployment finished just before the sampler's clock started: within the last minute.
    expect(series.markers).toEqual([expect.objectContaining({ release: 1, releaseId: series.releases[0]?.releaseId })]);
  });

  it('records nothing across an edge restart, and an idle current release as a rate of 0', async () => {
    const sampler = samplerWith();
    harness.router.edgeMetrics = edgeWith({ fast: 500, slow: 0, failed: 0 });
    await sampler.sample();
    clock.advance(15_000);
    harness.router.edgeMetrics = edgeWith({ fast: 20, slow: 0, failed: 0 });
    await sampler.sample();
    expect(await traffic()).toEqual([]);
    clock.advance(15_000);
    await sampler.sample();
    expect(await traffic()).toEqual([expect.objectContaining({ requests: 0, latencyP50Ms: null })]);
  });

  it('counts every request of a release the edge began counting between two passes, from the earlier pass', async () => {
    const sampler = samplerWith();
    // The earlier pass read the app before its release went live (as a pass does that reads the store just before a
    // switch), and the edge did not count the release yet.
    const appEnvironment = (await harness.store.appEnvironments.find(app.id, await environmentId()))!;
    const live = await harness.store.appEnvironments.update({ ...appEnvironment, currentReleaseId: null });
    harness.router.edgeMetrics = { latencyBucketsUs: boundsUs, routes: [], releases: [] };
    await sampler.sample();
    // Then it went live and served 40 requests before the next pass: none of them is lost in the release's first read.
    await harness.store.appEnvironments.update({ ...live, currentReleaseId: appEnvironment.currentReleaseId });
    clock.advance(15_000);
    harness.router.edgeMetrics = edgeWith({ fast: 40, slow: 0, failed: 0 });
    await sampler.sample();
    expect(await traffic()).toEqual([expect.objectContaining({ releaseNumber: 1, requests: 40, intervalMs: 15_000 })]);
  });

  it('deletes samples older than the retention, and keeps at most the row budget of each app', async () => {
    const sampler = samplerWith({ retentionMs: 120_000, maxRowsPerApp: 2 });
    for (let pass = 0; pass < 5; pass += 1) {
      await sampler.sample();
      clock.advance(61_000);
    }
    // Pruning runs at most once a minute, after the pass's samples are stored: the newest 2 are left.
    expect((await usage()).map((s) => s.atMs)).toEqual([clock.nowMs() - 2 * 61_000, clock.nowMs() - 61_000]);
    expect(await traffic()).toHaveLength(2);
    clock.advance(3_600_000);
    expect(await sampler.prune()).toBe(4);
    expect(await usage()).toEqual([]);
  });
});
