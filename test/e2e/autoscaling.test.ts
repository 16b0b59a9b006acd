/**
 * Autoscaling with a real slipwayd on the process runtime: the edge's request rate scales a Node app up under load
 * and down once the load is gone and the stabilisation window has passed. The test reads the recorded decisions
 * (what the autoscaler measured and chose), never the clock.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import type { AutoscaleDecisionView } from '@slipway/contract';
import { startLoad } from './load-generator.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const manifest = `processes:
  web:
    healthCheck: { type: http, path: /healthz, intervalSeconds: 0.5 }
    autoscale:
      min: 1
      max: 3
      metrics:
        - type: requestsPerSecond
          target: 20
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 2
`;

describe('autoscaling on the process runtime', () => {
  let slipwayd: SlipwaydHarness;
  let source: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: { SLIPWAY_AUTOSCALE_INTERVAL_MS: '300' } });
    source = await mkdtemp(join(tmpdir(), 'slipway-autoscale-'));
    await cp(join(fixturesDir, 'hello-node'), source, { recursive: true });
    await writeFile(join(source, 'slipway.yaml'), manifest);
    await slipwayd.api.apps.create({ name: 'elastic' });
    const { deployment } = await slipwayd.api.deployments.create('elastic', { path: source });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(source, { recursive: true, force: true });
  });

  const decisions = async (): Promise<AutoscaleDecisionView[]> => {
    const status = await slipwayd.api.autoscale.status('elastic', { limit: 200 });
    return status.processes.find((p) => p.process === 'web')?.decisions ?? [];
  };
  const healthy = async () =>
    (await slipwayd.api.instances.list('elastic')).instances.filter((i) => i.state === 'healthy').length;

  it('scales up under load, serving every request, then down after the stabilisation window', async () => {
    const load = startLoad({ port: slipwayd.edgePort, host: 'elastic.localhost', connections: 4 });
    try {
      await waitFor(
        async () => {
          const up = (await decisions()).find((d) => d.currentReplicas === 1 && d.final === 3);
          expect(up).toBeDefined();
          expect(up?.metrics[0]).toMatchObject({ metric: 'requestsPerSecond', target: 20 });
          expect(up?.metrics[0]?.current).toBeGreaterThan(20);
        },
        { timeoutMs: 30_000 },
      );
      await waitFor(async () => expect(await healthy()).toBe(3), { timeoutMs: 30_000 });
      const sentBefore = load.counts().sent;
      await waitFor(() => expect(load.counts().sent).toBeGreaterThan(sentBefore + 100));
    } finally {
      const counts = await load.stop();
      expect({ failedByStatus: counts.failedByStatus, errors: counts.errors }).toEqual({
        failedByStatus: {},
        errors: {},
      });
    }

    await waitFor(
      async () => {
        // The first scale-down: once the window holds only the idle recommendations (the formula asks for 0 when no
        // request comes, and min bounds it to 1), or a last one of the load's tail.
        const down = (await decisions()).find((d) => d.currentReplicas === 3 && d.final < 3);
        expect(down?.stabilised).toBeLessThan(3);
        expect(down?.final).toBe(Math.max(1, down?.stabilised ?? 0));
        expect(down?.rawDesired).toBeLessThanOrEqual(down?.stabilised ?? 0);
      },
      { timeoutMs: 30_000 },
    );
    // While the window held the load's recommendation, the idle evaluations kept 3: stabilised above their raw 0.
    const held = (await decisions()).filter((d) => d.currentReplicas === 3 && d.rawDesired === 0 && d.final === 3);
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((d) => (d.stabilised ?? 0) === 3)).toBe(true);
    await waitFor(async () => expect(await healthy()).toBe(1), { timeoutMs: 30_000 });
    await waitFor(async () => expect((await decisions())[0]).toMatchObject({ currentReplicas: 1, final: 1 }));

    const shown = await slipwayd.cli(['autoscale', 'status', 'elastic']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('requestsPerSecond 20');
    expect(shown.stdout).toMatch(/3→[12]/);
  });
});
