import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeploymentView, StackDeploymentView, StackView } from '@slipway/contract';
import { startCannedApiServer, writeDeploymentEvents } from '../canned-api-server.js';
import type { CannedApiServer, CannedRequest, CannedRoute } from '../canned-api-server.js';
import { cannedApp, cannedBuildEvents, cannedDeployment } from '../canned-resources.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';
import { collectCompletionTree } from './completion.js';

const shopDir = join(import.meta.dirname, '../../../../test/fixtures/stacks/shop');

let server: CannedApiServer | undefined;
let tempDir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});

async function run(args: string[], cwd = shopDir, env: Record<string, string> = {}) {
  const captured = createCapturedIo({
    env: { ...env, ...(server === undefined ? {} : { SLIPWAY_API_URL: server.url }) },
    cwd,
  });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

/** The event stream and final state of one app's deployment `dep_<app>`. */
function deploymentRoutes(app: string, end: 'succeeded' | 'failed'): Record<string, CannedRoute> {
  const id = `dep_${app}`;
  const final: DeploymentView = cannedDeployment({
    id,
    app,
    state: end,
    releaseNumber: end === 'succeeded' ? 1 : null,
    previousReleaseNumber: null,
    failure: end === 'failed' ? { phase: 'rollout', code: 'HEALTH_CHECK_FAILED', reason: 'wget exited with 1' } : null,
  });
  return {
    [`GET /api/v1/deployments/${id}/events`]: (_request: CannedRequest, res) => {
      writeDeploymentEvents(res, cannedBuildEvents(end));
      res.end();
    },
    [`GET /api/v1/deployments/${id}`]: { json: final },
  };
}

const createdAt = cannedApp.createdAt;

function stackView(services: Array<[service: string, dependsOn: string[]]>): StackView {
  return {
    id: 'stk_1',
    name: 'shop',
    project: 'shop',
    runtime: 'docker',
    source: { kind: 'file', fileName: 'docker-compose.yml' },
    environment: 'production',
    status: 'not-deployed',
    services: services.map(([service, dependsOn]) => ({
      service,
      app: service,
      dependsOn,
      source: 'image x',
      health: 'not-deployed',
      release: null,
      instances: { total: 0, healthy: 0 },
    })),
    notices: [],
    lastDeployment: null,
    createdAt,
    updatedAt: createdAt,
  };
}

type ServiceEnd = 'succeeded' | 'failed' | 'skipped';

function stackDeployment(ends: Array<[service: string, end: ServiceEnd | 'deploying']>): StackDeploymentView {
  const isRunning = ends.some(([, end]) => end === 'deploying');
  const isFailed = ends.some(([, end]) => end === 'failed');
  return {
    id: 'sdp_1',
    stack: 'shop',
    environment: 'production',
    kind: 'deploy',
    state: isRunning ? 'running' : isFailed ? 'failed' : 'succeeded',
    commit: null,
    ref: null,
    services: ends.map(([service, end]) => ({
      service,
      app: service,
      dependsOn: service === 'web' ? ['api'] : [],
      deploymentId: end === 'skipped' ? null : `dep_${service}`,
      state: end,
      reason: end === 'skipped' ? 'api did not deploy' : null,
    })),
    reason: isFailed ? 'failed: api' : null,
    createdAt,
    finishedAt: isRunning ? null : createdAt,
  };
}

/** slipwayd's stack routes: the stack is created, its deployment starts with api and ends as `ends` says. */
function stackRoutes(ends: Array<[string, ServiceEnd]>): Record<string, CannedRoute> {
  return {
    'POST /api/v1/stacks': {
      status: 201,
      json: {
        stack: stackView([
          ['api', []],
          ['web', ['api']],
        ]),
        isCreated: true,
        warnings: [],
      },
    },
    'POST /api/v1/stacks/shop/deploy': {
      status: 202,
      json: {
        deployment: stackDeployment([
          ['api', 'deploying'],
          ['web', 'deploying'],
        ]),
      },
    },
    'GET /api/v1/stacks/shop/deployments/sdp_1': { json: { deployment: stackDeployment(ends) } },
  };
}

const calls = (s: CannedApiServer) => s.requests.map((r) => `${r.method} ${r.path}`);
const bodyOf = (s: CannedApiServer, method: string, path: string) =>
  s.requests.filter((r) => r.method === method && r.path === path).map((r) => JSON.parse(r.body.toString()) as unknown);

describe('slipway stack import', () => {
  it('prints what does not carry over on stderr and the plan on stdout with --dry-run, asking slipwayd nothing', async () => {
    server = await startCannedApiServer({});
    const { code, stdout, stderr } = await run(['stack', 'import', 'docker-compose.yml', '--dry-run']);
    expect(code).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(stderr.split('\n')).toEqual([
      'warning: volumes: not created — Slipway mounts no volumes',
      'warning: services.web.ports[0]: host port 8080 is not published — the edge routes web.localhost to container port 3000',
      'warning: services.api.volumes: not mounted — instances are disposable; keep state in a database or another service',
      'note: services.web.depends_on.api: api is deployed first; Slipway waits for its deployment to succeed, i.e. its instances healthy',
      "note: services.api.expose[0]: container port 8080 is the app's port; the edge routes api.localhost to it",
      '',
    ]);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('stack shop: 2 apps on docker, deployed in this order');
    expect(lines).toContain('1. api (service api), image local/busybox:latest');
    expect(lines).toContain('2. web (service web), built from web, after api');
    expect(stdout).toContain(
      "       command: sh -c 'mkdir -p /www && echo api ok > /www/index.html && exec httpd -f -p 8080 -h /www'\n",
    );
    expect(stdout).toContain(
      '   build:\n     builder: dockerfile\n     args:\n       GREETING_SOURCE: compose\n   port: 3000\n',
    );
    expect(stdout).toContain('   strategy:\n     type: rolling\n     maxSurge: 1\n     maxUnavailable: 0\n');
    expect(lines.at(-2)).toBe('nothing changed (--dry-run); run it without --dry-run to create and deploy the apps');
  });

  it('prints the plan as JSON with --json --dry-run', async () => {
    const { code, stdout } = await run([
      'stack',
      'import',
      'docker-compose.yml',
      '--dry-run',
      '--json',
      '--prefix',
      'shop',
    ]);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as {
      stack: string;
      order: string[];
      apps: Array<{ app: string; source: unknown }>;
    };
    expect(plan.stack).toBe('shop');
    expect(plan.order).toEqual(['api', 'web']);
    expect(plan.apps.map((a) => [a.app, a.source])).toEqual([
      ['shop-web', { path: join(shopDir, 'web') }],
      ['shop-api', { image: 'local/busybox:latest' }],
    ]);
  });

  it('creates the stack in slipwayd, then follows its deployment service by service in dependency order', async () => {
    server = await startCannedApiServer({
      ...stackRoutes([
        ['api', 'succeeded'],
        ['web', 'succeeded'],
      ]),
      ...deploymentRoutes('api', 'succeeded'),
      ...deploymentRoutes('web', 'succeeded'),
    });
    const { code, stdout, stderr } = await run(['stack', 'import', 'docker-compose.yml', '-e', 'production'], shopDir, {
      GREETING: 'hi',
      UNRELATED_SECRET: 'sentinel-not-sent',
    });
    expect(code).toBe(0);
    expect(calls(server).slice(0, 2)).toEqual(['POST /api/v1/stacks', 'POST /api/v1/stacks/shop/deploy']);
    expect(calls(server)).toContain('GET /api/v1/deployments/dep_api/events');
    expect(calls(server).indexOf('GET /api/v1/deployments/dep_web/events')).toBeGreaterThan(
      calls(server).indexOf('GET /api/v1/deployments/dep_api'),
    );
    const [put] = bodyOf(server, 'POST', '/api/v1/stacks') as Array<{
      name: string;
      project: string;
      source: { kind: string; composeDir: string; compose: string; variables: Record<string, string> };
    }>;
    expect(put).toMatchObject({ name: 'shop', project: 'shop', runtime: 'docker' });
    expect(put?.source).toMatchObject({ kind: 'file', composeDir: shopDir, fileName: 'docker-compose.yml' });
    expect(put?.source.compose).toContain('services:');
    // Only the variables the file names travel, never the rest of the shell's environment.
    expect(put?.source.variables).toEqual({ GREETING: 'hi' });
    expect(JSON.stringify(server.requests.map((r) => r.body.toString()))).not.toContain('sentinel-not-sent');
    expect(server.requests.find((r) => r.path.endsWith('/deploy'))?.query.get('environment')).toBe('production');
    expect(stdout).toContain('created stack shop (project shop): api, web\n');
    expect(stdout).toContain('[1/2] api (service api)\ndeployment dep_api of api (production)\n▸ build\n');
    expect(stdout).toContain('deployed api release 1\n\n[2/2] web (service web)\n');
    expect(stdout.endsWith('imported stack shop: api, web deployed\n')).toBe(true);
    expect(stderr).toContain('warning: services.api.volumes');
  });

  it('exits 1 naming the service that failed, what runs and what was not deployed', async () => {
    server = await startCannedApiServer({
      ...stackRoutes([
        ['api', 'failed'],
        ['web', 'skipped'],
      ]),
      ...deploymentRoutes('api', 'failed'),
    });
    const { code, stdout, stderr } = await run(['stack', 'import', 'docker-compose.yml']);
    expect(code).toBe(1);
    expect(calls(server)).not.toContain('GET /api/v1/deployments/dep_web/events');
    expect(stdout).toContain('✗ failed in rollout: HEALTH_CHECK_FAILED wget exited with 1\n');
    expect(stdout).toContain('[2/2] web skipped: api did not deploy\n');
    expect(stderr).toContain(
      'stack shop stopped at service api (app api): deployment dep_api failed; nothing deployed before it; not deployed: web\n',
    );
  });

  it("reports slipwayd's refusal (apps of another project) and deploys nothing", async () => {
    server = await startCannedApiServer({
      'POST /api/v1/stacks': {
        status: 400,
        json: {
          error: {
            code: 'COMPOSE_INVALID',
            message: 'apps of this stack belong to other projects: app web exists in another project',
            requestId: 'req_1',
          },
        },
      },
    });
    const { code, stderr } = await run(['stack', 'import', 'docker-compose.yml']);
    expect(code).toBe(1);
    expect(stderr).toContain('error: COMPOSE_INVALID: apps of this stack belong to other projects');
    expect(calls(server)).toEqual(['POST /api/v1/stacks']);
  });

  it('names the stack after --stack, else the compose name, else the directory; a bad --stack is a usage error', async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'slipway-stack-'));
    const dir = join(tempDir, 'My_Blog');
    await mkdir(dir);
    await writeFile(join(dir, 'compose.yaml'), 'services:\n  web: { image: "blog:${TAG:-1}" }\n');
    const fromDir = await run(['stack', 'import', 'compose.yaml', '--dry-run'], dir);
    expect(fromDir.stdout.split('\n')[0]).toBe('stack my-blog: 1 app on docker, deployed in this order');
    expect(fromDir.stdout).toContain('1. web (service web), image blog:1\n');
    const given = await run(
      ['stack', 'import', 'compose.yaml', '--dry-run', '--stack', 'news', '--runtime', 'swarm'],
      dir,
    );
    expect(given.stdout.split('\n')[0]).toBe('stack news: 1 app on swarm, deployed in this order');
    expect((await run(['stack', 'import', 'compose.yaml', '--stack', 'Bad_Name'], dir)).code).toBe(2);
    expect((await run(['stack', 'import', 'compose.yaml', '--runtime', 'process'], dir)).code).toBe(2);
  });

  it('exits 1 with every problem of an invalid compose file, each with its path', async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'slipway-stack-'));
    await writeFile(
      join(tempDir, 'docker-compose.yml'),
      'services:\n  web: { image: w, depends_on: [db], deploy: { replicas: many } }\n  db: { image: d, depends_on: [web] }\n',
    );
    const { code, stderr } = await run(['stack', 'import', 'docker-compose.yml', '--dry-run'], tempDir);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: COMPOSE_INVALID: docker-compose.yml cannot be imported (1 problem):\n  services.web.deploy.replicas: must be a whole number from 0 to 100 (got "many")\n',
    );
    await writeFile(
      join(tempDir, 'docker-compose.yml'),
      'services:\n  web: { image: w, depends_on: [db] }\n  db: { image: d, depends_on: [web] }\n',
    );
    const cycle = await run(['stack', 'import', 'docker-compose.yml', '--dry-run'], tempDir);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toContain('services.web.depends_on: depends_on makes a cycle: web → db → web');
  });

  it('is offered by shell completion, with its flags', () => {
    const tree = collectCompletionTree(createProgram(createCapturedIo().io).command);
    expect(tree.nodes.find((n) => n.key === 'slipway/stack')?.words).toContain('import');
    expect(tree.nodes.find((n) => n.key === 'slipway/stack/import')?.words).toEqual(
      expect.arrayContaining(['--stack', '--prefix', '--runtime', '--dry-run', '--environment']),
    );
  });
});
