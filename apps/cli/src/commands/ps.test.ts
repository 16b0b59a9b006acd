import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceView } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

const instance = (id: string, overrides: Partial<InstanceView> = {}): InstanceView => ({
  id,
  app: 'web',
  environment: 'production',
  releaseNumber: 2,
  process: 'web',
  state: 'healthy',
  port: 20001,
  pid: 4242,
  restarts: 0,
  lastExitCode: null,
  startedAt: '2026-01-02T03:04:05.000Z',
  ...overrides,
});

describe('slipway ps', () => {
  it('lists instances with state, runtime, limits, port, pid and restarts', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/instances': {
        json: {
          instances: [
            instance('ins_a', { usage: { memoryBytes: 40 * 1024 * 1024, cpus: 0.02, pids: 7 } }),
            instance('ins_b', { state: 'crashed', pid: null, restarts: 2, lastExitCode: 1 }),
            instance('ins_c', {
              runtime: 'docker',
              limits: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 100 },
              state: 'crashed',
              pid: null,
              restarts: 1,
              lastExitCode: 137,
              lastExitReason: 'oom-killed',
            }),
          ],
        },
      },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['ps', 'web'])).toBe(0);
    const lines = captured.stdout().split('\n');
    expect(lines[0]).toMatch(
      /^INSTANCE\s+PROCESS\s+RELEASE\s+STATE\s+RUNTIME\s+USAGE\s+LIMITS\s+PORT\s+PID\s+RESTARTS\s+STARTED$/,
    );
    expect(lines[1]).toMatch(
      /^ins_a\s+web\s+v2\s+healthy\s+process\s+mem 40.0 MiB, cpu 0.02 cores\s+-\s+20001\s+4242\s+0\s/,
    );
    expect(lines[2]).toMatch(/^ins_b\s+web\s+v2\s+crashed\s+process\s+-\s+-\s+20001\s+-\s+2 \(last exit 1\)/);
    expect(lines[3]).toMatch(
      /^ins_c\s+web\s+v2\s+crashed\s+docker\s+-\s+mem 64.0 MiB, cpu 0.5 cores, pids 100\s+20001\s+-\s+1 \(last exit 137, OOM-killed\)/,
    );
  });

  it('marks a crash-looping instance and shows its last output', async () => {
    const crashLoop = {
      reason: 'CrashLoop' as const,
      exits: 4,
      lastExitCode: 3,
      nextRestartAt: null,
      logTail: ['boom: missing DATABASE_URL'],
    };
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/instances': {
        json: { instances: [instance('ins_c', { state: 'crashed', restarts: 3, lastExitCode: 3, crashLoop })] },
      },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['ps', 'web'])).toBe(0);
    expect(captured.stdout()).toMatch(/crashed \(CrashLoop\)/);
    expect(captured.stdout()).toContain('ins_c is crash-looping: 4 exits, last exit code 3');
    expect(captured.stdout()).toContain('    boom: missing DATABASE_URL');
  });

  it('prints the API answer as it is with --json', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/instances': { json: { instances: [instance('ins_a')] } },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['ps', 'web', '--json'])).toBe(0);
    expect(JSON.parse(captured.stdout())).toEqual({ instances: [instance('ins_a')] });
  });
});
