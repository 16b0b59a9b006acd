import { afterEach, describe, expect, it } from 'vitest';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { cannedDeployment } from '../canned-resources.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

async function run(args: string[]) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url, NO_COLOR: '1' } });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const cancellation = { by: 'alice', requestedAt: '2026-01-02T03:04:09.000Z' };

describe('slipway deployments', () => {
  it('lists an app’s deployments with their state, phase and outcome', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/deployments': {
        json: {
          deployments: [
            cannedDeployment({ id: 'dep_3', state: 'running', phase: 'fetch', cancellation }),
            cannedDeployment({ id: 'dep_2', state: 'cancelled', phase: 'build', cancellation }),
            cannedDeployment({
              id: 'dep_1',
              state: 'failed',
              phase: 'rollout',
              failure: { phase: 'rollout', code: 'HEALTH_CHECK_FAILED', reason: 'no answer' },
            }),
          ],
        },
      },
    });
    const { code, stdout } = await run(['deployments', 'list', 'web', '--limit', '3']);
    expect(code).toBe(0);
    expect(server.requests[0]?.query.get('limit')).toBe('3');
    const rows = stdout.split('\n');
    expect(rows.find((r) => r.startsWith('dep_3'))).toMatch(/running \(cancelling\)\s+fetch/);
    expect(rows.find((r) => r.startsWith('dep_2'))).toContain('cancelled by alice');
    expect(rows.find((r) => r.startsWith('dep_1'))).toContain('HEALTH_CHECK_FAILED in rollout');
  });

  it('shows a deployment with who cancelled it and its phases', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/deployments/dep_2': {
        json: cannedDeployment({
          id: 'dep_2',
          state: 'cancelled',
          phase: 'fetch',
          cancellation,
          phases: [
            {
              phase: 'fetch',
              state: 'failed',
              startedAt: '2026-01-02T03:04:05.000Z',
              finishedAt: '2026-01-02T03:04:09.100Z',
              detail: 'cancelled by alice',
            },
          ],
        }),
      },
    });
    const { code, stdout } = await run(['deployments', 'show', 'dep_2']);
    expect(code).toBe(0);
    expect(stdout).toContain('state:   cancelled in fetch');
    expect(stdout).toContain('cancel:  requested by alice');
    expect(stdout).toMatch(/fetch\s+failed\s+.*cancelled by alice/);
  });

  it('cancels a deployment, and says why when it has already finished', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/deployments/dep_3/cancel': {
        status: 202,
        json: cannedDeployment({ id: 'dep_3', state: 'running', phase: 'fetch', cancellation }),
      },
      'POST /api/v1/deployments/dep_4/cancel': {
        status: 202,
        json: cannedDeployment({ id: 'dep_4', state: 'cancelled', cancellation }),
      },
      'POST /api/v1/deployments/dep_1/cancel': {
        status: 409,
        json: {
          error: { code: 'DEPLOYMENT_NOT_CANCELLABLE', message: 'deployment dep_1 already succeeded', requestId: 'r' },
        },
      },
    });
    const cancelling = await run(['deployments', 'cancel', 'dep_3']);
    expect(cancelling).toMatchObject({ code: 0 });
    expect(cancelling.stdout).toContain('deployment dep_3 is cancelling');
    expect((await run(['deployments', 'cancel', 'dep_4'])).stdout).toBe('deployment dep_4 is cancelled\n');
    const refused = await run(['deployments', 'cancel', 'dep_1']);
    expect(refused).toMatchObject({
      code: 1,
      stderr: 'error: DEPLOYMENT_NOT_CANCELLABLE: deployment dep_1 already succeeded\n',
    });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/deployments/dep_3/cancel',
      'POST /api/v1/deployments/dep_4/cancel',
      'POST /api/v1/deployments/dep_1/cancel',
    ]);
  });
});
