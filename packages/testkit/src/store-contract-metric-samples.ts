/** Store contract, metrics history part: samples round-trip, are read by window and pruned by age and rows per app. */
import { describe, expect, it } from 'vitest';
import type { InstanceSampleRecord, Store, TrafficSampleRecord } from '@slipway/core';
import { api, production, staging, t0, web } from './store-contract-fixtures.js';

const traffic = (atMs: number, over: Partial<TrafficSampleRecord> = {}): TrafficSampleRecord => ({
  appId: web.id,
  environmentId: production.id,
  releaseNumber: 1,
  atMs,
  intervalMs: 15_000,
  requests: 30,
  errors: 3,
  latencyCounts: [10, 15, 5],
  latencyBucketsUs: [5_000, 10_000],
  latencyP50Ms: 6.5,
  latencyP95Ms: 10,
  latencyP99Ms: 10,
  inFlight: 2,
  ...over,
});

const usage = (atMs: number, over: Partial<InstanceSampleRecord> = {}): InstanceSampleRecord => ({
  appId: web.id,
  environmentId: production.id,
  instanceId: 'ins_01',
  process: 'web',
  releaseNumber: 1,
  atMs,
  cpuPercent: 12.5,
  memoryBytes: 52_428_800,
  cpuLimit: 0.5,
  memoryLimitBytes: 268_435_456,
  ...over,
});

const window = (sinceMs: number, untilMs: number, over: { environmentId?: string; limit?: number } = {}) => ({
  environmentId: production.id,
  sinceMs,
  untilMs,
  limit: 1000,
  ...over,
});

export function describeMetricSampleContract(store: () => Store): void {
  describe('metric samples', () => {
    it('round-trips both kinds, read by app, environment and window, oldest first', async () => {
      await store().metricSamples.insertTraffic([
        traffic(t0 + 15_000, { releaseNumber: 2, latencyP50Ms: null, latencyP95Ms: null, latencyP99Ms: null }),
        traffic(t0 + 15_000),
        traffic(t0),
        traffic(t0, { environmentId: staging.id }),
        traffic(t0, { appId: api.id }),
        traffic(t0 + 30_000),
      ]);
      await store().metricSamples.insertInstances([
        usage(t0 + 15_000),
        usage(t0, {
          instanceId: 'ins_02',
          cpuPercent: null,
          memoryBytes: null,
          cpuLimit: null,
          memoryLimitBytes: null,
        }),
        usage(t0),
        usage(t0, { appId: api.id, instanceId: 'ins_03' }),
      ]);

      const samples = await store().metricSamples.listTraffic(web.id, window(t0, t0 + 30_000));
      expect(samples.map((s) => [s.atMs, s.releaseNumber])).toEqual([
        [t0, 1],
        [t0 + 15_000, 1],
        [t0 + 15_000, 2],
      ]);
      expect(samples[0]).toEqual(traffic(t0));
      expect(samples[2]?.latencyP99Ms).toBeNull();
      expect(await store().metricSamples.listTraffic(web.id, window(t0, t0 + 60_000, { limit: 2 }))).toHaveLength(2);
      expect(
        await store().metricSamples.listTraffic(web.id, window(t0, t0 + 1, { environmentId: staging.id })),
      ).toEqual([traffic(t0, { environmentId: staging.id })]);

      const instances = await store().metricSamples.listInstances(web.id, window(t0, t0 + 60_000));
      expect(instances.map((s) => [s.atMs, s.instanceId])).toEqual([
        [t0, 'ins_01'],
        [t0, 'ins_02'],
        [t0 + 15_000, 'ins_01'],
      ]);
      expect(instances[0]).toEqual(usage(t0));
      expect(instances[1]?.memoryBytes).toBeNull();
    });

    it("averages each instance's usage per step in the store, with its newest sample in the window", async () => {
      await store().metricSamples.insertInstances([
        usage(t0, { cpuPercent: 10, memoryBytes: 100 }),
        usage(t0 + 5_000, { cpuPercent: 20, memoryBytes: 300 }),
        usage(t0 + 10_000, { cpuPercent: null, memoryBytes: null }),
        usage(t0 + 25_000, { cpuPercent: 40, memoryBytes: 400, releaseNumber: 2 }),
        usage(t0 + 40_000, { cpuPercent: 99 }), // beyond the window
        usage(t0 + 5_000, { instanceId: 'ins_02', cpuPercent: null, memoryBytes: null, cpuLimit: null }),
        usage(t0, { instanceId: 'ins_03', environmentId: staging.id }),
      ]);
      const { steps, latest } = await store().metricSamples.listInstanceSteps(web.id, {
        environmentId: production.id,
        sinceMs: t0,
        untilMs: t0 + 30_000,
        stepMs: 20_000,
      });
      expect(steps).toEqual([
        { instanceId: 'ins_01', step: 0, cpuPercent: 15, memoryBytes: 200 },
        { instanceId: 'ins_01', step: 1, cpuPercent: 40, memoryBytes: 400 },
        { instanceId: 'ins_02', step: 0, cpuPercent: null, memoryBytes: null },
      ]);
      expect(latest).toEqual([
        usage(t0 + 25_000, { cpuPercent: 40, memoryBytes: 400, releaseNumber: 2 }),
        usage(t0 + 5_000, { instanceId: 'ins_02', cpuPercent: null, memoryBytes: null, cpuLimit: null }),
      ]);
    });

    it('prunes by age, both kinds, every app', async () => {
      await store().metricSamples.insertTraffic([traffic(t0), traffic(t0 + 1000), traffic(t0, { appId: api.id })]);
      await store().metricSamples.insertInstances([usage(t0), usage(t0 + 1000)]);
      expect(await store().metricSamples.pruneBefore(t0 + 1000)).toBe(3);
      expect(await store().metricSamples.pruneBefore(t0 + 1000)).toBe(0);
      expect((await store().metricSamples.listTraffic(web.id, window(0, t0 + 2000))).map((s) => s.atMs)).toEqual([
        t0 + 1000,
      ]);
      expect(await store().metricSamples.listTraffic(api.id, window(0, t0 + 2000))).toEqual([]);
      expect(await store().metricSamples.listInstances(web.id, window(0, t0 + 2000))).toHaveLength(1);
    });

    it("keeps an app's newest rows of each kind, whatever the other apps hold", async () => {
      await store().metricSamples.insertTraffic([0, 1, 2, 3, 4].map((i) => traffic(t0 + i * 1000)));
      await store().metricSamples.insertTraffic([traffic(t0, { appId: api.id })]);
      await store().metricSamples.insertInstances(
        [0, 1, 2].flatMap((i) => [usage(t0 + i * 1000), usage(t0 + i * 1000, { instanceId: 'ins_02' })]),
      );
      expect(await store().metricSamples.pruneToRows(web.id, 2)).toBe(3 + 4);
      expect((await store().metricSamples.listTraffic(web.id, window(0, t0 + 9000))).map((s) => s.atMs)).toEqual([
        t0 + 3000,
        t0 + 4000,
      ]);
      expect((await store().metricSamples.listInstances(web.id, window(0, t0 + 9000))).map((s) => s.atMs)).toEqual([
        t0 + 2000,
        t0 + 2000,
      ]);
      expect(await store().metricSamples.listTraffic(api.id, window(0, t0 + 9000))).toHaveLength(1);
      expect(await store().metricSamples.pruneToRows(web.id, 2)).toBe(0);
    });

    it("deletes an app's samples with the app", async () => {
      await store().metricSamples.insertTraffic([traffic(t0)]);
      await store().metricSamples.insertInstances([usage(t0)]);
      await store().apps.delete(web.id);
      expect(await store().metricSamples.listTraffic(web.id, window(0, t0 + 1))).toEqual([]);
      expect(await store().metricSamples.listInstances(web.id, window(0, t0 + 1))).toEqual([]);
    });
  });
}
