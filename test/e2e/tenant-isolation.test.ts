/**
 * Tenant isolation in the control plane, against a real slipwayd: a deployer of project alpha attempts each attack
 * on project beta and on slipwayd's own host — deploy a directory of the host or the data dir, take beta's traffic,
 * squat a host — and each fails with a coded error, with nothing of the victim or the host leaked.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, createUser, errorCode, tokenOf, type ApiAnswer } from './identity-fixtures.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('tenant isolation: a deployer of one project against another project and the host', () => {
  let slipwayd: SlipwaydHarness;
  let sourceRoot: string;
  let alice = '';
  let owner = '';

  /** A deployment request as `token`, answered at once (202 or a refusal). */
  const deploy = (token: string, app: string, json: unknown): Promise<ApiAnswer> =>
    callApi(slipwayd, { method: 'POST', path: `/api/v1/apps/${app}/deployments`, token, json });

  beforeAll(async () => {
    sourceRoot = await mkdtemp(join(tmpdir(), 'slipway-e2e-roots-'));
    await cp(join(fixturesDir, 'hello-static'), join(sourceRoot, 'site'), { recursive: true });
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ args: ['--source-path-root', sourceRoot] });
    owner = (await slipwayd.adminToken()) ?? '';
    await slipwayd.api.projects.create({ name: 'alpha' });
    await slipwayd.api.projects.create({ name: 'beta' });
    await slipwayd.api.apps.create({ name: 'alpha-web', project: 'alpha' });
    await slipwayd.api.apps.create({ name: 'beta-web', project: 'beta' });
    await createUser(slipwayd, 'alice', [{ role: 'deployer', project: 'alpha' }]);
    alice = await tokenOf(slipwayd, 'alice');
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(sourceRoot, { recursive: true, force: true });
  });

  describe('local sources', () => {
    it('refuses a deployer the data dir, a folder of the host and a local git repository outside the roots', async () => {
      const attempts = [
        { path: slipwayd.dataDir },
        { path: join(slipwayd.dataDir, 'artifacts') },
        { path: '/etc' },
        { path: join(fixturesDir, 'hello-static') },
        { git: { url: `file://${slipwayd.dataDir}` } },
        { git: { url: join(fixturesDir, '..', '..', '..') } },
      ];
      for (const body of attempts) {
        const answer = await deploy(alice, 'alpha-web', body);
        expect({ body, status: answer.status, code: errorCode(answer) }).toEqual({
          body,
          status: 403,
          code: 'SOURCE_PATH_NOT_ALLOWED',
        });
        expect(JSON.stringify(answer.body)).not.toContain(sourceRoot);
      }
      expect((await slipwayd.api.deployments.list('alpha-web')).deployments).toEqual([]);
    });

    it('refuses even the owner the data dir or a folder holding it, and lets the owner deploy other folders', async () => {
      for (const body of [{ path: slipwayd.dataDir }, { path: join(slipwayd.dataDir, '..') }, { path: '/' }]) {
        const answer = await deploy(owner, 'alpha-web', body);
        expect({ body, code: errorCode(answer) }).toEqual({ body, code: 'SOURCE_PATH_NOT_ALLOWED' });
      }
      const answer = await deploy(owner, 'alpha-web', { path: join(fixturesDir, 'hello-static') });
      expect(answer.status).toBe(202);
      const { deployment } = answer.body as { deployment: { id: string } };
      expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    });

    it('lets a deployer deploy a folder under a source path root the operator named', async () => {
      const answer = await deploy(alice, 'alpha-web', { path: join(sourceRoot, 'site') });
      expect(answer.status).toBe(202);
      const { deployment } = answer.body as { deployment: { id: string } };
      expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
      const token = await readFile(join(slipwayd.dataDir, 'admin-token'), 'utf8');
      expect((await slipwayd.edge('alpha-web.localhost', '/admin-token')).body).not.toContain(token.trim());
    });
  });
});
