/**
 * The access matrix, against a real slipwayd: every route of the permission table, for no credential, bad
 * credentials and every role (per project, global, and a token narrowed to a project and a role), answers exactly as
 * the table says — 401 without a credential unless public, 403 without the role, and otherwise the route's own answer
 * (probes carry invalid bodies, so an allowed write stops at validation). slipwayd refuses to start with a registered
 * route missing from the table, so this suite also fails then.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleRank, type Role } from '@slipway/contract';
import type { RoutePermission } from '../../apps/server/src/http/auth/route-permissions.js';
import { routePermissions } from '../../apps/server/src/http/route-table.js';
import { callApi, createUser, errorCode, tokenOf, type ApiAnswer } from './identity-fixtures.js';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

/** A caller of the matrix: an API token, and the roles it holds where the table looks. */
interface Caller {
  readonly name: string;
  token: string;
  readonly global?: Role;
  readonly acme?: Role;
  readonly other?: Role;
}

const rank = (role: Role | undefined): number => (role === undefined ? -1 : roleRank(role));

/** What the table says, computed independently of slipwayd's own check. Project routes all act on project acme. */
function isExpectedAllowed(caller: Caller, permission: RoutePermission): boolean {
  const { access } = permission;
  switch (access.kind) {
    case 'public':
    case 'authenticated':
      return true;
    case 'global':
      return rank(caller.global) >= rank(access.minimumRole);
    case 'any-project':
      return Math.max(rank(caller.global), rank(caller.acme), rank(caller.other)) >= rank(access.minimumRole);
    case 'project':
      return Math.max(rank(caller.global), rank(caller.acme)) >= rank(access.minimumRole);
  }
}

const matrixApp = 'matrix-app';
const doomedApp = 'matrix-doomed';
const gatedApp = 'matrix-gated';
const matrixStack = 'matrix-stack';

describe('the access matrix: every route × every role', () => {
  let slipwayd: SlipwaydHarness;
  let deploymentId: string;
  /** A pending approval request in project acme (of an app the probes do not otherwise touch). */
  let approvalId: string;
  const callers: Caller[] = [
    { name: 'nobody', token: '' },
    { name: 'acme-viewer', token: '', acme: 'viewer' },
    { name: 'acme-deployer', token: '', acme: 'deployer' },
    { name: 'acme-admin', token: '', acme: 'admin' },
    { name: 'other-deployer', token: '', other: 'deployer' },
    { name: 'global-admin', token: '', global: 'admin' },
    { name: 'owner', token: '', global: 'owner' },
    // The owner's own token, narrowed to acme and capped at viewer: it can never exceed that.
    { name: 'owner-narrowed', token: '', acme: 'viewer' },
  ];

  /** The probe of a route: its parameters filled with real targets in project acme, and an invalid body. */
  function probe(key: string): { method: string; path: string; json?: unknown } {
    const [method = 'GET', template = '/'] = key.split(' ');
    const isTokenRoute = template.startsWith('/api/v1/tokens/');
    const isApprovalRoute = template.startsWith('/api/v1/approvals/');
    let path = template
      .replace(':app', key === 'DELETE /api/v1/apps/:app' ? doomedApp : matrixApp)
      .replace(':id', isTokenRoute ? 'tok_not_there' : isApprovalRoute ? approvalId : deploymentId)
      .replace(':env', 'production')
      .replace(':user', 'matrix-dummy')
      .replace(':name', 'MATRIX_PROBE')
      .replace(':host', 'matrix-probe.example.com')
      .replace(':project', 'acme')
      .replace(':repository', 'matrix-repo')
      .replace(':stack', matrixStack);
    if (method === 'DELETE') path += '?deploy=not-a-boolean';
    if (method === 'GET' || method === 'DELETE') return { method, path };
    const isProjectBody = key === 'POST /api/v1/apps' || key === 'POST /api/v1/stacks';
    return { method, path, json: isProjectBody ? { project: 'acme', probe: true } : { probe: true } };
  }

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    // The matrix sends some 1,500 writes from one address; the limiter (its own suite, rate-limits) would answer the
    // later ones 429 before the permission check under test: it is off here.
    const configFile = join(slipwayd.dataDir, 'matrix-config.yaml');
    writeFileSync(configFile, 'rateLimits:\n  isEnabled: false\n');
    await slipwayd.start({ args: ['--config', configFile] });
    const owner = slipwayd.api;
    await owner.projects.create({ name: 'acme' });
    await owner.projects.create({ name: 'other' });
    await owner.apps.create({ name: matrixApp, project: 'acme' });
    await owner.apps.create({ name: doomedApp, project: 'acme' });
    await owner.apps.create({ name: 'matrix-other', project: 'other' });
    const deployed = await owner.deployments.create(matrixApp, { path: `${fixturesDir}/hello-static` });
    deploymentId = deployed.deployment.id;
    expect((await slipwayd.settle(deploymentId)).state).toBe('succeeded');
    await owner.apps.create({ name: gatedApp, project: 'acme' });
    await owner.environments.setApprovalPolicy(gatedApp, 'production', {});
    const gated = await owner.deployments.create(gatedApp, { path: `${fixturesDir}/hello-static` });
    approvalId = await waitFor(
      async () => {
        const [pending] = (await owner.approvals.list({ app: gatedApp })).approvals;
        if (pending?.deploymentId !== gated.deployment.id) throw new Error('no approval request yet');
        return pending.id;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await createUser(slipwayd, 'matrix-dummy');
    await owner.repositories.add('acme', { name: 'matrix-repo', url: 'https://git.example.com/acme/matrix.git' });
    await owner.stacks.put({
      name: matrixStack,
      project: 'acme',
      source: {
        kind: 'file',
        fileName: 'compose.yaml',
        composeDir: '/srv/matrix',
        compose: 'services:\n  matrix-app:\n    image: local/busybox:latest\n',
      },
    });

    await createUser(slipwayd, 'owner-self', [{ role: 'owner' }]);
    for (const caller of callers) {
      if (caller.name === 'owner') caller.token = (await slipwayd.adminToken()) ?? '';
      else if (caller.name === 'owner-narrowed') {
        caller.token = await tokenOf(slipwayd, 'owner-self', { project: 'acme', role: 'viewer' });
      } else {
        const grants = [
          ...(caller.global === undefined ? [] : [{ role: caller.global }]),
          ...(caller.acme === undefined ? [] : [{ role: caller.acme, project: 'acme' }]),
          ...(caller.other === undefined ? [] : [{ role: caller.other, project: 'other' }]),
        ];
        await createUser(slipwayd, caller.name, grants);
        caller.token = await tokenOf(slipwayd, caller.name);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('answers 401 with WWW-Authenticate: Bearer on every route but the public ones when no credential is sent', async () => {
    const outcomes: string[] = [];
    for (const [key, permission] of Object.entries(routePermissions)) {
      const answer = await callApi(slipwayd, probe(key));
      const isPublic = permission.access.kind === 'public';
      outcomes.push(`${key} → ${answer.status}`);
      expect(answer.status, key).toBeLessThan(500);
      if (isPublic) {
        expect(answer.status, key).not.toBe(401);
        continue;
      }
      expect(answer.status, key).toBe(401);
      expect(errorCode(answer), key).toBe('UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate'), key).toMatch(/^Bearer realm="slipway"/);
    }
    const publicRoutes = Object.entries(routePermissions).filter(([, p]) => p.access.kind === 'public');
    expect(publicRoutes.map(([key]) => key).sort()).toEqual([
      'GET /api/v1/openapi.json',
      'GET /healthz',
      'GET /readyz',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/refresh',
      // The dashboard's session routes: they set and clear cookies (and want the CSRF header).
      'POST /api/v1/auth/web/login',
      'POST /api/v1/auth/web/logout',
      'POST /api/v1/auth/web/refresh',
      // Authenticated by the git host's signature, not by a Slipway credential.
      'POST /api/v1/hooks/:provider/:repository',
    ]);
    expect(outcomes).toHaveLength(Object.keys(routePermissions).length);
  });

  it('refuses malformed, unknown and foreign credentials with 401', async () => {
    const refresh = (await slipwayd.api.auth.login({ username: 'nobody', password: 'correct horse battery staple' }))
      .refreshToken;
    for (const token of ['slw_not-a-token', 'eyJhbGciOiJFZERTQSJ9.e30.c2ln', 'garbage', refresh]) {
      const answer = await callApi(slipwayd, { method: 'GET', path: '/api/v1/apps', token });
      expect(answer.status, token).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    const basic = await fetch(`${slipwayd.url}/api/v1/apps`, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expect(basic.status).toBe(401);
    await basic.body?.cancel();
  });

  it('lets each role do exactly what the table says, on every route', async () => {
    const mismatches: string[] = [];
    let allowed = 0;
    let forbidden = 0;
    for (const caller of callers) {
      for (const [key, permission] of Object.entries(routePermissions)) {
        const answer: ApiAnswer = await callApi(slipwayd, { ...probe(key), token: caller.token });
        const isAllowed = isExpectedAllowed(caller, permission);
        const got = `${answer.status} ${errorCode(answer) ?? ''}`.trim();
        if (answer.status >= 500) mismatches.push(`${caller.name} ${key}: ${got}`);
        if (answer.status === 401) mismatches.push(`${caller.name} ${key}: ${got}`);
        if (isAllowed && answer.status === 403) mismatches.push(`${caller.name} ${key}: expected allowed, got ${got}`);
        if (!isAllowed && answer.status !== 403) mismatches.push(`${caller.name} ${key}: expected 403, got ${got}`);
        if (isAllowed) allowed += 1;
        else forbidden += 1;
        if (key === 'DELETE /api/v1/apps/:app') {
          // A refused delete changed nothing; an allowed one is undone for the next caller.
          const remaining = (await slipwayd.api.apps.list()).apps.map((a) => a.name);
          expect(remaining.includes(doomedApp), `${caller.name} ${key}`).toBe(!isAllowed);
          if (isAllowed) await slipwayd.api.apps.create({ name: doomedApp, project: 'acme' });
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(allowed + forbidden).toBe(callers.length * Object.keys(routePermissions).length);
    expect(forbidden).toBeGreaterThan(0);
  }, 120_000);

  it('lists only the projects, apps and status rows the caller may read', async () => {
    const appsOf = async (name: string) => {
      const token = callers.find((c) => c.name === name)?.token;
      const answer = await callApi(slipwayd, { method: 'GET', path: '/api/v1/apps', token });
      return (answer.body as { apps: { name: string }[] }).apps.map((a) => a.name).sort();
    };
    expect(await appsOf('acme-viewer')).toEqual([matrixApp, doomedApp, gatedApp]);
    expect(await appsOf('owner-narrowed')).toEqual([matrixApp, doomedApp, gatedApp]);
    expect(await appsOf('other-deployer')).toEqual(['matrix-other']);
    expect(await appsOf('global-admin')).toEqual([matrixApp, doomedApp, gatedApp, 'matrix-other']);

    // Approval requests too: a role on one project never shows another project's.
    const approvalsOf = async (name: string) => {
      const token = callers.find((c) => c.name === name)?.token;
      const answer = await callApi(slipwayd, { method: 'GET', path: '/api/v1/approvals', token });
      return (answer.body as { approvals: { id: string }[] }).approvals.map((a) => a.id);
    };
    expect(await approvalsOf('acme-viewer')).toEqual([approvalId]);
    expect(await approvalsOf('other-deployer')).toEqual([]);

    const viewer = callers.find((c) => c.name === 'acme-viewer')?.token;
    const projects = await callApi(slipwayd, { method: 'GET', path: '/api/v1/projects', token: viewer });
    expect((projects.body as { projects: { name: string }[] }).projects.map((p) => p.name)).toEqual(['acme']);
    const status = await callApi(slipwayd, { method: 'GET', path: '/api/v1/status', token: viewer });
    expect(new Set((status.body as { apps: { name: string }[] }).apps.map((a) => a.name))).toEqual(
      new Set([doomedApp, matrixApp, gatedApp]),
    );
  });

  it('documents every route of the table in the OpenAPI document, public ones without security', async () => {
    const answer = await callApi(slipwayd, { method: 'GET', path: '/api/v1/openapi.json' });
    const paths = (answer.body as { paths: Record<string, Record<string, { security?: unknown[] }>> }).paths;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.sort()).toEqual(
      Object.keys(routePermissions)
        .filter((key) => !['GET /healthz', 'GET /readyz', 'GET /api/v1/openapi.json'].includes(key))
        .sort(),
    );
    expect(paths['/api/v1/auth/login']?.['post']?.security).toEqual([]);
    expect(paths['/api/v1/apps']?.['get']?.security).toBeUndefined();
  });
});
