import { afterEach, describe, expect, it } from 'vitest';
import type { StatusView } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

const status: StatusView = {
  version: '0.1.0',
  nodeName: 'box',
  startedAt: '2026-01-02T03:04:05.000Z',
  api: 'http://127.0.0.1:7070',
  edge: { address: '127.0.0.1:8080', isRunning: true, pid: 42, routes: 3 },
  runtimes: ['process', 'docker'],
  apps: [
    {
      name: 'web',
      environment: 'production',
      currentRelease: 4,
      runtime: 'docker',
      limits: { memoryBytes: 256 * 1024 * 1024, cpus: 0.5 },
      instances: { total: 2, healthy: 2 },
      lastDeployment: { id: 'dep_1', state: 'succeeded' },
    },
    {
      name: 'worker',
      environment: 'staging',
      currentRelease: null,
      instances: { total: 0, healthy: 0 },
      lastDeployment: null,
    },
  ],
};

describe('slipway status', () => {
  it('shows slipwayd, the edge router and a table of apps', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/status': { json: status } });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['status'])).toBe(0);
    const out = captured.stdout();
    expect(out).toContain('slipwayd  up — version 0.1.0 on box');
    expect(out).toContain('edge      running at 127.0.0.1:8080 (pid 42), 3 routes');
    expect(out).toContain('runtimes  process, docker');
    expect(out).toMatch(/APP\s+ENVIRONMENT\s+RELEASE\s+RUNTIME\s+LIMITS\s+INSTANCES\s+LAST DEPLOYMENT\n/);
    expect(out).toMatch(
      /web\s+production\s+v4\s+docker\s+mem 256.0 MiB, cpu 0.5 cores\s+2\/2 healthy\s+dep_1 succeeded\n/,
    );
    expect(out).toMatch(/worker\s+staging\s+-\s+-\s+-\s+no release yet\s+-\n/);
    expect(out).not.toContain('0/0');
  });

  it('counts in the singular when there is one', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/status': { json: { ...status, edge: { ...status.edge, routes: 1 } } },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['status'])).toBe(0);
    expect(captured.stdout()).toContain('(pid 42), 1 route\n');
  });

  it('says whether process instances are isolated, and why not when they are not', async () => {
    for (const [isolation, expected] of [
      [{ mode: 'sandbox' }, /isolation\s+sandbox — each project's process instances and builds run as its own user/],
      [
        { mode: 'none', reason: 'bubblewrap is not installed (/usr/bin/bwrap)' },
        /isolation\s+none — process instances are not isolated \(bubblewrap is not installed \(\/usr\/bin\/bwrap\)\)/,
      ],
    ] as const) {
      server = await startCannedApiServer({ 'GET /api/v1/status': { json: { ...status, isolation } } });
      const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
      expect(await createProgram(captured.io).run(['status'])).toBe(0);
      expect(captured.stdout()).toMatch(expected);
      await server.close();
    }
  });

  it('prints the status JSON and nothing else with --json', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/status': { json: status } });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    await createProgram(captured.io).run(['status', '--json']);
    expect(JSON.parse(captured.stdout())).toEqual(status);
  });
});
