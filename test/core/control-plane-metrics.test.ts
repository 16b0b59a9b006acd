import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRecordingControlPlaneMetrics, waitFor, type RecordingControlPlaneMetrics } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('what the core measures', () => {
  let harness: CoreHarness;
  let recording: RecordingControlPlaneMetrics;

  beforeEach(async () => {
    recording = createRecordingControlPlaneMetrics();
    harness = await createCoreHarness({ metrics: recording.metrics });
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
  });

  it('reports each phase of a deployment once, the deployment once at its end, and reconcile passes', async () => {
    expect((await harness.deploy('hello', await harness.webSource())).state).toBe('succeeded');
    const phases = recording.reports.filter((r) => r.report === 'phase');
    expect(phases.map((r) => [r.phase, r.state])).toEqual([
      ['fetch', 'succeeded'],
      ['build', 'succeeded'],
      ['release', 'succeeded'],
      ['rollout', 'succeeded'],
      ['finalize', 'succeeded'],
    ]);
    for (const phase of phases) expect(phase.durationMs).toBeGreaterThanOrEqual(0);
    expect(recording.reports.filter((r) => r.report === 'deployment')).toEqual([
      { report: 'deployment', kind: 'deploy', state: 'succeeded', durationMs: expect.any(Number) as unknown },
    ]);
    await waitFor(() => {
      expect(recording.reports.some((r) => r.report === 'reconcile-pass' && r.runtime === 'process')).toBe(true);
    });
    expect(recording.buildQueue()).toEqual({ waiting: 0, running: 0 });
  });

  it('reports a restart of a crashed instance with its app, environment and process', async () => {
    expect((await harness.deploy('hello', await harness.webSource())).state).toBe('succeeded');
    const [instance] = await harness.instancesOf('hello');
    if (instance === undefined) throw new Error('no instance');
    harness.runtime.crash(instance.id, 1);
    await waitFor(() => {
      expect(recording.reports.filter((r) => r.report === 'restart')).toEqual([
        { report: 'restart', app: 'hello', environment: 'production', process: 'web' },
      ]);
    });
  });
});
