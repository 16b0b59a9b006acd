/**
 * Scale to zero with a real slipwayd on the process runtime: an idle Node app loses its last instance, and the edge
 * holds the first requests after that while slipwayd starts one, so none is lost. The test counts answers and reads
 * the recorded decisions, never the clock.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import type { AutoscaleDecisionView, RoutingTable } from '@slipway/contract';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const manifest = `processes:
  web:
    healthCheck: { type: http, path: /healthz, intervalSeconds: 0.2 }
    autoscale:
      min: 1
      max: 2
      metrics:
        - type: inFlight
          target: 50
      scaleToZero:
        idleSeconds: 3
        holdTimeoutSeconds: 60
`;

/** One GET through the edge on a fresh connection: its status, or the socket error's code. */
function get(port: number, host: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

describe('scale to zero on the process runtime', () => {
  let slipwayd: SlipwaydHarness;
  let source: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: { SLIPWAY_AUTOSCALE_INTERVAL_MS: '300' } });
    source = await mkdtemp(join(tmpdir(), 'slipway-zero-'));
    await cp(join(fixturesDir, 'hello-node'), source, { recursive: true });
    await writeFile(join(source, 'slipway.yaml'), manifest);
    await slipwayd.api.apps.create({ name: 'sleepy' });
    const { deployment } = await slipwayd.api.deployments.create('sleepy', { path: source });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(source, { recursive: true, force: true });
  });

  const decisions = async (): Promise<AutoscaleDecisionView[]> => {
    const status = await slipwayd.api.autoscale.status('sleepy', { limit: 200 });
    return status.processes.find((p) => p.process === 'web')?.decisions ?? [];
  };
  const live = async () =>
    (await slipwayd.api.instances.list('sleepy')).instances.filter((i) =>
      ['starting', 'healthy', 'unhealthy', 'draining', 'stopping'].includes(i.state),
    );
  /** The app's `web` instances in the catalog (Consul's health endpoint). */
  const catalogued = async (): Promise<unknown[]> => {
    const token = await slipwayd.adminToken();
    const response = await fetch(`http://127.0.0.1:${slipwayd.catalogPort}/v1/health/service/sleepy`, {
      headers: token === undefined ? {} : { 'x-consul-token': token },
      signal: AbortSignal.timeout(10_000),
    });
    return (await response.json()) as unknown[];
  };
  const untilScaledToZero = async (times: number): Promise<void> => {
    await waitFor(
      async () => expect((await decisions()).filter((d) => d.limit === 'IdleScaleToZero')).toHaveLength(times),
      { timeoutMs: 30_000 },
    );
    await waitFor(async () => expect(await live()).toHaveLength(0), { timeoutMs: 30_000 });
  };

  it('stops the last instance when idle, and wakes on the next requests without losing one', async () => {
    expect(await get(slipwayd.edgePort, 'sleepy.localhost')).toBe(200);

    await untilScaledToZero(1);
    const idle = (await decisions()).find((d) => d.limit === 'IdleScaleToZero');
    expect(idle).toMatchObject({ currentReplicas: 1, final: 0 });
    expect(idle?.reasoning).toContain('(scaleToZero.idleSeconds 3): 1 → 0');
    const table = JSON.parse(await readFile(join(slipwayd.dataDir, 'edge', 'table.json'), 'utf8')) as RoutingTable;
    const route = table.routes.find((r) => r.host === 'sleepy.localhost');
    expect(route?.upstreams).toEqual([]);
    expect(route?.coldStart).toEqual({ holdTimeoutMs: 60_000, maxHeldRequests: 100, maxHeldBytes: 1_048_576 });
    expect(await catalogued()).toEqual([]);

    // Twenty requests at once while nothing runs: every one is held, then served.
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(slipwayd.edgePort, 'sleepy.localhost')));
    expect(answers.filter((status) => status === 200)).toHaveLength(20);
    const woken = (await decisions()).filter((d) => d.limit === 'WokenByRequest');
    expect(woken).toHaveLength(1);
    expect(woken[0]).toMatchObject({ currentReplicas: 0, final: 1 });
    expect((await live()).filter((i) => i.state === 'healthy')).toHaveLength(1);
    await waitFor(async () => expect(await catalogued()).toHaveLength(1));

    // Idle again, and the single first request after that is held, not dropped.
    await untilScaledToZero(2);
    expect(await get(slipwayd.edgePort, 'sleepy.localhost')).toBe(200);
    expect((await decisions()).filter((d) => d.limit === 'WokenByRequest')).toHaveLength(2);

    // Every decision of the run: the autoscaler keeps deciding while the CLI starts, which may push the wake out of
    // the default ten newest.
    const shown = await slipwayd.cli(['autoscale', 'status', 'sleepy', '--limit', '200']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('after 3 s idle');
    expect(shown.stdout).toContain('a request is held at the edge while scaled to zero: 0 → 1');
    const metrics = await (await slipwayd.fetch('/metrics')).text();
    expect(metrics).toMatch(/slipway_edge_cold_starts_total\{[^}]*app="sleepy"[^}]*\} 2/);
    expect(metrics).toMatch(/slipway_edge_held_requests_total\{[^}]*app="sleepy"[^}]*outcome="held"\} 21/);
    expect(metrics).toMatch(/slipway_edge_cold_start_duration_seconds_count\{[^}]*app="sleepy"[^}]*\} 2/);
  });

  it('deploys a new release while scaled to zero without starting it, and the next request wakes that release', async () => {
    await untilScaledToZero(3);

    const { deployment } = await slipwayd.api.deployments.create('sleepy', { path: source });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    expect(await live()).toHaveLength(0);
    expect(await get(slipwayd.edgePort, 'sleepy.localhost')).toBe(200);

    const serving = (await live()).filter((i) => i.state === 'healthy');
    expect(serving.map((i) => i.releaseNumber)).toEqual([2]);
  });
});
