/**
 * The rollout API against a real slipwayd: a deploy's rollout is read back healthy with its weights, a rollout that
 * never gets healthy is aborted by a user and the stable release keeps serving, and controls on a finished rollout or
 * an app with none answer coded errors.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { callApi, errorCode } from './identity-fixtures.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('rollout control API', () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;

  const variant = async (message: string, healthPath: string): Promise<string> => {
    const dir = join(scratch, message);
    await cp(join(fixturesDir, 'hello-node'), dir, { recursive: true });
    const server = await readFile(join(dir, 'server.js'), 'utf8');
    await writeFile(join(dir, 'server.js'), server.replace(/'v1'/g, `'${message}'`));
    await writeFile(
      join(dir, 'slipway.yaml'),
      `processes:\n  web:\n    healthCheck: { type: http, path: ${healthPath}, intervalSeconds: 1, startPeriodSeconds: 300 }\n`,
    );
    return dir;
  };
  const call = async (method: string, path: string, json?: unknown) =>
    callApi(slipwayd, { method, path, token: await slipwayd.adminToken(), ...(json === undefined ? {} : { json }) });

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-rollout-api-'));
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'hello' });
    await slipwayd.api.apps.create({ name: 'quiet' });
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  it('reads a finished rollout back healthy and refuses controls on it', async () => {
    expect(errorCode(await call('GET', '/api/v1/apps/quiet/rollout'))).toBe('ROLLOUT_NOT_FOUND');
    const { deployment } = await slipwayd.api.deployments.create('hello', { path: await variant('v1', '/healthz') });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');

    const status = await call('GET', '/api/v1/apps/hello/rollout?environment=production');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      deploymentId: deployment.id,
      strategy: 'rolling',
      phase: 'healthy',
      releaseNumber: 1,
      stableReleaseNumber: null,
      weights: [{ releaseNumber: 1, weight: 100, instances: { web: 1 }, matches: [], isPreview: false }],
      pendingControl: null,
    });
    for (const action of ['pause', 'abort', 'resume']) {
      const answer = await call('POST', `/api/v1/apps/hello/rollout/${action}`);
      expect([answer.status, errorCode(answer)], action).toEqual([409, 'ROLLOUT_FINISHED']);
    }
    expect(errorCode(await call('POST', '/api/v1/apps/hello/rollout/promote', { full: 'yes' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(errorCode(await call('POST', '/api/v1/apps/hello/rollout/retry'))).toBe('ROLLOUT_NOT_RETRYABLE');
  });

  it('aborts a rollout on request: the deployment fails with ROLLOUT_ABORTED and release 1 keeps serving', async () => {
    const { deployment } = await slipwayd.api.deployments.create('hello', {
      path: await variant('v2', '/never-healthy'),
    });
    await waitFor(async () => {
      const status = await call('GET', '/api/v1/apps/hello/rollout');
      expect(status.body).toMatchObject({ deploymentId: deployment.id, phase: 'progressing' });
    });
    expect(errorCode(await call('POST', '/api/v1/apps/hello/rollout/promote', {}))).toBe('ROLLOUT_NOT_PAUSED');
    const aborted = await call('POST', '/api/v1/apps/hello/rollout/abort');
    expect(aborted.status).toBe(200);

    const settled = await slipwayd.settle(deployment.id);
    expect(settled).toMatchObject({ state: 'failed', failure: { phase: 'rollout', code: 'ROLLOUT_ABORTED' } });
    expect(await call('GET', '/api/v1/apps/hello/rollout')).toMatchObject({
      body: { phase: 'aborted', message: expect.stringContaining('aborted by') as unknown },
    });
    await waitFor(async () => {
      const instances = (await slipwayd.api.instances.list('hello')).instances;
      expect(instances.map((i) => i.releaseNumber)).toEqual([1]);
    });
    const answer = await slipwayd.edge('hello.localhost');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('v1');
  });
});
