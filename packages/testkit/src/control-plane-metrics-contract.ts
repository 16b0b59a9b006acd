/**
 * The contract of `ControlPlaneMetrics`, run by every implementation and its fake: each report is taken
 * synchronously without throwing, whatever its values (the core calls it on its hot paths, with no try), and the
 * build queue is read when metrics are read, never when it is handed over.
 */
import { describe, expect, it } from 'vitest';
import type { ControlPlaneMetrics } from '@slipway/core';

export interface ControlPlaneMetricsSetup {
  readonly metrics: ControlPlaneMetrics;
  /** Reads the metrics as the implementation's consumer does (a scrape, a list of records). */
  readonly read: () => Promise<unknown>;
}

export function describeControlPlaneMetrics(name: string, setup: () => ControlPlaneMetricsSetup): void {
  describe(`ControlPlaneMetrics contract: ${name}`, () => {
    it('takes every report synchronously, without throwing, whatever its numbers', async () => {
      const { metrics, read } = setup();
      for (const durationMs of [0, 1, 1_500, 3_600_000 * 5, -3]) {
        expect(metrics.phaseFinished({ phase: 'build', state: 'succeeded', durationMs })).toBeUndefined();
        expect(metrics.phaseFinished({ phase: 'release', state: 'skipped', durationMs })).toBeUndefined();
        expect(metrics.deploymentFinished({ kind: 'deploy', state: 'failed', durationMs })).toBeUndefined();
        expect(metrics.jobRunFinished({ outcome: 'crashed', durationMs })).toBeUndefined();
        expect(metrics.reconcilePassFinished({ runtime: 'process', outcome: 'failed', durationMs })).toBeUndefined();
      }
      expect(metrics.instanceRestarted({ app: 'shop', environment: 'production', process: 'web' })).toBeUndefined();
      await expect(read()).resolves.toBeDefined();
    });

    it('reads the build queue when metrics are read, not when it is handed over', async () => {
      const { metrics, read } = setup();
      let reads = 0;
      metrics.observeBuildQueue(() => {
        reads += 1;
        return { waiting: 2, running: 1 };
      });
      expect(reads).toBe(0);
      await read();
      expect(reads).toBeGreaterThan(0);
    });
  });
}
