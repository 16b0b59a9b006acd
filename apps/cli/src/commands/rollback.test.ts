import { afterEach, describe, expect, it } from 'vitest';
import { startCannedApiServer, writeDeploymentEvents } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { cannedDeployment } from '../canned-resources.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

async function run(args: string[]) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('slipway rollback', () => {
  it('asks for the release given with --to and follows the rollback like a deploy', async () => {
    const rollback = cannedDeployment({ kind: 'rollback', source: { kind: 'release', releaseNumber: 2 } });
    server = await startCannedApiServer({
      'POST /api/v1/apps/web/rollback': {
        status: 202,
        json: { deployment: rollback, eventsUrl: '/api/v1/deployments/dep_1/events' },
      },
      'GET /api/v1/deployments/dep_1/events': (_, res) => {
        writeDeploymentEvents(res, [
          {
            type: 'phase',
            seq: 1,
            at: '2026-01-02T03:04:05.000Z',
            phase: 'rollout',
            state: 'running',
            detail: 'release 2',
          },
          { type: 'phase', seq: 2, at: '2026-01-02T03:04:06.500Z', phase: 'rollout', state: 'succeeded', detail: null },
          { type: 'state', seq: 3, at: '2026-01-02T03:04:06.600Z', state: 'succeeded', failure: null },
        ]);
        res.end();
      },
      'GET /api/v1/deployments/dep_1': { json: { ...rollback, state: 'succeeded', releaseNumber: 2 } },
    });
    const { code, stdout } = await run(['rollback', 'web', '--to', 'v2']);
    expect(code).toBe(0);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({ toRelease: 2 });
    expect(stdout).toContain('▸ rollout release 2\n✓ rollout 1.5s\nrolled back web to release 2\n');
  });

  it('rolls back to the previous release when --to is absent, and rejects --to that is not a number', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/apps/web/rollback': {
        status: 409,
        json: { error: { code: 'NO_RELEASE', message: 'web has no earlier release', requestId: 'r' } },
      },
    });
    const { code, stderr } = await run(['rollback', 'web']);
    expect(code).toBe(1);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({});
    expect(stderr).toBe('error: NO_RELEASE: web has no earlier release\n');
    expect((await run(['rollback', 'web', '--to', 'latest'])).code).toBe(2);
  });
});
