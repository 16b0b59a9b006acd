/**
 * The one table that decides who may call what: every API route (`METHOD /path` as registered with Fastify) → its
 * action name and its access rule. The auth hooks enforce it; a route missing here cannot even be registered, and
 * the access-matrix test walks it for every role.
 *
 * Access rules:
 * - `public` — no credential (health, readiness, the OpenAPI document, login and refresh);
 * - `authenticated` — any valid credential (whoami, logout, own tokens, manifest validation);
 * - `global` — `minimumRole` held globally (users, projects, signing keys);
 * - `any-project` — `minimumRole` held globally or on at least one project; the handler lists only what the caller
 *   may see (lists, status);
 * - `project` — `minimumRole` on the project the route acts on, found from `project`: the `:app` parameter, the
 *   `:id` deployment parameter, or the body's `project` (default `default`). When that target does not exist, the
 *   rule is checked as `any-project` and the handler answers with its NOT_FOUND (or, for a body project, as
 *   `global`: creating an app in a missing project creates the project).
 *
 * Action names (`apps.create`, `deployments.create` …) are stable: audit records and rate-limit classes use them.
 */
import type { Role } from '@slipway/contract';

export type ProjectSource = 'app-param' | 'deployment-param' | 'body-project';

export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'global'; readonly minimumRole: Role }
  | { readonly kind: 'any-project'; readonly minimumRole: Role }
  | { readonly kind: 'project'; readonly minimumRole: Role; readonly project: ProjectSource };

export interface RoutePermission {
  readonly action: string;
  readonly access: RouteAccess;
}

const publicAccess = { kind: 'public' } as const;
const authenticated = { kind: 'authenticated' } as const;
const global = (minimumRole: Role): RouteAccess => ({ kind: 'global', minimumRole });
const anyProject = (minimumRole: Role): RouteAccess => ({ kind: 'any-project', minimumRole });
const onApp = (minimumRole: Role): RouteAccess => ({ kind: 'project', minimumRole, project: 'app-param' });
const onDeployment = (minimumRole: Role): RouteAccess => ({
  kind: 'project',
  minimumRole,
  project: 'deployment-param',
});

/** Keyed `METHOD /path` with Fastify's parameter syntax; HEAD routes use their GET entry. */
export const routePermissions: Readonly<Record<string, RoutePermission>> = {
  'GET /healthz': { action: 'system.health', access: publicAccess },
  'GET /readyz': { action: 'system.ready', access: publicAccess },
  'GET /api/v1/openapi.json': { action: 'system.openapi', access: publicAccess },
  'GET /api/v1/status': { action: 'system.status', access: anyProject('viewer') },
  'POST /api/v1/validate': { action: 'manifests.validate', access: authenticated },

  'POST /api/v1/auth/login': { action: 'auth.login', access: publicAccess },
  'POST /api/v1/auth/refresh': { action: 'auth.refresh', access: publicAccess },
  'POST /api/v1/auth/logout': { action: 'auth.logout', access: authenticated },
  'GET /api/v1/auth/whoami': { action: 'auth.whoami', access: authenticated },
  'POST /api/v1/auth/keys/rotate': { action: 'auth.keys.rotate', access: global('owner') },

  'POST /api/v1/tokens': { action: 'tokens.create', access: authenticated },
  'GET /api/v1/tokens': { action: 'tokens.list', access: authenticated },
  'DELETE /api/v1/tokens/:id': { action: 'tokens.revoke', access: authenticated },

  'POST /api/v1/users': { action: 'users.create', access: global('admin') },
  'GET /api/v1/users': { action: 'users.list', access: global('admin') },
  'POST /api/v1/users/:user/grants': { action: 'users.grant', access: global('admin') },
  'DELETE /api/v1/users/:user/grants': { action: 'users.revoke-grant', access: global('admin') },
  'PUT /api/v1/users/:user/password': { action: 'users.set-password', access: global('owner') },

  'GET /api/v1/projects': { action: 'projects.list', access: anyProject('viewer') },
  'POST /api/v1/projects': { action: 'projects.create', access: global('admin') },

  'GET /api/v1/apps': { action: 'apps.list', access: anyProject('viewer') },
  'POST /api/v1/apps': {
    action: 'apps.create',
    access: { kind: 'project', minimumRole: 'admin', project: 'body-project' },
  },
  'GET /api/v1/apps/:app': { action: 'apps.read', access: onApp('viewer') },
  'DELETE /api/v1/apps/:app': { action: 'apps.delete', access: onApp('admin') },
  'GET /api/v1/apps/:app/config': { action: 'config.read', access: onApp('viewer') },
  'PATCH /api/v1/apps/:app/config': { action: 'config.write', access: onApp('deployer') },
  'PUT /api/v1/apps/:app/scale': { action: 'apps.scale', access: onApp('deployer') },
  'GET /api/v1/apps/:app/releases': { action: 'releases.list', access: onApp('viewer') },
  'POST /api/v1/apps/:app/rollback': { action: 'releases.rollback', access: onApp('deployer') },
  'GET /api/v1/apps/:app/instances': { action: 'instances.list', access: onApp('viewer') },
  'GET /api/v1/apps/:app/logs': { action: 'logs.read', access: onApp('viewer') },
  'GET /api/v1/apps/:app/secrets': { action: 'secrets.list', access: onApp('viewer') },
  'PATCH /api/v1/apps/:app/secrets': { action: 'secrets.change', access: onApp('deployer') },
  'PUT /api/v1/apps/:app/secrets/:name': { action: 'secrets.set', access: onApp('deployer') },
  'DELETE /api/v1/apps/:app/secrets/:name': { action: 'secrets.unset', access: onApp('deployer') },
  'POST /api/v1/master-key/rotate': { action: 'secrets.master-key.rotate', access: global('owner') },
  'POST /api/v1/apps/:app/deployments': { action: 'deployments.create', access: onApp('deployer') },
  'GET /api/v1/apps/:app/deployments': { action: 'deployments.list', access: onApp('viewer') },
  'GET /api/v1/deployments/:id': { action: 'deployments.read', access: onDeployment('viewer') },
  'GET /api/v1/deployments/:id/events': { action: 'deployments.events', access: onDeployment('viewer') },
  'POST /api/v1/deployments/:id/cancel': { action: 'deployments.cancel', access: onDeployment('deployer') },

  'GET /api/v1/audit': { action: 'audit.list', access: global('admin') },
  'GET /api/v1/audit/verify': { action: 'audit.verify', access: global('admin') },
  'GET /api/v1/system/rate-limits': { action: 'system.rate-limits', access: global('admin') },
  'GET /api/v1/system/images': { action: 'images.list', access: global('admin') },
  'POST /api/v1/system/images/prune': { action: 'images.prune', access: global('admin') },
  'GET /api/v1/hosts': { action: 'hosts.list', access: global('admin') },
  'POST /api/v1/hosts': { action: 'hosts.grant', access: global('admin') },
  'DELETE /api/v1/hosts/:host': { action: 'hosts.revoke', access: global('admin') },
};

/** The table entry of a registered route; `undefined` when it has none (which registration refuses). */
export function findRoutePermission(method: string, url: string): RoutePermission | undefined {
  return routePermissions[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
