/**
 * Repositories end to end, against a real slipwayd and real git servers on loopback: one over SSH (Debian's sshd,
 * its authorized_keys holding the public half of the deploy key slipwayd generated), one over HTTP behind Basic
 * authentication (`git http-backend`) with a token. A deployment rule on each makes the reconcile deploy the branch
 * head through the repository's mirror. Neither the token nor the private key is ever shown (API answers to an admin
 * and to a viewer, deployment logs) or written down in clear (data dir, slipwayd's log). Narrated in order.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sshGitServerAvailability,
  startGitHttpTestServer,
  startSshGitTestServer,
  type GitHttpTestServer,
  type SshGitTestServer,
} from '@slipway/adapters';
import { createApiClient, type ApiClient, type RepositoryView } from '@slipway/contract';
import { skipUnless, waitFor } from '@slipway/testkit';
import { filesUnder } from './files-under.js';
import { callApi, createUser, tokenOf } from './identity-fixtures.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const token = 'sentinel-repo-token-5e81c02d';
const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^GIT_/.test(key))),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();
}

describe('git repositories: SSH deploy keys and HTTPS tokens', skipUnless(sshGitServerAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let upstream: string;
  let http: GitHttpTestServer;
  let sshd: SshGitTestServer;
  let viewer: ApiClient;
  let viewerToken: string;
  let sshRepository: RepositoryView;
  const answers: unknown[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-repos-'));
    const served = join(workDir, 'served');
    upstream = join(served, 'app.git');
    await cp(join(fixturesDir, 'hello-node'), upstream, { recursive: true });
    git(upstream, 'init', '-q', '-b', 'main');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'v1');
    http = await startGitHttpTestServer(served, { username: 'x-access-token', password: token });
    sshd = await startSshGitTestServer(join(workDir, 'sshd'));
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: { SLIPWAY_GIT_RECONCILE_INTERVAL_MS: '5000' } });
    for (const name of ['via-ssh', 'via-https']) await slipwayd.api.apps.create({ name, project: 'acme' });
    await createUser(slipwayd, 'watcher', [{ role: 'viewer', project: 'acme' }]);
    viewerToken = await tokenOf(slipwayd, 'watcher');
    viewer = createApiClient({ baseUrl: slipwayd.url, token: viewerToken });
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await sshd.close();
    await http.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('generates a deploy key for an ssh URL and shows only its public half', async () => {
    sshRepository = await slipwayd.api.repositories.add('acme', { name: 'web-ssh', url: `${sshd.baseUrl}${upstream}` });
    answers.push(sshRepository);
    expect(sshRepository).toMatchObject({ name: 'web-ssh', provider: 'generic', auth: 'ssh-key' });
    expect(sshRepository.publicKey).toMatch(new RegExp(`^ssh-ed25519 AAAA\\S+ slipway-${sshRepository.id}$`));
    expect(JSON.stringify(sshRepository)).not.toContain('PRIVATE KEY');
    await sshd.authorize([sshRepository.publicKey ?? '']);
  });

  it('moves a token in the URL into the sealed credential and never answers it', async () => {
    const port = new URL(http.url).port;
    const added = await slipwayd.api.repositories.add('acme', {
      name: 'web-https',
      url: `http://x-access-token:${token}@127.0.0.1:${port}/app.git`,
    });
    answers.push(added, await slipwayd.api.repositories.list('acme'), await viewer.repositories.list('acme'));
    expect(added).toMatchObject({ auth: 'token', url: `http://127.0.0.1:${port}/app.git`, publicKey: null });
    const refused = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/projects/acme/repositories',
      token: viewerToken,
      json: { name: 'nope', url: 'https://example.com/a.git' },
    });
    expect(refused.status).toBe(403);
    const duplicate = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/projects/acme/repositories',
      token: await slipwayd.adminToken(),
      json: { name: 'web-https', url: 'https://example.com/a.git' },
    });
    expect(duplicate.status).toBe(409);
    answers.push(refused.body, duplicate.body);
  });

  it('deploys the branch head through the mirror with the deploy key and with the token', async () => {
    for (const [app, repository] of [
      ['via-ssh', 'web-ssh'],
      ['via-https', 'web-https'],
    ] as const) {
      await slipwayd.api.rules.add(app, { repository, refPattern: 'refs/heads/main', environment: 'production' });
    }
    const head = git(upstream, 'rev-parse', 'HEAD');
    for (const app of ['via-ssh', 'via-https']) {
      const deployment = await waitFor(
        async () => {
          const [latest] = (await viewer.deployments.list(app)).deployments;
          if (latest === undefined || latest.state === 'pending' || latest.state === 'running')
            throw new Error(`${app}: no finished deployment yet`);
          return latest;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      expect(deployment, JSON.stringify(deployment.failure)).toMatchObject({ state: 'succeeded' });
      expect(deployment.source).toMatchObject({ kind: 'git', ref: 'refs/heads/main', commit: head });
      answers.push(deployment, await viewer.deployments.get(deployment.id));
      const served = await slipwayd.edge(`${app}.localhost`);
      expect(served.status).toBe(200);
    }
    expect(sshd.log.join('\n')).toMatch(/Accepted publickey/);
  });

  it("fetches only the new commit's objects when it deploys the next push of a known repository", async () => {
    const mirror = join(slipwayd.dataDir, 'git-mirrors', `${sshRepository.id}.git`);
    const objectCount = (): number => {
      const lines = git(mirror, '--git-dir', mirror, 'count-objects', '-v').split('\n');
      const field = (name: string) => Number(lines.find((l) => l.startsWith(`${name}:`))?.split(':')[1] ?? 0);
      return field('count') + field('in-pack');
    };
    const before = objectCount();
    const server = join(upstream, 'server.js');
    await writeFile(server, `${await readFile(server, 'utf8')}// v2\n`);
    git(upstream, 'commit', '-q', '-am', 'v2');
    const head = git(upstream, 'rev-parse', 'HEAD');
    const deployment = await waitFor(
      async () => {
        const [latest] = (await viewer.deployments.list('via-ssh')).deployments;
        if (
          latest?.source.kind !== 'git' ||
          latest.source.commit !== head ||
          ['pending', 'running'].includes(latest.state)
        )
          throw new Error('the push is not deployed yet');
        return latest;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(deployment, JSON.stringify(deployment.failure)).toMatchObject({ state: 'succeeded' });
    answers.push(deployment);
    // The new commit, its tree and the changed file: nothing the mirror had travelled again.
    expect(objectCount() - before).toBe(3);
  });

  it('replaces credentials in place: a revoked token fails a deploy with a coded reason, a new key deploys', async () => {
    const settled = (app: string) =>
      waitFor(
        async () => {
          const [latest] = (await viewer.deployments.list(app)).deployments;
          expect(latest?.state === 'pending' || latest?.state === 'running').toBe(false);
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    const deployFrom = async (app: string, repository: string) => {
      await settled(app);
      const { deployment } = await slipwayd.api.deployments.create(app, { repository: { name: repository } });
      return waitFor(
        async () => {
          const current = await slipwayd.api.deployments.get(deployment.id);
          if (current.state === 'pending' || current.state === 'running') throw new Error('not finished yet');
          return current;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    };
    const wrong = 'sentinel-revoked-token-91c3aa07';
    const revoked = await slipwayd.api.repositories.setCredentials('acme', 'web-https', {
      auth: { kind: 'token', token: wrong },
    });
    answers.push(revoked);
    expect(revoked).toMatchObject({ auth: 'token', publicKey: null });
    // Resolving the branch fetches with the new (wrong) token: refused, with a coded error that says what to do.
    await settled('via-https');
    const refused = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/apps/via-https/deployments',
      token: await slipwayd.adminToken(),
      json: { repository: { name: 'web-https' } },
    });
    answers.push(refused.body);
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'SOURCE_UNREACHABLE' } } });
    expect(JSON.stringify(refused.body)).toMatch(
      /refused the credentials: replace them with `slipway repos credentials/,
    );
    await slipwayd.api.repositories.setCredentials('acme', 'web-https', {
      auth: { kind: 'token', token, username: 'x-access-token' },
    });
    expect(await deployFrom('via-https', 'web-https')).toMatchObject({ state: 'succeeded' });

    const rotated = await slipwayd.api.repositories.setCredentials('acme', 'web-ssh', { auth: { kind: 'ssh-key' } });
    answers.push(rotated);
    expect(rotated.publicKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(rotated.publicKey).not.toBe(sshRepository.publicKey);
    // Only the new key is authorized on the host now: the deployment must use it.
    await sshd.authorize([rotated.publicKey ?? '']);
    expect(await deployFrom('via-ssh', 'web-ssh')).toMatchObject({ state: 'succeeded' });
    const notAdmin = await callApi(slipwayd, {
      method: 'PUT',
      path: '/api/v1/projects/acme/repositories/web-ssh/credentials',
      token: viewerToken,
      json: { auth: { kind: 'none' } },
    });
    expect(notAdmin.status).toBe(403);
    const sshWithToken = await callApi(slipwayd, {
      method: 'PUT',
      path: '/api/v1/projects/acme/repositories/web-ssh/credentials',
      token: await slipwayd.adminToken(),
      json: { auth: { kind: 'token', token: wrong } },
    });
    expect(sshWithToken).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    answers.push(notAdmin.body, sshWithToken.body);
    for (const shown of [JSON.stringify(answers), slipwayd.output]) expect(shown).not.toContain(wrong);
  });

  it('writes neither the token nor the private key anywhere, and removes repositories with their mirrors', async () => {
    await slipwayd.api.repositories.remove('acme', 'web-https');
    const missing = await callApi(slipwayd, {
      method: 'GET',
      path: '/api/v1/projects/acme/repositories/web-https',
      token: viewerToken,
    });
    expect(missing.status).toBe(404);
    // A deploy key's file lives as long as its git command (the reconcile lists heads every 5 s): with the
    // repositories gone, none may be left.
    await slipwayd.api.repositories.remove('acme', 'web-ssh');
    await waitFor(async () => expect(await readdir(join(slipwayd.dataDir, 'git-mirrors', '.keys'))).toEqual([]));
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    const shown = JSON.stringify(answers) + slipwayd.output;
    for (const secret of [token, basic, 'PRIVATE KEY']) expect(shown).not.toContain(secret);
    for (const file of await filesUnder(slipwayd.dataDir)) {
      const text = await readFile(file, 'latin1');
      for (const secret of [token, basic, 'OPENSSH PRIVATE KEY'])
        expect(text.includes(secret), `${file} holds a credential`).toBe(false);
    }
  });
});
