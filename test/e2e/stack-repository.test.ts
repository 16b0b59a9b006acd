/**
 * A stack read from a repository, end to end on the real engine: its compose file lives in a repository Slipway knows
 * (served by `git http-backend` behind a token on loopback); each stack deployment reads the file at the commit it
 * deploys and builds the service that has `build: .` from that exact commit, after the image service it depends on.
 * The token is never shown. Narrated in order.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpTestServer, type GitHttpTestServer } from '@slipway/adapters';
import type { StackView } from '@slipway/contract';
import { dockerTestEngine, skipUnless, waitFor } from '@slipway/testkit';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const engine = dockerTestEngine();
const token = 'sentinel-stack-token-7d2e91';
const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^GIT_/.test(key))),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

/** The shop of `test/fixtures/stacks/shop`, its web service built from the repository's root. */
const composeOf = (greeting: string) => `services:
  web:
    build: .
    ports: ['8080:3000']
    environment:
      GREETING: ${greeting}
      API_URL: http://api:8080/
    depends_on:
      api: { condition: service_healthy }
  api:
    image: local/busybox:latest
    command: ['sh', '-c', 'mkdir -p /www && echo api ok > /www/index.html && exec httpd -f -p 8080 -h /www']
    expose: ['8080']
    healthcheck:
      test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/']
      interval: 1s
      timeout: 2s
      retries: 3
      start_period: 10s
`;

describe('a stack from a repository, end to end', skipUnless(engine), () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let upstream: string;
  let http: GitHttpTestServer;
  let first: string;
  let second: string;
  const shown: string[] = [];

  const serves = async (text: string) =>
    waitFor(async () => expect((await slipwayd.edge('web.localhost')).body).toBe(text), { timeoutMs: 60_000 });

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-stack-repo-'));
    const served = join(workDir, 'served');
    upstream = join(served, 'shop.git');
    await cp(join(repoRoot, 'test', 'fixtures', 'stacks', 'shop', 'web'), upstream, { recursive: true });
    await writeFile(join(upstream, 'compose.yaml'), composeOf('hello from commit one'));
    git(upstream, 'init', '-q', '-b', 'main');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'one');
    first = git(upstream, 'rev-parse', 'HEAD');
    http = await startGitHttpTestServer(served, { username: 'x-access-token', password: token });
    slipwayd = await SlipwaydHarness.create({ containers: 'docker' });
    await slipwayd.start();
    await slipwayd.api.projects.create({ name: 'shop' });
    const port = new URL(http.url).port;
    await slipwayd.api.repositories.add('shop', {
      name: 'shop-src',
      url: `http://x-access-token:${token}@127.0.0.1:${port}/shop.git`,
    });
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await http.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('creates the stack from the compose file at the head of its ref, its apps in the project', async () => {
    const created = await slipwayd.cli(['stack', 'create', 'shop', '--repo', 'shop-src', '--path', 'compose.yaml']);
    shown.push(created.stdout, created.stderr);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('repository shop-src (compose.yaml at main)');
    expect(created.stdout).toMatch(
      / {2}web \(service web\): not-deployed, 0\/0 healthy, no release; repository, after api/,
    );
    const { apps } = await slipwayd.api.apps.list();
    expect(
      apps
        .filter((app) => app.project === 'shop')
        .map((app) => app.name)
        .sort(),
    ).toEqual(['api', 'web']);
  });

  it('deploys the head commit: api first, then web built from that commit', async () => {
    const deployed = await slipwayd.cli(['stack', 'deploy', 'shop']);
    shown.push(deployed.stdout, deployed.stderr);
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    const stack = await slipwayd.api.stacks.get('shop');
    shown.push(JSON.stringify(stack));
    expect(stack).toMatchObject({ status: 'healthy', lastDeployment: { commit: first, ref: 'refs/heads/main' } });
    const [web] = (await slipwayd.api.deployments.list('web')).deployments;
    const [api] = (await slipwayd.api.deployments.list('api')).deployments;
    expect(web?.source).toMatchObject({ commit: first });
    expect(Date.parse(api?.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(web?.createdAt ?? ''));
    await serves('hello from commit one (built by dockerfile); api: 200 api ok\n');
  });

  it('reads the compose file again at the next commit, and deploys an exact earlier commit when asked', async () => {
    await writeFile(join(upstream, 'compose.yaml'), composeOf('hello from commit two'));
    git(upstream, 'commit', '-q', '-am', 'two');
    second = git(upstream, 'rev-parse', 'HEAD');
    const deployed = await slipwayd.cli(['stack', 'deploy', 'shop']);
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    expect((await slipwayd.api.stacks.get('shop')).lastDeployment?.commit).toBe(second);
    await serves('hello from commit two (built by dockerfile); api: 200 api ok\n');

    const back = await slipwayd.cli(['stack', 'deploy', 'shop', '--commit', first]);
    shown.push(back.stdout, back.stderr);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    const stack: StackView = await slipwayd.api.stacks.get('shop');
    expect(stack.lastDeployment).toMatchObject({ commit: first, state: 'succeeded' });
    await serves('hello from commit one (built by dockerfile); api: 200 api ok\n');
  });

  it('never shows the repository token', () => {
    for (const text of shown) expect(text).not.toContain(token);
  });
});
