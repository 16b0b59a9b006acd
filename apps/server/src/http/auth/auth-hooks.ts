/**
 * The one place where requests are authenticated and authorized, driven by the permission table:
 * - `onRoute` refuses to register a route that has no entry in the table (so none can be forgotten);
 * - `onRequest` finds the route's entry and, unless it is public, authenticates the bearer credential
 *   (`401 UNAUTHENTICATED` with `WWW-Authenticate: Bearer`) before the body is read;
 * - `preHandler` (the body parsed) resolves the project the route acts on and checks the role (`403 FORBIDDEN`).
 */
import type { FastifyInstance } from 'fastify';
import { SlipwayError } from '@slipway/contract';
import { authenticate, type IdentityDeps } from '@slipway/core';
import { heldRole, isAllowed, resolveTarget } from './authorize.js';
import './request-principal.js';
import { findRoutePermission } from './route-permissions.js';

export function installAuth(app: FastifyInstance, identity: IdentityDeps): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('permission', undefined);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (findRoutePermission(method, route.url) === undefined) {
        throw new Error(`route ${method} ${route.url} has no entry in the permission table (route-permissions.ts)`);
      }
    }
  });

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    // No route matched: the not-found handler answers ROUTE_NOT_FOUND.
    if (url === undefined) return;
    const permission = findRoutePermission(request.method, url);
    if (permission === undefined) {
      throw new SlipwayError('INTERNAL', `route ${request.method} ${url} has no entry in the permission table`);
    }
    request.permission = permission;
    if (permission.access.kind === 'public') return;
    request.principal = await authenticate(identity, request.headers.authorization);
  });

  app.addHook('preHandler', async (request) => {
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
