import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { describeControlPlaneMetrics } from '@slipway/testkit';
import { createControlPlaneMetrics } from './control-plane-metrics.js';

describeControlPlaneMetrics('prom-client', () => {
  const registry = new Registry();
  return { metrics: createControlPlaneMetrics(registry), read: () => registry.metrics() };
});

describe('the control plane metrics', () => {
  it('counts builds apart from other phases, and crash loops from the delivery events it passes on', async () => {
    const registry = new Registry();
    const metrics = createControlPlaneMetrics(registry);
    metrics.phaseFinished({ phase: 'build', state: 'succeeded', durationMs: 2_000 });
    metrics.phaseFinished({ phase: 'rollout', state: 'succeeded', durationMs: 500 });
    const passed: string[] = [];
    const sink = metrics.teeDeliveryEvents({ publish: (event) => void passed.push(event.kind) });
    const event = {
      id: 'evt_1',
      projectId: 'prj_1',
      environmentId: 'env_1',
      appId: 'app_1',
      app: 'shop',
      environment: 'production',
      deploymentId: null,
      releaseNumber: 1,
      message: 'web crash-loops',
      atMs: 0,
    };
    sink.publish({ ...event, kind: 'instance.crash-loop' });
    sink.publish({ ...event, kind: 'deployment.failed' });
    expect(passed).toEqual(['instance.crash-loop', 'deployment.failed']);
    const text = await registry.metrics();
    expect(text).toContain('slipway_build_duration_seconds_count{outcome="succeeded"} 1');
    expect(text).toContain('slipway_deployment_phase_duration_seconds_count{phase="rollout",outcome="succeeded"} 1');
    expect(text).toContain('slipway_instance_crash_loops_total{app="shop",environment="production"} 1');
  });

  it("drops the series of apps that are gone and keeps the others'", async () => {
    const registry = new Registry();
    const metrics = createControlPlaneMetrics(registry);
    metrics.instanceRestarted({ app: 'kept', environment: 'production', process: 'web' });
    metrics.instanceRestarted({ app: 'gone', environment: 'production', process: 'web' });
    await metrics.retainApps(new Set(['kept']));
    const text = await registry.metrics();
    expect(text).toContain('slipway_instance_restarts_total{app="kept",environment="production",process="web"} 1');
    expect(text).not.toContain('app="gone"');
  });
});
