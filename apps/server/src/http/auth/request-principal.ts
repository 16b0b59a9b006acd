/**
 * The caller on the Fastify request: `request.principal` (set by the authentication hook before any handler runs on a
 * non-public route; `undefined` on public routes) and `request.permission` (the route's entry of the permission table).
 *
 * ```ts
 * request.principal: Principal | undefined   // see @slipway/core identity/principal.ts for the shape
 * request.permission: RoutePermission | undefined   // { action: 'apps.create', access: { kind, minimumRole?, project? } }
 * requirePrincipal(request): Principal       // throws UNAUTHENTICATED on a public route
 * actorOfRequest(request): Actor             // for audit records; `anonymous` on public routes
 * ```
 */
import type { FastifyRequest } from 'fastify';
import { SlipwayError } from '@slipway/contract';
import { actorOf, type Actor, type Principal } from '@slipway/core';
import type { RoutePermission } from './route-permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by the authentication hook on every route that is not public. */
    principal: Principal | undefined;
    /** The route's entry in the permission table (action name and access rule). */
    permission: RoutePermission | undefined;
  }
}

/** The authenticated caller. Errors: `UNAUTHENTICATED` when the request carries none (a public route). */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal === undefined) {
    throw new SlipwayError('UNAUTHENTICATED', 'this request needs a credential (Authorization: Bearer …)');
  }
  return request.principal;
}

/** The actor an audit record names for this request: its principal, or anonymous. */
export function actorOfRequest(request: FastifyRequest): Actor {
  return actorOf(request.principal);
}
