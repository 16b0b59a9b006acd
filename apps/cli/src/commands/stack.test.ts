import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppView, DeploymentView } from '@slipway/contract';
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

async function run(args: string[], cwd = shopDir) {
  const captured = createCapturedIo({ env: server === undefined ? {} : { SLIPWAY_API_URL: server.url }, cwd });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const appView = (name: string, project: string): AppView => ({ ...cannedApp, id: `app_${name}`, name, project });

/** The deploy routes of one app: its deployment `dep_<app>` streams a build and ends in `end`. */
function deployRoutes(app: string, end: 'succeeded' | 'failed'): Record<string, CannedRoute> {
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
    [`POST /api/v1/apps/${app}/deployments`]: {
      status: 202,
      json: { deployment: cannedDeployment({ id, app }), eventsUrl: `/api/v1/deployments/${id}/events` },
    },
    [`GET /api/v1/deployments/${id}/events`]: (_request: CannedRequest, res) => {
      writeDeploymentEvents(res, cannedBuildEvents(end));
      res.end();
    },
    [`GET /api/v1/deployments/${id}`]: { json: final },
  };
}

function stackRoutes(options: { projects?: string[]; apps?: AppView[] } = {}): Record<string, CannedRoute> {
  return {
    'GET /api/v1/projects': {
      json: {
        projects: (options.projects ?? []).map((name) => ({ id: `prj_${name}`, name, createdAt: cannedApp.createdAt })),
      },
    },
    'GET /api/v1/apps': { json: { apps: options.apps ?? [] } },
    'POST /api/v1/projects': (request: CannedRequest, res) => {
      const { name } = JSON.parse(request.body.toString()) as { name: string };
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 'prj_1', name, createdAt: cannedApp.createdAt }));
    },
    'POST /api/v1/apps': (request: CannedRequest, res) => {
      const { name, project } = JSON.parse(request.body.toString()) as { name: string; project: string };
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(appView(name, project)));
    },
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

  it('creates the project and the apps, then deploys them one by one in dependency order, each followed to its end', async () => {
    server = await startCannedApiServer({
      ...stackRoutes(),
      ...deployRoutes('api', 'succeeded'),
      ...deployRoutes('web', 'succeeded'),
    });
    const { code, stdout, stderr } = await run(['stack', 'import', 'docker-compose.yml', '-e', 'production']);
    expect(code).toBe(0);
    expect(calls(server)).toEqual([
      'GET /api/v1/projects',
      'GET /api/v1/apps',
      'POST /api/v1/projects',
      'POST /api/v1/apps',
      'POST /api/v1/apps',
      'POST /api/v1/apps/api/deployments',
      'GET /api/v1/deployments/dep_api/events',
      'GET /api/v1/deployments/dep_api',
      'POST /api/v1/apps/web/deployments',
      'GET /api/v1/deployments/dep_web/events',
      'GET /api/v1/deployments/dep_web',
    ]);
    expect(bodyOf(server, 'POST', '/api/v1/projects')).toEqual([{ name: 'shop' }]);
    expect(bodyOf(server, 'POST', '/api/v1/apps')).toEqual([
      { name: 'web', project: 'shop' },
      { name: 'api', project: 'shop' },
    ]);
    const [api] = bodyOf(server, 'POST', '/api/v1/apps/api/deployments') as Array<{
      image: string;
      manifest: Record<string, unknown>;
    }>;
    expect(api?.image).toBe('local/busybox:latest');
    expect(api?.manifest).toMatchObject({ runtime: 'docker', port: 8080, resources: { memory: '32MiB', pids: 64 } });
    const [web] = bodyOf(server, 'POST', '/api/v1/apps/web/deployments') as Array<{
      path: string;
      manifest: Record<string, unknown>;
    }>;
    expect(web?.path).toBe(join(shopDir, 'web'));
    expect(web?.manifest).toMatchObject({ build: { builder: 'dockerfile' }, processes: { web: { replicas: 2 } } });
    expect(server.requests.find((r) => r.path.endsWith('/deployments'))?.query.get('environment')).toBe('production');
    expect(stdout).toContain('created project shop\ncreated app web\ncreated app api\n');
    expect(stdout).toContain('[1/2] api (service api)\ndeployment dep_api of api (production)\n▸ build\n');
    expect(stdout).toContain('deployed api release 1\n\n[2/2] web (service web)\n');
    expect(stdout.endsWith('imported stack shop: api, web deployed\n')).toBe(true);
    expect(stderr).toContain('warning: services.api.volumes');
  });

  it('keeps a project and the apps that exist in it, and creates only what is missing', async () => {
    server = await startCannedApiServer({
      ...stackRoutes({ projects: ['shop'], apps: [appView('api', 'shop')] }),
      ...deployRoutes('api', 'succeeded'),
      ...deployRoutes('web', 'succeeded'),
    });
    const { code, stdout } = await run(['stack', 'import', 'docker-compose.yml']);
    expect(code).toBe(0);
    expect(bodyOf(server, 'POST', '/api/v1/projects')).toEqual([]);
    expect(bodyOf(server, 'POST', '/api/v1/apps')).toEqual([{ name: 'web', project: 'shop' }]);
    expect(stdout).toContain('project shop exists\ncreated app web\napp api exists\n');
  });

  it('stops at the first deployment that fails, exits 1 naming the service, and deploys nothing after it', async () => {
    server = await startCannedApiServer({
      ...stackRoutes(),
      ...deployRoutes('api', 'failed'),
      ...deployRoutes('web', 'succeeded'),
    });
    const { code, stdout, stderr } = await run(['stack', 'import', 'docker-compose.yml']);
    expect(code).toBe(1);
    expect(calls(server)).not.toContain('POST /api/v1/apps/web/deployments');
    expect(stdout).toContain('✗ failed in rollout: HEALTH_CHECK_FAILED wget exited with 1\n');
    expect(stderr).toContain(
      'stack shop stopped at service api (app api): deployment dep_api failed; nothing deployed before it; not deployed: web\n',
    );
  });

  it('names the apps deployed before the failure, which keep running', async () => {
    server = await startCannedApiServer({
      ...stackRoutes(),
      ...deployRoutes('api', 'succeeded'),
      ...deployRoutes('web', 'failed'),
    });
    const { code, stderr } = await run(['stack', 'import', 'docker-compose.yml']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'stack shop stopped at service web (app web): deployment dep_web failed; deployed and running: api\n',
    );
  });

  it('refuses apps of the same name in another project before creating anything', async () => {
    server = await startCannedApiServer(stackRoutes({ apps: [appView('web', 'blog')] }));
    const { code, stderr } = await run(['stack', 'import', 'docker-compose.yml']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'error: COMPOSE_INVALID: apps of this stack belong to other projects: app web exists in project blog',
    );
    expect(calls(server)).toEqual(['GET /api/v1/projects', 'GET /api/v1/apps']);
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
