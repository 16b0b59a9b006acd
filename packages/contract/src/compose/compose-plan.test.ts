import { describe, expect, it } from 'vitest';
import { manifestSchema, SlipwayError } from '../index.js';
import { parseComposeText } from './compose-document.js';
import { appNameOf, planStack, stackNameFrom } from './compose-plan.js';
import type { PlanStackOptions } from './compose-plan.js';
import { shellQuote } from './compose-service-manifest.js';

const composeDir = '/srv/shop';

/** A realistic file: a built web front, an api from an image, a database, a debug tool behind a profile. */
const shopCompose = `
version: "3.9"
name: shop
x-common: &common
  restart: unless-stopped
services:
  web:
    <<: *common
    build:
      context: ./web
      dockerfile: docker/Dockerfile.prod
      target: runtime
      args:
        - NODE_ENV=production
        - COMMIT
      cache_from: [shop/web:cache]
    image: registry.example.com/shop/web:latest
    command: [node, server.js, --greeting, "hello world"]
    entrypoint: /docker-entrypoint.sh
    ports:
      - "8080:3000"
      - "9229:9229"
    environment:
      - API_URL=http://api:4000
      - LOG_LEVEL
    env_file: web.env
    depends_on:
      api:
        condition: service_healthy
        restart: true
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:3000/health || exit 1"]
      interval: 10s
      timeout: 2s
      retries: 5
      start_period: 1m30s
      start_interval: 1s
    deploy:
      replicas: 3
      resources:
        limits: { cpus: "0.5", memory: 256M, pids: 100 }
        reservations: { memory: 128M }
      placement:
        constraints: [node.labels.zone==a]
      update_config:
        order: start-first
        parallelism: 2
      restart_policy: { condition: on-failure }
    stop_grace_period: 1m30s
    volumes: [./uploads:/app/uploads]
    container_name: shop-web
    labels: { team: shop }
  api:
    image: shop/api:1.4
    command: ./api --port 4000
    expose: ["4000"]
    environment:
      DATABASE_URL: postgres://db:5432/shop
      DEBUG: false
      WORKERS: 4
      SECRET_KEY:
    depends_on: [db]
    healthcheck:
      test: [CMD, wget, -q, -O, /dev/null, "http://127.0.0.1:4000/health"]
    mem_limit: 512m
    cpus: 1.5
    pids_limit: 200
    networks: [back]
  db:
    image: postgres:16
    ports:
      - target: 5432
        published: 5432
        host_ip: 127.0.0.1
    healthcheck:
      disable: true
    volumes: [db-data:/var/lib/postgresql/data]
    secrets: [db-password]
  debug:
    image: busybox
    profiles: [debug]
volumes:
  db-data: {}
networks:
  back: {}
secrets:
  db-password: { file: ./db-password.txt }
`;

function plan(text: string, options: Partial<PlanStackOptions> = {}) {
  const { compose } = parseComposeText(text, 'docker-compose.yml', () => undefined);
  return planStack(compose, { stackName: 'shop', composeDir, ...options });
}

/** The `path: message` lines of the COMPOSE_INVALID that `run` throws. */
function composeIssues(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SlipwayError);
    expect((error as SlipwayError).code).toBe('COMPOSE_INVALID');
    const issues = (error as SlipwayError).details?.['issues'] as Array<{ path: string; message: string }>;
    return issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a COMPOSE_INVALID error');
}

const shopOptions: Partial<PlanStackOptions> = {
  variables: { LOG_LEVEL: 'info', COMMIT: 'abc123' },
  envFiles: new Map([['/srv/shop/web.env', { SESSION_TTL: '3600', LOG_LEVEL: 'warn' }]]),
};

describe('planStack', () => {
  it('orders the apps so each comes after what it depends on, and skips services with profiles', () => {
    const stack = plan(shopCompose, shopOptions);
    expect(stack.stack).toBe('shop');
    expect(stack.runtime).toBe('docker');
    expect(stack.apps.map((a) => [a.service, a.app, a.dependsOn])).toEqual([
      ['web', 'web', ['api']],
      ['api', 'api', ['db']],
      ['db', 'db', []],
    ]);
    expect(stack.order).toEqual(['db', 'api', 'web']);
  });

  it('maps a built service: build context, Dockerfile, args and target; command, env, port, health check, deploy settings', () => {
    const web = plan(shopCompose, shopOptions).apps[0];
    expect(web?.source).toEqual({ path: '/srv/shop/web' });
    expect(web?.manifest).toEqual({
      runtime: 'docker',
      build: {
        builder: 'dockerfile',
        dockerfile: 'docker/Dockerfile.prod',
        args: { NODE_ENV: 'production', COMMIT: 'abc123' },
        target: 'runtime',
      },
      port: 3000,
      // env_file first, environment over it.
      env: { SESSION_TTL: '3600', LOG_LEVEL: 'info', API_URL: 'http://api:4000' },
      processes: {
        web: {
          command: "node server.js --greeting 'hello world'",
          replicas: 3,
          healthCheck: {
            type: 'exec',
            command: 'wget -q -O /dev/null http://127.0.0.1:3000/health || exit 1',
            intervalSeconds: 10,
            timeoutSeconds: 2,
            retries: 5,
            startPeriodSeconds: 90,
          },
          stopGraceSeconds: 90,
        },
      },
      resources: { memory: '256MiB', cpus: 0.5, pids: 100 },
      placement: { constraints: ['node.labels.zone==a'] },
      strategy: { type: 'rolling', maxSurge: 1, maxUnavailable: 0 },
    });
    expect(manifestSchema.parse(web?.manifest).resources?.memory).toBe(256 * 1024 * 1024);
  });

  it('maps image services: the image as source, v2-style limits, expose as the port, CMD and disabled health checks', () => {
    const [, api, db] = plan(shopCompose, shopOptions).apps;
    expect(api?.source).toEqual({ image: 'shop/api:1.4' });
    expect(api?.manifest).toEqual({
      runtime: 'docker',
      port: 4000,
      env: { DATABASE_URL: 'postgres://db:5432/shop', DEBUG: 'false', WORKERS: '4' },
      processes: {
        web: {
          command: './api --port 4000',
          healthCheck: { type: 'exec', command: 'wget -q -O /dev/null http://127.0.0.1:4000/health' },
        },
      },
      resources: { memory: '512MiB', cpus: 1.5, pids: 200 },
    });
    expect(db?.source).toEqual({ image: 'postgres:16' });
    expect(db?.manifest).toEqual({
      runtime: 'docker',
      port: 5432,
      processes: { web: { healthCheck: { type: 'none' } } },
    });
  });

  it('lists every key that does not carry over with its reason, top-level keys first', () => {
    const paths = plan(shopCompose, shopOptions).unsupported.map((u) => u.path);
    expect(paths).toEqual([
      'version',
      'volumes',
      'networks',
      'secrets',
      'services.debug',
      'services.web.restart',
      'services.web.entrypoint',
      'services.web.volumes',
      'services.web.container_name',
      'services.web.labels',
      'services.web.build.cache_from',
      'services.web.image',
      'services.web.ports[0]',
      'services.web.ports[1]',
      'services.web.ports[1]',
      'services.web.healthcheck.start_interval',
      'services.web.deploy.resources.reservations',
      'services.web.deploy.restart_policy',
      'services.web.deploy.update_config.parallelism',
      'services.web.depends_on.api.restart',
      'services.api.networks',
      'services.db.volumes',
      'services.db.secrets',
      'services.db.ports[0]',
    ]);
    const reasons = Object.fromEntries(plan(shopCompose, shopOptions).unsupported.map((u) => [u.path, u.reason]));
    expect(reasons['services.web.image']).toBe(
      'ignored — the app is built from ./web; Slipway names the images it builds',
    );
    expect(reasons['services.web.restart']).toMatch(/controller restarts crashed instances/);
    expect(reasons['services.debug']).toBe(
      'skipped — it has profiles (debug); only services without profiles are imported',
    );
    expect(reasons['services.db.ports[0]']).toBe(
      'host port 127.0.0.1:5432 is not published — the edge routes db.localhost to container port 5432',
    );
    expect(reasons['volumes']).toMatch(/^not created — /);
  });

  it('notes dependency conditions, environment names left out, and the route that replaces a published port', () => {
    const stack = plan(shopCompose, { ...shopOptions, variables: {}, environment: 'staging' });
    expect(stack.notes).toEqual(
      expect.arrayContaining([
        { path: 'services.web.build.args[1]', reason: 'left out — not set in the environment' },
        { path: 'services.api.environment.SECRET_KEY', reason: 'left out — not set in the environment' },
        {
          path: 'services.web.depends_on.api',
          reason: 'api is deployed first; Slipway waits for its deployment to succeed, i.e. its instances healthy',
        },
        expect.objectContaining({ path: 'services.api.depends_on.db' }),
        expect.objectContaining({ path: 'services.api.expose[0]' }),
      ]),
    );
    expect(stack.unsupported.find((u) => u.path === 'services.web.ports[0]')?.reason).toBe(
      'host port 8080 is not published — the edge routes web-staging.localhost to container port 3000',
    );
  });

  it('leaves out PORT and SLIPWAY_* from a service environment, saying Slipway sets them', () => {
    const stack = plan(
      'services:\n  api:\n    image: shop/api:1\n    environment: { PORT: "3000", SLIPWAY_APP: x, KEEP: y }\n',
    );
    expect(stack.apps[0]?.manifest['env']).toEqual({ KEEP: 'y' });
    expect(stack.notes).toEqual(
      expect.arrayContaining([
        { path: 'services.api.environment.PORT', reason: 'left out — Slipway sets PORT for each instance' },
        {
          path: 'services.api.environment.SLIPWAY_APP',
          reason: 'left out — Slipway sets SLIPWAY_APP for each instance',
        },
      ]),
    );
  });

  it('prefixes app names and runs every app on swarm when asked', () => {
    const stack = plan(shopCompose, { ...shopOptions, prefix: 'shop', runtime: 'swarm' });
    expect(stack.apps.map((a) => a.app)).toEqual(['shop-web', 'shop-api', 'shop-db']);
    expect(stack.apps.every((a) => a.manifest.runtime === 'swarm')).toBe(true);
    expect(stack.order).toEqual(['db', 'api', 'web']);
    expect(appNameOf('web', 'shop-')).toBe('shop-web');
    expect(stack.notes.find((n) => n.path === '(prefix)')?.reason).toBe(
      "on the stack's network the apps answer to their app names (shop-web), not to their service names (web); change references such as http://web:… to match",
    );
  });

  it('takes the first ports entry as the port, and refuses a build context on another machine', () => {
    const stack = plan('services:\n  a:\n    image: x\n    ports: ["53:53/udp", "127.0.0.1:8000-8001:80-81", 9000]\n');
    expect(stack.apps[0]?.manifest.port).toBe(80);
    expect(stack.unsupported.map((u) => `${u.path} ${u.reason}`)).toEqual([
      'services.a.ports[0] not routed — the edge routes HTTP over TCP, not udp',
      'services.a.ports[1] host port 127.0.0.1:8000-8001 is not published — the edge routes a.localhost to container port 80',
      "services.a.ports[2] not routed — an app has one routed port (80); container port 9000 is reachable only on the stack's network",
    ]);
    expect(composeIssues(() => plan('services:\n  a:\n    build: https://github.com/x/y.git\n'))).toEqual([
      'services.a.build: a remote build context (https://github.com/x/y.git) is not supported: clone it and point build at the directory',
    ]);
  });

  it('refuses a dependency cycle, naming the loop', () => {
    const text = `
services:
  front: { image: f, depends_on: [a] }
  a: { image: a, depends_on: [b] }
  b: { image: b, depends_on: { c: { condition: service_healthy } } }
  c: { image: c, depends_on: [a] }
`;
    expect(composeIssues(() => plan(text))).toEqual(['services.a.depends_on: depends_on makes a cycle: a → b → c → a']);
    expect(composeIssues(() => plan('services:\n  a: { image: a, depends_on: [a] }\n'))).toEqual([
      'services.a.depends_on: depends_on makes a cycle: a → a',
    ]);
  });

  it('refuses a missing or skipped dependency unless it is not required', () => {
    const text = `
services:
  web: { image: w, depends_on: { cache: { condition: service_started, required: false }, db: { condition: service_healthy } } }
  tools: { image: t, profiles: [tools] }
  job: { image: j, depends_on: [tools] }
`;
    expect(composeIssues(() => plan(text))).toEqual([
      'services.web.depends_on.db: db is not a service of this file',
      'services.job.depends_on.tools: tools is skipped because it has profiles',
    ]);
    const optional = plan(
      'services:\n  web: { image: w, depends_on: { cache: { condition: service_started, required: false } } }\n',
    );
    expect(optional.notes).toEqual([
      {
        path: 'services.web.depends_on.cache',
        reason: 'cache is not a service of this file; not required, so left out',
      },
    ]);
  });

  it('refuses service names that cannot be app names, with the rule, and a stack name that cannot be a project', () => {
    const text = 'services:\n  Web: { image: w }\n  my_api: { image: a }\n  9lives: { image: n }\n  ok: { image: o }\n';
    const rule =
      'an app name starts with a lowercase letter, holds only lowercase letters, digits and single "-", ends with a letter or digit and has at most 40 characters';
    expect(composeIssues(() => plan(text))).toEqual([
      `services.Web: "Web" cannot be an app name: ${rule}`,
      `services.my_api: "my_api" cannot be an app name: ${rule}`,
      `services.9lives: "9lives" cannot be an app name: ${rule}`,
    ]);
    expect(composeIssues(() => plan('services:\n  ok: { image: o }\n', { prefix: 'x'.repeat(40) }))).toEqual([
      `services.ok: "${'x'.repeat(40)}-ok" cannot be an app name: ${rule}`,
    ]);
    expect(composeIssues(() => plan('services:\n  ok: { image: o }\n', { stackName: 'Shop' }))[0]).toMatch(
      /^\(stack\): "Shop" cannot be a stack \(project\) name/,
    );
  });

  it('refuses what the manifest would refuse, and values compose itself refuses, each with its path', () => {
    const text = `
services:
  web:
    image: w
    environment: { "my.var": x }
    mem_limit: 256m
    deploy:
      resources: { limits: { memory: 512m } }
      placement: { constraints: [zone a] }
    healthcheck:
      test: [RUN, check]
      timeout: 10m
  none: { command: run }
  bad-port: { image: b, ports: ["http"], expose: ["none"] }
`;
    expect(composeIssues(() => plan(text))).toEqual([
      'services.web.environment.my.var: "my.var" is not a variable name (letters, digits and "_", not first a digit)',
      'services.web.healthcheck.test: must start with "CMD", "CMD-SHELL" or "NONE", or be a shell command',
      'services.web.mem_limit: differs from deploy.resources.limits.memory (256MiB against 512MiB): set one of them',
      'services.web: the manifest it becomes is invalid at placement.constraints.0: must be like node.labels.zone==a or node.role!=manager',
      'services.none: needs an image or a build',
      'services.bad-port.ports[0]: must be "HOST:CONTAINER" or "CONTAINER" with ports from 1 to 65535 (got "http")',
      'services.bad-port.expose[0]: must be a container port from 1 to 65535 (got "none")',
    ]);
  });

  it('reports a required env file the caller could not read', () => {
    expect(composeIssues(() => plan('services:\n  web: { image: w, env_file: [web.env] }\n'))).toEqual([
      'services.web.env_file[0]: /srv/shop/web.env does not exist',
    ]);
  });
});

describe('names and quoting', () => {
  it('makes a DNS label of a directory or project name', () => {
    expect(stackNameFrom('shop')).toBe('shop');
    expect(stackNameFrom('My_Shop 2')).toBe('my-shop-2');
    expect(stackNameFrom('2024-site')).toBe('site');
    expect(stackNameFrom('--')).toBeUndefined();
    expect(stackNameFrom('a'.repeat(60))).toBe('a'.repeat(40));
  });

  it('quotes command words sh would split or expand', () => {
    expect(shellQuote(['node', 'server.js', '--port=3000'])).toBe('node server.js --port=3000');
    expect(shellQuote(['sh', '-c', 'echo $HOME && ls'])).toBe("sh -c 'echo $HOME && ls'");
    expect(shellQuote(['echo', "it's", ''])).toBe("echo 'it'\\''s' ''");
  });
});
