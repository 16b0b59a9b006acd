/**
 * Bad input and failing apps, against a real slipwayd: each ends in a coded error or a `failed` deployment with a
 * reason, the stable release keeps serving, and nothing is left half-done.
 */
import { execFileSync } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { SlipwayError } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

async function expectCode(promise: Promise<unknown>, code: string): Promise<SlipwayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlipwayError);
  expect((error as SlipwayError).code).toBe(code);
  return error as SlipwayError;
}

function rawRequest(
  port: number,
  method: string,
  path: string,
  body: string,
  contentType: string,
  token: string | undefined,
): Promise<{ status: number; json: unknown }> {
  const headers = { 'content-type': contentType, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('deployments that must fail cleanly', () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    scratch = await mkdtemp(join(tmpdir(), 'slipway-bad-'));
    await slipwayd.api.apps.create({ name: 'stable' });
    const { deployment } = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-node') });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('stable.localhost')).status).toBe(200));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  const deployAndSettle = async (source: { path: string } | { git: { url: string; ref?: string } }) => {
    const { deployment } = await slipwayd.api.deployments.create('stable', source);
    return slipwayd.settle(deployment.id);
  };

  const expectStableServing = async () => {
    const answer = await slipwayd.edge('stable.localhost');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('hello from release');
    const app = await slipwayd.api.apps.get('stable');
    expect(app.environments[0]?.currentRelease).toBe(1);
  };

  it('fails a malformed manifest in build with every issue and its path', async () => {
    const deployment = await deployAndSettle({ path: join(fixturesDir, 'bad-manifest') });
    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'build', code: 'MANIFEST_INVALID' } });
    expect(deployment.failure?.reason).toMatch(/processes\.web\.replicas/);
    await expectStableServing();
  });

  it('fails a start command that exits at once as a crash loop, and the old release keeps serving', async () => {
    const deployment = await deployAndSettle({ path: join(fixturesDir, 'crash-on-start') });
    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'rollout', code: 'CRASH_LOOP' } });
    await expectStableServing();
    await waitFor(async () => {
      const { instances } = await slipwayd.api.instances.list('stable');
      expect(instances.every((i) => i.releaseNumber === 1)).toBe(true);
    });
  });

  it('fails a release whose health check never passes, and never routes traffic to it', async () => {
    const deployment = await deployAndSettle({ path: join(fixturesDir, 'never-healthy') });
    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'rollout', code: 'HEALTH_CHECK_FAILED' } });
    expect(deployment.failure?.reason).toMatch(/503/);
    await expectStableServing();
  });

  it('fails a build script that exits non-zero with the command and code', async () => {
    const deployment = await deployAndSettle({ path: join(fixturesDir, 'build-fails') });
    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'build', code: 'BUILD_FAILED' } });
    await expectStableServing();
  });

  it('fails a directory that does not exist in fetch', async () => {
    const deployment = await deployAndSettle({ path: join(scratch, 'missing') });
    expect(deployment).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'SOURCE_UNREACHABLE' } });
  });

  it('fails a git URL that does not resolve, and a ref that does not exist', async () => {
    const missingRepo = await deployAndSettle({ git: { url: `file://${join(scratch, 'no-such-repo')}` } });
    expect(missingRepo).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'SOURCE_UNREACHABLE' } });

    const repo = join(scratch, 'repo');
    await mkdir(repo);
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    await writeFile(join(repo, 'index.html'), '<h1>hi</h1>');
    execFileSync('git', ['-C', repo, 'add', '.']);
    execFileSync('git', [
      '-C',
      repo,
      '-c',
      'user.email=e2e@example.test',
      '-c',
      'user.name=e2e',
      'commit',
      '-qm',
      'first',
    ]);
    const missingRef = await deployAndSettle({ git: { url: `file://${repo}`, ref: 'no-such-branch' } });
    expect(missingRef).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'SOURCE_REF_NOT_FOUND' } });
    expect(missingRef.failure?.reason).toContain('no-such-branch');
  });

  it('refuses an archive with ../ paths, and writes nothing outside the workspace', async () => {
    const archiveDir = join(scratch, 'evil');
    await mkdir(join(archiveDir, 'inner'), { recursive: true });
    await writeFile(join(archiveDir, 'inner', 'x.txt'), 'x');
    const hostile = join(scratch, 'hostile.tar.gz');
    // GNU tar with -P keeps the climbing path as written.
    execFileSync('tar', [
      '-czPf',
      hostile,
      '-C',
      archiveDir,
      '--transform',
      's,^inner/x.txt,../../escaped.txt,',
      'inner/x.txt',
    ]);
    expect(execFileSync('tar', ['-tzPf', hostile]).toString()).toContain('../../escaped.txt');
    const bytes = await readFile(hostile);
    const { deployment } = await slipwayd.api.deployments.create('stable', {
      archive: bytes,
      fileName: 'hostile.tar.gz',
    });
    const settled = await slipwayd.settle(deployment.id);
    expect(settled).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'ARCHIVE_UNSAFE' } });
    await expect(access(join(slipwayd.dataDir, 'escaped.txt'))).rejects.toThrow();
  });

  it('deploys a good archive upload', async () => {
    await slipwayd.api.apps.create({ name: 'site' });
    const file = join(scratch, 'site.tar.gz');
    await tar.c({ gzip: true, file, cwd: join(fixturesDir, 'hello-static') }, ['.']);
    const bytes = await readFile(file);
    const { deployment } = await slipwayd.api.deployments.create('site', { archive: bytes, fileName: 'site.tar.gz' });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('site.localhost')).status).toBe(200));
  });

  it('refuses a second deploy while one runs with DEPLOYMENT_IN_PROGRESS', async () => {
    const first = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-node') });
    const error = await expectCode(
      slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-node') }),
      'DEPLOYMENT_IN_PROGRESS',
    );
    expect(error.message).toContain(first.deployment.id);
    expect((await slipwayd.settle(first.deployment.id)).state).toBe('succeeded');
  });

  it('answers malformed requests with coded 4xx errors, never a 500', async () => {
    const token = await slipwayd.adminToken();
    const badJson = await rawRequest(slipwayd.apiPort, 'POST', '/api/v1/apps', '{"name":', 'application/json', token);
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({
      error: { code: 'VALIDATION_FAILED', requestId: expect.any(String) as unknown },
    });

    const badName = await rawRequest(
      slipwayd.apiPort,
      'POST',
      '/api/v1/apps',
      '{"name":"Bad Name!"}',
      'application/json',
      token,
    );
    expect(badName.status).toBe(400);
    expect(badName.json).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { issues: [{ path: 'body.name' }] } },
    });

    const wrongType = await rawRequest(slipwayd.apiPort, 'POST', '/api/v1/apps', 'name=x', 'text/plain', token);
    expect(wrongType.status).toBe(415);

    const unknown = await rawRequest(slipwayd.apiPort, 'GET', '/api/v1/nope', '', 'application/json', token);
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: 'ROUTE_NOT_FOUND' } } });

    await expectCode(slipwayd.api.apps.get('ghost'), 'APP_NOT_FOUND');
    await expectCode(slipwayd.api.apps.create({ name: 'stable' }), 'APP_ALREADY_EXISTS');
    await expectCode(slipwayd.api.apps.scale('stable', { processes: { nope: 2 } }), 'PROCESS_TYPE_UNKNOWN');
    await expectCode(slipwayd.api.releases.rollback('stable', { toRelease: 99 }), 'RELEASE_NOT_FOUND');
  });

  it('serves an OpenAPI document built from the contract', async () => {
    const res = await fetch(`${slipwayd.url}/api/v1/openapi.json`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/apps/{app}/deployments');
  });
});
