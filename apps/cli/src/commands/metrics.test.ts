import { afterEach, describe, expect, it } from 'vitest';
import type { MetricSeries } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';
import { defaultStep } from './metrics.js';

let server: CannedApiServer | undefined;
afterEach(() => server?.close());

async function run(args: string[]) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server?.url ?? 'http://127.0.0.1:9' } });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const series: MetricSeries = {
  app: 'web',
  environment: 'staging',
  since: new Date(t0).toISOString(),
  until: new Date(t0 + 90_000).toISOString(),
  stepSeconds: 30,
  sampleIntervalSeconds: 15,
  timestamps: [t0, t0 + 30_000, t0 + 60_000],
  traffic: {
    requestsPerSecond: [12.5, null, 0],
    errorRate: [0.04, null, null],
    latencyP50Ms: [3.2, null, null],
    latencyP95Ms: [9.75, null, null],
    latencyP99Ms: [24, null, null],
    inFlight: [2, null, 0],
  },
  releases: [],
  instances: [
    {
      instanceId: 'ins_1',
      process: 'web',
      release: 4,
      cpuPercent: [10, null, 5],
      memoryBytes: [52_428_800, null, 52_428_800],
      cpuLimit: null,
      memoryLimitBytes: null,
    },
    {
      instanceId: 'ins_2',
      process: 'web',
      release: 4,
      cpuPercent: [2.5, null, null],
      memoryBytes: [10_485_760, null, null],
      cpuLimit: 1,
      memoryLimitBytes: null,
    },
  ],
  markers: [
    { release: 4, releaseId: 'rel_4', deploymentId: 'dep_4', at: new Date(t0 + 5_000).toISOString(), atMs: t0 + 5_000 },
  ],
};

describe('slipway metrics', () => {
  it('prints a row per sampled step (instances summed), leaves out empty steps, and lists the releases that went live', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/metrics/series': { json: series } });
    const { code, stdout } = await run(['metrics', 'web', '-e', 'staging', '--since', '90s', '--step', '30s']);
    expect(code).toBe(0);
    const query = server.requests[0]?.query;
    expect([query?.get('environment'), query?.get('since'), query?.get('step')]).toEqual(['staging', '90s', '30s']);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toContain('web (staging)');
    expect(lines[1]).toMatch(/^TIME\s+REQ\/S\s+5XX\s+P50 MS\s+P95 MS\s+P99 MS\s+IN FLIGHT\s+CPU\s+MEMORY$/);
    expect(lines[2]?.split(/\s{2,}/)).toEqual([
      '10:00:00',
      '12.50',
      '4.0%',
      '3.2',
      '9.8',
      '24.0',
      '2.0',
      '12.5%',
      '60.0 MiB',
    ]);
    expect(lines[3]?.split(/\s{2,}/)).toEqual(['10:01:00', '0.00', '-', '-', '-', '-', '0.0', '5.0%', '50.0 MiB']);
    expect(lines[4]).toBe(`release 4 went live at ${new Date(t0 + 5_000).toISOString()}`);
    expect(lines).toHaveLength(5);
  });

  it('refuses a malformed --since or --step with exit 2 before sending any request', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/metrics/series': { json: series } });
    expect((await run(['metrics', 'web', '--since', 'yesterday'])).code).toBe(2);
    const badStep = await run(['metrics', 'web', '--step', '500ms']);
    expect(badStep.code).toBe(2);
    expect(badStep.stderr).toContain('--step expects a duration of at least 1s');
    expect(server.requests).toHaveLength(0);
  });

  it('asks for about 20 rows when no step is given', () => {
    expect(defaultStep('1h', undefined, t0)).toBe('180s');
    expect(defaultStep('10s', undefined, t0)).toBe('1s');
    expect(defaultStep('1h', '2h', t0)).toBeUndefined();
  });
});
