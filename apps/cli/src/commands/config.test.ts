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

const configDeployment = cannedDeployment({
  id: 'dep_9',
  kind: 'config',
  state: 'succeeded',
  releaseNumber: 5,
  source: { kind: 'release', releaseNumber: 4 },
});

describe('slipway config', () => {
  it('lists config sorted by key as a table, and as the API JSON with --json', async () => {
    const answer = {
      config: { PORT: '3000', DATABASE_URL: 'postgres://db' },
      release: null,
      pendingKeys: [],
      deploymentId: null,
    };
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/config': { json: answer } });
    expect((await run(['config', 'list', 'web'])).stdout).toBe(
      'KEY           VALUE\nDATABASE_URL  postgres://db\nPORT          3000\n',
    );
    expect(JSON.parse((await run(['config', 'list', 'web', '--json'])).stdout)).toEqual(answer);
  });

  it('sets KEY=VALUE pairs, keeping "=" inside values, and follows the rollout it starts', async () => {
    server = await startCannedApiServer({
      'PATCH /api/v1/apps/web/config': {
        json: { config: { A: 'x=y', B: '' }, release: 4, pendingKeys: [], deploymentId: 'dep_9', isChanged: true },
      },
      'GET /api/v1/deployments/dep_9': { json: configDeployment },
      'GET /api/v1/deployments/dep_9/events': (_, res) => {
        writeDeploymentEvents(res, [
          { type: 'state', seq: 1, at: '2026-01-02T03:04:05.000Z', state: 'succeeded', failure: null },
        ]);
        res.end();
      },
    });
    const { code, stdout } = await run(['config', 'set', 'web', 'A=x=y', 'B=']);
    expect(code).toBe(0);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({ set: { A: 'x=y', B: '' }, deploy: true });
    expect(stdout).toContain('set A, B on web\n');
    expect(stdout).toContain('deployed web release 5 with the new config\n');
  });

  it('unsets keys without rolling out when asked with --no-deploy', async () => {
    server = await startCannedApiServer({
      'PATCH /api/v1/apps/web/config': {
        json: { config: {}, release: 4, pendingKeys: ['A'], deploymentId: null, isChanged: true },
      },
    });
    const { code, stdout } = await run(['config', 'unset', 'web', 'A', '--no-deploy']);
    expect(code).toBe(0);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({ unset: ['A'], deploy: false });
    expect(stdout).toContain('--no-deploy');
  });

  it('says a change that changes nothing made no release, and follows nothing', async () => {
    server = await startCannedApiServer({
      'PATCH /api/v1/apps/web/config': {
        json: { config: { A: '1' }, release: 4, pendingKeys: [], deploymentId: null, isChanged: false },
      },
    });
    const unset = await run(['config', 'unset', 'web', 'NOPE']);
    expect(unset).toMatchObject({ code: 0, stdout: 'nothing to unset: NOPE not set on web; no release made\n' });
    const set = await run(['config', 'set', 'web', 'A=1']);
    expect(set).toMatchObject({ code: 0, stdout: 'nothing to change: A already so on web; no release made\n' });
    expect(server.requests).toHaveLength(2);
  });

  it('rejects a pair without "=" or a key that is not a variable name with exit 2, sending nothing', async () => {
    server = await startCannedApiServer({});
    expect((await run(['config', 'set', 'web', 'JUSTKEY'])).code).toBe(2);
    expect((await run(['config', 'set', 'web', '1BAD=x'])).code).toBe(2);
    expect((await run(['config', 'unset', 'web', 'no-dash'])).code).toBe(2);
    expect(server.requests).toHaveLength(0);
  });
});
