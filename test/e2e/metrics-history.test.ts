/**
 * The metrics history with a real slipwayd on the process runtime: requests sent through the edge show up as a request
 * rate in the sampled series of the app, beside its instance's memory and a marker at the release that went live;
 * only roles on the app's project may read it, and a bad window is a coded error. The sample interval is made short
 * with its option, and the test waits for samples, never for a time.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricSeries } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { callApi, createUser, errorCode, tokenOf } from './identity-fixtures.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('metrics history on the process runtime', () => {
  let slipwayd: SlipwaydHarness;
  let source: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: { SLIPWAY_METRICS_SAMPLE_INTERVAL_MS: '200' } });
    source = await mkdtemp(join(tmpdir(), 'slipway-metrics-history-'));
    await cp(join(fixturesDir, 'hello-node'), source, { recursive: true });
    await slipwayd.api.apps.create({ name: 'charted' });
    const { deployment } = await slipwayd.api.deployments.create('charted', { path: source });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(source, { recursive: true, force: true });
  });

  const total = (values: readonly (number | null)[]) => values.reduce<number>((sum, v) => sum + (v ?? 0), 0);

  it('samples the request rate through the edge, the instance usage and the release marker', async () => {
    let answered = 0;
    for (let i = 0; i < 40; i += 1) if ((await slipwayd.edge('charted.localhost')).status === 200) answered += 1;
    expect(answered).toBe(40);

    const series = await waitFor(
      async () => {
        const answer: MetricSeries = await slipwayd.api.metrics.series('charted', { since: '10m', step: '1s' });
        expect(total(answer.traffic.requestsPerSecond)).toBeGreaterThan(0);
        expect(answer.instances.some((i) => total(i.memoryBytes) > 0)).toBe(true);
        return answer;
      },
      { timeoutMs: 30_000 },
    );
    expect(series).toMatchObject({ app: 'charted', environment: 'production', stepSeconds: 2 });
    expect(series.sampleIntervalSeconds).toBeCloseTo(0.2, 9);
    // 10 minutes in steps of 1 s would be 600 points: the step is raised to 2 s, so at most 500 are given.
    expect(series.timestamps.length).toBeLessThanOrEqual(500);
    for (const values of Object.values(series.traffic)) expect(values).toHaveLength(series.timestamps.length);
    expect(series.releases.map((r) => r.release)).toEqual([1]);
    expect(series.releases[0]?.releaseId).toMatch(/\S/);
    // Every request answered 200: the 5xx share is 0 wherever requests were sampled, and latencies were measured.
    const sampledSteps = series.traffic.errorRate.filter((rate) => rate !== null);
    expect(sampledSteps.length).toBeGreaterThan(0);
    expect(sampledSteps.every((rate) => rate === 0)).toBe(true);
    expect(series.traffic.latencyP50Ms.some((ms) => ms !== null && ms > 0)).toBe(true);
    expect(series.instances[0]).toMatchObject({ process: 'web', release: 1 });
    expect(series.markers).toEqual([expect.objectContaining({ release: 1, releaseId: series.releases[0]?.releaseId })]);
    const table = await slipwayd.cli(['metrics', 'charted', '--since', '10m']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TIME\s+REQ\/S\s+5XX/m);
    expect(table.stdout).toContain('release 1 went live at ');

    // Once the requests stop, the app keeps being sampled (its current release at a rate of 0).
    const lastSampledAt = series.timestamps.filter((_, i) => series.traffic.requestsPerSecond[i] !== null).at(-1);
    await waitFor(
      async () => {
        const later = await slipwayd.api.metrics.series('charted', { since: '1m' });
        const idle = later.timestamps.filter(
          (at, i) => at > (lastSampledAt ?? 0) && later.traffic.requestsPerSecond[i] === 0,
        );
        expect(idle.length).toBeGreaterThan(0);
      },
      { timeoutMs: 30_000 },
    );
  }, 90_000);

  it('answers only roles on the app’s project, and refuses a bad window with a coded error', async () => {
    await slipwayd.api.projects.create({ name: 'elsewhere' });
    await createUser(slipwayd, 'elsewhere-viewer', [{ role: 'viewer', project: 'elsewhere' }]);
    await createUser(slipwayd, 'default-viewer', [{ role: 'viewer', project: 'default' }]);
    const stranger = await tokenOf(slipwayd, 'elsewhere-viewer');
    const viewer = await tokenOf(slipwayd, 'default-viewer');
    const path = '/api/v1/apps/charted/metrics/series';

    const refused = await callApi(slipwayd, { method: 'GET', path, token: stranger });
    expect([refused.status, errorCode(refused)]).toEqual([403, 'FORBIDDEN']);
    expect(JSON.stringify(refused.body)).not.toContain('requestsPerSecond');
    expect((await callApi(slipwayd, { method: 'GET', path, token: viewer })).status).toBe(200);
    expect((await callApi(slipwayd, { method: 'GET', path })).status).toBe(401);

    const backwards = await callApi(slipwayd, { method: 'GET', path: `${path}?since=1h&until=2h`, token: viewer });
    expect([backwards.status, errorCode(backwards)]).toEqual([400, 'METRICS_WINDOW_INVALID']);
    const tooLong = await callApi(slipwayd, { method: 'GET', path: `${path}?since=40d`, token: viewer });
    expect([tooLong.status, errorCode(tooLong)]).toEqual([400, 'METRICS_WINDOW_INVALID']);
    const malformed = await callApi(slipwayd, { method: 'GET', path: `${path}?since=yesterday`, token: viewer });
    expect([malformed.status, errorCode(malformed)]).toEqual([400, 'VALIDATION_FAILED']);
    const badStep = await callApi(slipwayd, { method: 'GET', path: `${path}?step=0s`, token: viewer });
    expect([badStep.status, errorCode(badStep)]).toEqual([400, 'VALIDATION_FAILED']);
    const unknown = await callApi(slipwayd, {
      method: 'GET',
      path: '/api/v1/apps/nowhere/metrics/series',
      token: viewer,
    });
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'APP_NOT_FOUND']);
  }, 60_000);
});
