/**
 * The one place where requests are authenticated and authorized, driven by each route's declared permission:
 * - `onRoute` refuses to register a route that declares no permission in its `config` (so none can be forgotten);
 * - `onRequest` reads the route's permission and, unless it is public, authenticates the bearer credential
 *   (`401 UNAUTHENTICATED` with `WWW-Authenticate: Bearer`) before the body is read; the dashboard's credential is
 *   its session cookie (`web-session-cookies.ts`);
 * - `preValidation` (the body parsed, not yet validated) resolves the project the route acts on and checks the role
 *   (`403 FORBIDDEN`), so a caller without the role never learns how the route validates its input.
 */
import type { FastifyInstance } from 'fastify';
import { SlipwayError } from '@slipway/contract';
import { authenticate, type IdentityDeps } from '@slipway/core';
import { heldRole, isAllowed, resolveTarget } from './authorize.js';
import './request-principal.js';
import { permissionOf } from './route-permissions.js';
import { authorizationOf } from './web-session-cookies.js';

export function installAuth(app: FastifyInstance, identity: IdentityDeps): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('permission', undefined);

  app.addHook('onRoute', (route) => {
    if (route.config?.permission === undefined) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(
        `route ${methods} ${route.url} declares no permission: it has no entry in the permission table (route-declaration.ts)`,
      );
    }
  });

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    // No route matched: the not-found handler answers ROUTE_NOT_FOUND.
    if (url === undefined) return;
    const permission = permissionOf(request);
    if (permission === undefined) {
      throw new SlipwayError('INTERNAL', `route ${request.method} ${url} has no entry in the permission table`);
    }
    request.permission = permission;
    if (permission.access.kind === 'public') return;
    request.principal = await authenticate(identity, authorizationOf(request));
  });

  app.addHook('preValidation', async (request) => {
    const { permission, principal } = request;
    if (permission === undefined || principal === undefined) return;
    const { access, action } = permission;
    const target = await resolveTarget(identity.store, access, request);
    if (isAllowed(principal, access, target)) return;
    const held = heldRole(principal, access, target) ?? 'no role';
    const needed = 'minimumRole' in access ? access.minimumRole : 'a credential';
    const where =
      access.kind === 'global'
        ? 'globally'
        : target.kind === 'project'
          ? `on project "${target.projectName}"`
          : 'on any project';
    throw new SlipwayError(
      'FORBIDDEN',
      `${principal.displayName} may not ${action}: it needs the role ${needed} ${where}, and the credential holds ${held}`,
      { details: { action, requiredRole: needed, heldRole: held } },
    );
  });
}
