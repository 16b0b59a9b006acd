import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentEvent, DeploymentView } from '@slipway/contract';
import { startCannedApiServer, writeDeploymentEvents } from '../canned-api-server.js';
import type { CannedApiServer, CannedRoute } from '../canned-api-server.js';
import { cannedBuildEvents, cannedDeployment } from '../canned-resources.js';
import { createCapturedIo } from '../captured-io.js';
import type { ProgramIo } from '../cli-context.js';
import { createProgram } from '../program.js';
import { parseGitSource } from './deploy.js';

let server: CannedApiServer | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-deploy-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const succeeded = cannedDeployment({ state: 'succeeded', releaseNumber: 4 });
const failed = cannedDeployment({
  state: 'failed',
  failure: { phase: 'build', code: 'BUILD_FAILED', reason: 'npm run build exited with code 1' },
});

/** An event stream that ends after the given events, as slipwayd's does after the terminal one. */
const streamed =
  (events: DeploymentEvent[]): CannedRoute =>
  (_, res) => {
    writeDeploymentEvents(res, events);
    res.end();
  };

function deployRoutes(events: CannedRoute, final: DeploymentView): Record<string, CannedRoute> {
  return {
    'POST /api/v1/apps/web/deployments': {
      status: 202,
      json: { deployment: cannedDeployment(), eventsUrl: '/api/v1/deployments/dep_1/events' },
    },
    'GET /api/v1/deployments/dep_1/events': events,
    'GET /api/v1/deployments/dep_1': { json: final },
  };
}

async function run(args: string[], io: Partial<ProgramIo> = {}) {
  if (server === undefined) throw new Error('start the canned server first');
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url }, cwd: dir, ...io });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('slipway deploy', () => {
  it('prints each phase with its duration, the build log indented, and the release it deployed', async () => {
    server = await startCannedApiServer(deployRoutes(streamed(cannedBuildEvents('succeeded')), succeeded));
    const { code, stdout } = await run(['deploy', 'web', '--path', 'site']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'deployment dep_1 of web (production)',
        '▸ build',
        '    installing dependencies',
        '    built in 11s',
        '✓ build 12.3s',
        '▸ rollout',
        '✓ rollout 2.0s',
        'deployed web release 4',
        '',
      ].join('\n'),
    );
  });

  it('resolves --path against the working directory, since slipwayd reads it from the same machine', async () => {
    server = await startCannedApiServer(deployRoutes(streamed(cannedBuildEvents('succeeded')), succeeded));
    await run(['deploy', 'web', '--path', 'site', '--environment', 'staging']);
    const request = server.requests[0];
    expect(JSON.parse(request?.body.toString() ?? '')).toEqual({ path: join(dir, 'site') });
    expect(request?.query.get('environment')).toBe('staging');
  });

  it('prints the failure with its phase, code and reason, and exits 1', async () => {
    server = await startCannedApiServer(deployRoutes(streamed(cannedBuildEvents('failed')), failed));
    const { code, stdout } = await run(['deploy', 'web', '--path', '.']);
    expect(code).toBe(1);
    expect(stdout).toContain('✗ build 12.3s\n');
    expect(stdout).toContain('✗ failed in build: BUILD_FAILED npm run build exited with code 1\n');
    expect(stdout).toContain('release 3 keeps serving');
  });

  it('resumes a dropped event stream after the last sequence it saw', async () => {
    const events = cannedBuildEvents('succeeded');
    let connections = 0;
    server = await startCannedApiServer(
      deployRoutes((request, res) => {
        connections += 1;
        if (connections === 1) {
          writeDeploymentEvents(res, events.slice(0, 3));
          setTimeout(() => res.destroy(), 20);
          return;
        }
        const after = Number(request.query.get('after'));
        writeDeploymentEvents(
          res,
          events.filter((e) => e.seq > after),
        );
        res.end();
      }, succeeded),
    );
    const { code, stdout, stderr } = await run(['deploy', 'web', '--path', '.']);
    expect(code).toBe(0);
    expect(server.requests.filter((r) => r.path.endsWith('/events')).map((r) => r.query.get('after'))).toEqual([
      null,
      '3',
    ]);
    expect(stdout.match(/installing dependencies/g)).toHaveLength(1);
    expect(stdout).toContain('deployed web release 4');
    expect(stderr).toContain('reconnecting');
  });

  it('falls back to polling the deployment when the event stream stays unavailable', async () => {
    let polls = 0;
    server = await startCannedApiServer({
      ...deployRoutes(
        { status: 503, json: { error: { code: 'UNAVAILABLE', message: 'event bus down', requestId: 'r' } } },
        succeeded,
      ),
      'GET /api/v1/deployments/dep_1': (_, res) => {
        polls += 1;
        const body = polls < 2 ? cannedDeployment({ state: 'running' }) : succeeded;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      },
    });
    const { code, stdout, stderr } = await run(['deploy', 'web', '--path', '.'], {
      timing: { maxReconnects: 2, reconnectDelayMs: 5, pollIntervalMs: 5 },
    });
    expect(code).toBe(0);
    expect(server.requests.filter((r) => r.path.endsWith('/events'))).toHaveLength(3);
    expect(stderr).toContain('polling');
    expect(stdout).toContain('deployed web release 4');
  });

  it('uploads --archive as the raw body with the gzip content type and its file name', async () => {
    const bytes = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]);
    await writeFile(join(dir, 'site.tar.gz'), bytes);
    server = await startCannedApiServer(deployRoutes(streamed(cannedBuildEvents('succeeded')), succeeded));
    const { code } = await run(['deploy', 'web', '--archive', 'site.tar.gz', '--no-follow']);
    expect(code).toBe(0);
    const request = server.requests[0];
    expect(request?.headers['content-type']).toBe('application/gzip');
    expect(request?.query.get('fileName')).toBe('site.tar.gz');
    expect(request?.body.equals(bytes)).toBe(true);
  });

  it('reports a missing archive before sending anything', async () => {
    server = await startCannedApiServer({});
    const { code, stderr } = await run(['deploy', 'web', '--archive', 'missing.tar.gz']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: SOURCE_INVALID: cannot read archive missing.tar.gz: ENOENT');
    expect(server.requests).toHaveLength(0);
  });

  it('resolves a relative local --git path against the current directory, as --path is, and leaves URLs alone', () => {
    expect(parseGitSource('../repo#main', '/work/app')).toEqual({ git: { url: '/work/repo', ref: 'main' } });
    expect(parseGitSource('repo', '/work')).toEqual({ git: { url: '/work/repo' } });
    for (const url of ['gh:owner/repo', 'git@example.com:team/repo.git', 'file:///srv/repo', '/srv/repo'])
      expect(parseGitSource(url, '/work')).toEqual({ git: { url } });
  });

  it('sends --git with the ref after "#"', async () => {
    expect(parseGitSource('https://example.com/app.git#v1.2', '/work')).toEqual({
      git: { url: 'https://example.com/app.git', ref: 'v1.2' },
    });
    expect(parseGitSource('https://example.com/app.git', '/work')).toEqual({
      git: { url: 'https://example.com/app.git' },
    });
    server = await startCannedApiServer(deployRoutes({ status: 404 }, succeeded));
    await run(['deploy', 'web', '--git', 'https://example.com/app.git#main', '--no-follow']);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({
      git: { url: 'https://example.com/app.git', ref: 'main' },
    });
  });

  it('sends --image as an image source, with no build', async () => {
    server = await startCannedApiServer(deployRoutes({ status: 404 }, succeeded));
    await run(['deploy', 'web', '--image', 'local/busybox@sha256:' + 'a'.repeat(64), '--no-follow']);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({
      image: 'local/busybox@sha256:' + 'a'.repeat(64),
    });
  });

  it("sends --repo with its ref and subdirectory as one of the project's repositories", async () => {
    server = await startCannedApiServer(deployRoutes({ status: 404 }, succeeded));
    await run(['deploy', 'web', '--repo', 'shop-src', '--ref', 'release/1', '--subdir', 'services/api', '--no-follow']);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({
      repository: { name: 'shop-src', ref: 'release/1', path: 'services/api' },
    });
  });

  it('exits 2 unless exactly one source is given', async () => {
    server = await startCannedApiServer({});
    expect((await run(['deploy', 'web'])).code).toBe(2);
    expect((await run(['deploy', 'web', '--path', '.', '--git', 'x'])).code).toBe(2);
    expect((await run(['deploy', 'web', '--path', '.', '--image', 'x:1'])).code).toBe(2);
    expect((await run(['deploy', 'web', '--repo', 'a', '--git', 'x'])).code).toBe(2);
    expect((await run(['deploy', 'web', '--path', '.', '--ref', 'main'])).code).toBe(2);
    expect(server.requests).toHaveLength(0);
  });

  it('prints only the final deployment as JSON with --json, and still exits 1 when it failed', async () => {
    server = await startCannedApiServer(deployRoutes(streamed(cannedBuildEvents('failed')), failed));
    const { code, stdout } = await run(['deploy', 'web', '--path', '.', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual(failed);
  });
});
