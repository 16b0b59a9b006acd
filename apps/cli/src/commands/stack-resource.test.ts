import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StackView } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { cannedApp } from '../canned-resources.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

const shopDir = join(import.meta.dirname, '../../../../test/fixtures/stacks/shop');

let server: CannedApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(args: string[]) {
  const captured = createCapturedIo({
    env: server === undefined ? {} : { SLIPWAY_API_URL: server.url },
    cwd: shopDir,
  });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const shop: StackView = {
  id: 'stk_1',
  name: 'shop',
  project: 'shop',
  runtime: 'docker',
  source: { kind: 'repository', repository: 'shop-src', path: 'compose.yaml', ref: 'main' },
  environment: 'production',
  status: 'degraded',
  services: [
    {
      service: 'api',
      app: 'api',
      dependsOn: [],
      source: 'image local/busybox:latest',
      health: 'healthy',
      release: 3,
      instances: { total: 1, healthy: 1 },
    },
    {
      service: 'web',
      app: 'web',
      dependsOn: ['api'],
      source: 'repository',
      health: 'unhealthy',
      release: 2,
      instances: { total: 2, healthy: 1 },
    },
  ],
  notices: [],
  lastDeployment: {
    id: 'sdp_9',
    stack: 'shop',
    environment: 'production',
    kind: 'deploy',
    state: 'succeeded',
    commit: 'c48cc50f32d7aa00000000000000000000000000',
    ref: 'refs/heads/main',
    services: [
      { service: 'api', app: 'api', dependsOn: [], deploymentId: 'dep_a', state: 'succeeded', reason: null },
      { service: 'web', app: 'web', dependsOn: ['api'], deploymentId: 'dep_w', state: 'succeeded', reason: null },
    ],
    reason: null,
    createdAt: cannedApp.createdAt,
    finishedAt: cannedApp.createdAt,
  },
  createdAt: cannedApp.createdAt,
  updatedAt: cannedApp.createdAt,
};

const bodies = (s: CannedApiServer, path: string) =>
  s.requests.filter((r) => r.path === path).map((r) => JSON.parse(r.body.toString()) as unknown);

describe('slipway stack create|list|show|remove', () => {
  it('creates a stack from a repository, naming the file and the ref', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/stacks': { status: 201, json: { stack: shop, isCreated: true, warnings: [] } },
    });
    const { code, stdout } = await run(['stack', 'create', 'shop', '--repo', 'shop-src', '--path', 'compose.yaml']);
    expect(code).toBe(0);
    expect(bodies(server, '/api/v1/stacks')).toEqual([
      {
        name: 'shop',
        project: 'shop',
        runtime: 'docker',
        source: { kind: 'repository', repository: 'shop-src', path: 'compose.yaml', ref: 'main' },
      },
    ]);
    expect(stdout).toContain('stack shop — project shop, repository shop-src (compose.yaml at main), on docker\n');
  });

  it('creates a stack from a file without deploying it', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/stacks': { status: 200, json: { stack: shop, isCreated: false, warnings: [] } },
    });
    const { code, stdout } = await run(['stack', 'create', 'shop', '-f', 'docker-compose.yml']);
    expect(code).toBe(0);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/stacks']);
    expect(stdout).toBe('updated stack shop (project shop): api, web\n');
  });

  it('wants exactly one of -f and --repo, and a stack name', async () => {
    expect((await run(['stack', 'create', 'shop'])).code).toBe(2);
    expect((await run(['stack', 'create', 'shop', '-f', 'x.yml', '--repo', 'r'])).code).toBe(2);
    expect((await run(['stack', 'create', 'Shop!', '-f', 'x.yml'])).code).toBe(2);
  });

  it("shows each service's health, release and instances, and the last deployment's commit", async () => {
    server = await startCannedApiServer({ 'GET /api/v1/stacks/shop': { json: shop } });
    const { code, stdout } = await run(['stack', 'show', 'shop']);
    expect(code).toBe(0);
    expect(stdout).toContain('status (production): degraded\n');
    expect(stdout).toContain('  web (service web): unhealthy, 1/2 healthy, release 2; repository, after api\n');
    expect(stdout).toContain('last deploy sdp_9 at c48cc50f32d7 (refs/heads/main): succeeded\n');
  });

  it('lists stacks with their status, and removes one with or without its apps', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/stacks': { json: { stacks: [shop] } },
      'DELETE /api/v1/stacks/shop': { json: { removedApps: ['web', 'api'] } },
    });
    expect((await run(['stack', 'list'])).stdout).toBe('shop\tdegraded\t1/2 services healthy\tproject shop\n');
    expect((await run(['stack', 'remove', 'shop'])).stdout).toBe('removed stack shop and its apps web, api\n');
    await run(['stack', 'remove', 'shop', '--keep-apps']);
    expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => r.query.get('keepApps'))).toEqual([
      null,
      'true',
    ]);
  });
});
