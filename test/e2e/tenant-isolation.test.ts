/**
 * Tenant isolation in the control plane, against a real slipwayd: a deployer of project alpha attempts each attack
 * on project beta and on slipwayd's own host — deploy a directory of the host or the data dir, take beta's traffic,
 * squat a host — and each fails with a coded error, with nothing of the victim or the host leaked.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder } from './files-under.js';
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
    await cp(join(fixturesDir, 'hello-node'), join(sourceRoot, 'node'), { recursive: true });
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

  describe('hosts', () => {
    /** A deployment of alice's app with these routes, run to its end. */
    const deployRoutes = async (routes: unknown[]) => {
      const answer = await deploy(alice, 'alpha-web', {
        path: join(sourceRoot, 'node'),
        manifest: { routes, env: { RELEASE_MESSAGE: 'alpha' } },
      });
      expect(answer.status).toBe(202);
      const { deployment } = answer.body as { deployment: { id: string } };
      return slipwayd.settle(deployment.id);
    };

    beforeAll(async () => {
      const { deployment } = await slipwayd.api.deployments.create('beta-web', {
        path: join(fixturesDir, 'hello-node'),
      });
      expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    }, 60_000);

    it("refuses alpha a route on beta's host at any path or spelling, and beta keeps its traffic", async () => {
      for (const path of ['/login', '/', '//', '///']) {
        const deployment = await deployRoutes([{ host: 'beta-web.localhost', path }]);
        expect({ path, state: deployment.state, code: deployment.failure?.code }).toEqual({
          path,
          state: 'failed',
          code: 'HOST_TAKEN',
        });
        // The reason names the host asked for, never the project that holds it.
        expect(deployment.failure?.reason).not.toMatch(/project "?beta/);
      }
      for (const path of ['/', '/login', '/x']) {
        expect((await slipwayd.edge('beta-web.localhost', path)).body).not.toContain('release alpha');
      }
      expect((await slipwayd.edge('beta-web.localhost', '/')).body).toContain('hello from release v1');
    });

    it('refuses alpha the default host of an app not created yet, which beta then creates and holds', async () => {
      const squat = await deployRoutes([{ host: 'gamma-web.localhost' }]);
      expect(squat.failure?.code).toBe('HOST_RESERVED');
      expect((await deployRoutes([{ host: '*.localhost' }])).failure?.code).toBe('HOST_TAKEN');
      await slipwayd.api.apps.create({ name: 'gamma-web', project: 'beta' });
      const { hosts } = await slipwayd.api.hosts.list();
      expect(hosts.find((h) => h.host === 'gamma-web.localhost')).toMatchObject({ project: 'beta', app: 'gamma-web' });
    });

    it('gives a new host to alpha on first use, refuses it to beta, and leaves grants to admins', async () => {
      expect((await deployRoutes([{ host: 'alpha.example.com' }])).state).toBe('succeeded');
      expect((await slipwayd.edge('alpha.example.com', '/')).body).toContain('release alpha');
      const steal = await slipwayd.api.deployments.create('beta-web', {
        path: join(fixturesDir, 'hello-node'),
        manifest: { routes: [{ host: 'alpha.example.com', path: '/api/admin' }] },
      });
      expect((await slipwayd.settle(steal.deployment.id)).failure?.code).toBe('HOST_TAKEN');
      for (const request of [
        { method: 'GET', path: '/api/v1/hosts' },
        { method: 'POST', path: '/api/v1/hosts', json: { host: 'beta-web.localhost', project: 'alpha' } },
        { method: 'DELETE', path: '/api/v1/hosts/beta-web.localhost' },
      ]) {
        const answer = await callApi(slipwayd, { ...request, token: alice });
        expect({ request, status: answer.status, code: errorCode(answer) }).toEqual({
          request,
          status: 403,
          code: 'FORBIDDEN',
        });
      }
      const granted = await slipwayd.cli(['hosts', 'grant', 'shop.example.org', '--project', 'beta']);
      expect(granted).toMatchObject({ code: 0, stdout: 'shop.example.org belongs to project beta\n' });
      const listed = await slipwayd.cli(['hosts', 'list']);
      expect(listed.stdout).toMatch(/shop\.example\.org\s+beta\s+granted/);
      expect((await slipwayd.cli(['hosts', 'revoke', 'alpha.example.com'])).code).not.toBe(0);
    });
  });

  describe('outbound calls named by a manifest', () => {
    it('refuses a health check that names a URL or another host, and an image from a registry not allowed', async () => {
      const path = join(sourceRoot, 'node');
      for (const healthPath of ['http://169.254.169.254/latest/meta-data/', `//127.0.0.1:${slipwayd.apiPort}/`]) {
        const manifest = { processes: { web: { healthCheck: { type: 'http', path: healthPath } } } };
        const answer = await deploy(alice, 'alpha-web', { path, manifest });
        const { deployment } = answer.body as { deployment: { id: string } };
        const settled = await slipwayd.settle(deployment.id);
        expect({ healthPath, failure: settled.failure }).toMatchObject({
          healthPath,
          failure: { phase: 'build', code: 'MANIFEST_INVALID' },
        });
      }
      const answer = await deploy(alice, 'alpha-web', { image: `127.0.0.1:${slipwayd.apiPort}/api/v1/status` });
      const { deployment } = answer.body as { deployment: { id: string } };
      expect((await slipwayd.settle(deployment.id)).failure).toMatchObject({ code: 'IMAGE_REGISTRY_NOT_ALLOWED' });
    });
  });
});

describe('tenant isolation: credentials in a git URL', () => {
  const sentinel = `sentinel-${randomBytes(12).toString('hex')}`;
  const forms = [sentinel, Buffer.from(`bot:${sentinel}`).toString('base64'), Buffer.from(sentinel).toString('hex')];
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    // The first fetch holds until slipwayd stops: the deployment is seen while its source is not fetched yet.
    await slipwayd.start({ env: { SLIPWAY_FAILPOINTS: 'start:fetch=1*pause->off' }, logLevel: 'debug' });
    await slipwayd.api.projects.create({ name: 'alpha' });
    await slipwayd.api.apps.create({ name: 'alpha-web', project: 'alpha' });
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('keeps them out of every answer, event, log line and file, while the deployment waits and once it failed', async () => {
    const seen: string[] = [];
    const read = async (path: string) => {
      const answer = await slipwayd.fetch(path);
      const text = await answer.text();
      seen.push(text);
      return text;
    };
    const created = await slipwayd.api.deployments.create('alpha-web', {
      git: { url: `https://bot:${sentinel}@127.0.0.1:1/repo.git`, ref: 'main' },
    });
    seen.push(JSON.stringify(created));
    const id = created.deployment.id;
    await slipwayd.waitForOutput(/failpoint hit/);
    expect(JSON.parse(await read(`/api/v1/deployments/${id}`))).toMatchObject({
      state: 'running',
      phase: 'fetch',
      source: { kind: 'git', url: 'https://127.0.0.1:1/repo.git' },
    });
    await read('/api/v1/apps/alpha-web/deployments');

    // A restart interrupts the held fetch; the next run opens the sealed credentials and fails to reach the remote.
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ logLevel: 'debug' });
    const failed = await slipwayd.settle(id);
    expect(failed).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'SOURCE_UNREACHABLE' } });
    seen.push(JSON.stringify(failed));
    await read(`/api/v1/deployments/${id}/events`);
    await read('/api/v1/apps/alpha-web/deployments');
    await read('/api/v1/apps/alpha-web/releases');
    await read('/api/v1/status');

    const texts = [...seen, slipwayd.output].join('\n');
    expect(texts).toContain('127.0.0.1:1/repo.git');
    const files = await filesUnder(slipwayd.dataDir);
    expect(files.map((f) => f.slice(slipwayd.dataDir.length))).toEqual(expect.arrayContaining(['/slipway.db']));
    for (const form of forms) {
      expect(texts.includes(form), `${form} in API answers or the slipwayd log`).toBe(false);
      for (const file of files) expect((await readFile(file)).includes(form), `${form} in ${file}`).toBe(false);
    }
  });
});
