/**
 * Push to deploy, against a real slipwayd and the real git: `git push` to `/git/<app>.git` with a Slipway token
 * (through `slipway git-credential`) stores the commits in the app's hosted repository, deploys a push to `main` to
 * production (an app without deployment rules), shows the deployment as `remote:` lines, and fails when the
 * deployment fails; fetching needs viewer, pushing deployer; no token is ever written down. Narrated in order: each
 * step builds on the one before.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { filesUnder } from './files-under.js';
import { createUser, tokenOf } from './identity-fixtures.js';
import { fixturesDir, repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');

interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('push to deploy: git push to slipwayd', () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let deployerToken: string;
  let viewerToken: string;
  const seen: string[] = [];

  /** git in `cwd` with the Slipway credential helper answering `token` (none: no helper at all). */
  const git = (cwd: string, args: readonly string[], token?: string): Promise<GitResult> =>
    new Promise((resolve) => {
      const helper = token === undefined ? [] : ['-c', `credential.helper=!node ${cliEntry} git-credential`];
      execFile(
        'git',
        ['-c', 'credential.helper=', ...helper, ...args],
        {
          cwd,
          timeout: 120_000,
          env: {
            ...process.env,
            ...slipwayd.cliEnv(),
            // The helper answers with this token (and the admin token of the data dir is not found).
            SLIPWAY_DATA_DIR: join(workDir, 'no-data-dir'),
            ...(token === undefined ? {} : { SLIPWAY_TOKEN: token }),
            GIT_TERMINAL_PROMPT: '0',
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_CONFIG_GLOBAL: '/dev/null',
            GIT_AUTHOR_NAME: 'pusher',
            GIT_AUTHOR_EMAIL: 'pusher@example.com',
            GIT_COMMITTER_NAME: 'pusher',
            GIT_COMMITTER_EMAIL: 'pusher@example.com',
          },
        },
        (error, stdout, stderr) => {
          seen.push(stdout, stderr);
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
        },
      );
    });

  /** A fresh repository of fixture `name` with one commit on `main`. */
  const repositoryOf = async (name: string): Promise<string> => {
    const dir = join(workDir, name);
    await cp(join(fixturesDir, name), dir, { recursive: true });
    for (const args of [
      ['init', '-q', '-b', 'main'],
      ['add', '-A'],
      ['commit', '-q', '-m', `${name} v1`],
    ]) {
      const result = await git(dir, args);
      expect(result.code, result.stderr).toBe(0);
    }
    return dir;
  };

  const remoteOf = (app: string): string => `${slipwayd.url}/git/${app}.git`;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-push-'));
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'pushed', project: 'acme' });
    await slipwayd.api.apps.create({ name: 'pushed-broken', project: 'acme' });
    await createUser(slipwayd, 'dev', [{ role: 'deployer', project: 'acme' }]);
    await createUser(slipwayd, 'watcher', [{ role: 'viewer', project: 'acme' }]);
    deployerToken = await tokenOf(slipwayd, 'dev');
    viewerToken = await tokenOf(slipwayd, 'watcher');
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(workDir, { recursive: true, force: true });
  });

  it('asks git for HTTP Basic credentials and refuses a wrong token', async () => {
    const anonymous = await fetch(`${remoteOf('pushed')}/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="Slipway"/);
    seen.push(await anonymous.text());
    const noHelper = await git(workDir, ['ls-remote', remoteOf('pushed')]);
    expect(noHelper.code).not.toBe(0);
    const wrong = await git(workDir, ['ls-remote', remoteOf('pushed')], 'slw_not_a_token');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/401|Authentication failed/);
  });

  it('lets a viewer fetch the hosted repository but not push to it', async () => {
    const listed = await git(workDir, ['ls-remote', remoteOf('pushed')], viewerToken);
    expect(listed.code, listed.stderr).toBe(0);
    const dir = await repositoryOf('hello-node');
    const pushed = await git(dir, ['push', remoteOf('pushed'), 'main'], viewerToken);
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(/403|needs the role deployer/);
  });

  it('deploys a push to main to production and shows the deployment as remote: lines', async () => {
    const dir = join(workDir, 'hello-node');
    const pushed = await git(dir, ['push', remoteOf('pushed'), 'main'], deployerToken);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toMatch(/remote: -----> pushed \(production\): deployment dep_/);
    expect(pushed.stderr).toMatch(/remote: -----> build/);
    expect(pushed.stderr).toMatch(/remote: -----> deployment dep_\S+ succeeded/);
    // Served at once: the push ended after the deployment had finished.
    const answer = await slipwayd.edge('pushed.localhost');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('hello from release v1');
    // The commits are in the hosted repository: a viewer clones them back.
    const clone = await git(workDir, ['clone', '-q', remoteOf('pushed'), 'cloned'], viewerToken);
    expect(clone.code, clone.stderr).toBe(0);
    expect(await readFile(join(workDir, 'cloned', 'server.js'), 'utf8')).toContain('hello from release');
  });

  it('stores a push to another branch of an app without rules and deploys nothing', async () => {
    const dir = join(workDir, 'hello-node');
    const pushed = await git(dir, ['push', remoteOf('pushed'), 'main:feature/x'], deployerToken);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).not.toMatch(/deployment dep_/);
    const listed = await git(workDir, ['ls-remote', remoteOf('pushed'), 'refs/heads/feature/x'], viewerToken);
    expect(listed.stdout).toContain('refs/heads/feature/x');
  });

  it("lets the app's deployment rules decide once it has some: a release branch deploys to staging", async () => {
    expect((await slipwayd.cli(['env', 'create', 'pushed', 'staging'])).code).toBe(0);
    const added = await slipwayd.cli([
      'rules',
      'add',
      'pushed',
      'refs/heads/release/*',
      '--repo',
      'pushed',
      '-e',
      'staging',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const dir = join(workDir, 'hello-node');
    const pushed = await git(dir, ['push', remoteOf('pushed'), 'main:release/1'], deployerToken);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toMatch(/remote: -----> pushed \(staging\): deployment dep_/);
    expect(pushed.stderr).toMatch(/remote: -----> deployment dep_\S+ succeeded/);
  });

  it('fails the push when its deployment fails, saying why', async () => {
    const dir = await repositoryOf('build-fails');
    const pushed = await git(dir, ['push', remoteOf('pushed-broken'), 'main'], deployerToken);
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(/remote: .*error: something is broken/);
    expect(pushed.stderr).toMatch(/deployment dep_\S+ failed/);
  });

  it("gives a new app of a removed app's name its own repository: its push deploys its own commits", async () => {
    await slipwayd.api.apps.delete('pushed-broken');
    await slipwayd.api.apps.create({ name: 'pushed-broken', project: 'acme' });
    const listed = await git(workDir, ['ls-remote', remoteOf('pushed-broken')], viewerToken);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe('');
    const pushed = await git(join(workDir, 'hello-node'), ['push', remoteOf('pushed-broken'), 'main'], deployerToken);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toMatch(/remote: -----> deployment dep_\S+ succeeded/);
  });

  it('ends the push successfully when its deployment waits for an approval, saying so', async () => {
    await slipwayd.api.apps.create({ name: 'pushed-gated', project: 'acme' });
    const set = await slipwayd.cli([
      'env',
      'approval',
      'set',
      'pushed-gated',
      'production',
      '--approver',
      'role:admin',
    ]);
    expect(set.code, set.stderr).toBe(0);
    const pushed = await git(join(workDir, 'hello-node'), ['push', remoteOf('pushed-gated'), 'main'], deployerToken);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toMatch(/remote: .*waiting for approval apr_/);
    expect(pushed.stderr).toMatch(/the deployment waits for an approval: the push ends here/);
  });

  it('queues a push while a deployment is still active there, and deploys the newest queued commit once it ends', async () => {
    await slipwayd.api.apps.create({ name: 'pushed-busy', project: 'acme' });
    // A build that runs until it is cancelled keeps production busy.
    const slow = join(workDir, 'slow-build');
    await cp(join(fixturesDir, 'slow-build'), slow, { recursive: true });
    const script = await readFile(join(slow, 'build.js'), 'utf8');
    await writeFile(join(slow, 'build.js'), script.replace('|| 4)', '|| 600)'));
    const { deployment: busy } = await slipwayd.api.deployments.create('pushed-busy', { path: slow });
    const dir = join(workDir, 'hello-node');
    const commits: string[] = [];
    for (const name of ['second', 'third']) {
      await writeFile(join(dir, `${name}.txt`), `${name}\n`);
      for (const args of [
        ['add', '-A'],
        ['commit', '-q', '-m', name],
      ])
        expect((await git(dir, args)).code).toBe(0);
      commits.push((await git(dir, ['rev-parse', 'HEAD'])).stdout.trim());
      const pushed = await git(dir, ['push', remoteOf('pushed-busy'), 'main'], deployerToken);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(pushed.stderr).toMatch(/remote: -----> .*queued: DEPLOYMENT_IN_PROGRESS/);
      expect(pushed.stderr).toMatch(/it deploys when that ends, unless a newer push replaces it/);
    }
    expect((await slipwayd.api.deployments.list('pushed-busy')).deployments.map((d) => d.id)).toEqual([busy.id]);
    await slipwayd.api.deployments.cancel(busy.id);
    // The third commit replaced the second in the queue: it alone deploys.
    await waitFor(async () => {
      const [newest] = (await slipwayd.api.deployments.list('pushed-busy')).deployments;
      expect(newest?.source).toMatchObject({ commit: commits[1] });
      expect(newest?.state).toBe('succeeded');
    });
    expect((await slipwayd.api.deployments.list('pushed-busy')).deployments).toHaveLength(2);
  });

  it('answers 404 for an app that does not exist, to a caller with a credential', async () => {
    const answer = await fetch(`${remoteOf('nowhere')}/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${deployerToken}`).toString('base64')}` },
    });
    expect(answer.status).toBe(404);
    seen.push(await answer.text());
  });

  it('records every push in the audit log with who pushed', async () => {
    const pushes = await waitFor(async () => {
      const answer = await slipwayd.fetch('/api/v1/audit?action=git.push&limit=1000');
      const { records } = (await answer.json()) as { records: { actor: { name: string }; outcome: string }[] };
      expect(records.filter((r) => r.actor.name === 'dev' && r.outcome === 'success').length).toBeGreaterThan(3);
      return records;
    });
    expect(pushes.every((r) => r.actor.name === 'dev')).toBe(true);
  });

  it('refuses what is not a git request with a coded error, never a 500 or a hang', async () => {
    const basic = `Basic ${Buffer.from(`x:${deployerToken}`).toString('base64')}`;
    const post = async (service: string, body: string, headers: Record<string, string> = {}) => {
      const answer = await fetch(`${remoteOf('pushed')}/${service}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': `application/x-${service}-request`, ...headers },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await answer.text();
      seen.push(text);
      return { status: answer.status, text };
    };
    expect(await post('git-receive-pack', 'not pkt-lines at all')).toEqual({
      status: 400,
      text: 'the git request is not in pkt-line framing\n',
    });
    expect(await post('git-receive-pack', '')).toEqual({
      status: 400,
      text: 'the push request ended before its ref updates\n',
    });
    expect(await post('git-upload-pack', 'not gzip', { 'content-encoding': 'gzip' })).toEqual({
      status: 400,
      text: 'the request body is not valid gzip\n',
    });
    const dumb = await fetch(`${remoteOf('pushed')}/info/refs`, { headers: { authorization: basic } });
    expect(dumb.status).toBe(400);
    seen.push(await dumb.text());
  });

  it('never writes a token to the data dir, the log or an answer', async () => {
    // The hosted repositories as the API shows them: by their git URL, never by where they are on disk.
    const listed = await fetch(`${slipwayd.url}/api/v1/projects/acme/repositories`, {
      headers: { authorization: `Bearer ${viewerToken}` },
    });
    const repositories = await listed.text();
    seen.push(repositories);
    expect(listed.status).toBe(200);
    expect(repositories).toContain('/git/pushed.git');
    expect(repositories).toContain('"provider":"hosted"');
    expect(repositories).not.toContain(slipwayd.dataDir);
    await waitFor(() => expect(seen.length).toBeGreaterThan(0));
    const texts = [...seen, slipwayd.output].join('\n');
    const files = await filesUnder(slipwayd.dataDir);
    for (const token of [deployerToken, viewerToken]) {
      expect(texts.includes(token), 'a token in git output or the slipwayd log').toBe(false);
      for (const file of files) expect((await readFile(file)).includes(token), `a token in ${file}`).toBe(false);
    }
  });
});
