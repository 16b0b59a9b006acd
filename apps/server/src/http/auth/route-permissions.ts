/**
 * Who may call a route: its action name and its access rule, declared with the route itself (`permission` of a route
 * declaration, in the route's Fastify `config`). The auth hooks enforce it; a route without one cannot even be
 * registered, and the access-matrix test walks the table of every declared route (`route-table.ts`) for every role.
 *
 * Access rules:
 * - `public` — no credential (health, readiness, the OpenAPI document, login and refresh);
 * - `authenticated` — any valid credential (whoami, logout, own tokens, manifest validation);
 * - `global` — `minimumRole` held globally (users, projects, signing keys);
 * - `any-project` — `minimumRole` held globally or on at least one project; the handler lists only what the caller
 *   may see (lists, status);
 * - `project` — `minimumRole` on the project the route acts on, found from `project`: the `:app` parameter, the
 *   `:id` deployment (or approval request) parameter, the `:stack` parameter, or the body's `project` (default `default`). When that target does not exist, the
 *   rule is checked as `any-project` and the handler answers with its NOT_FOUND (or, for a body project, as
 *   `global`: creating an app in a missing project creates the project).
 *
 * Action names (`apps.create`, `deployments.create` …) are stable: audit records and rate-limit classes use them.
 */
import type { FastifyRequest } from 'fastify';
import type { Role } from '@slipway/contract';

export type ProjectSource =
  'app-param' | 'deployment-param' | 'approval-param' | 'body-project' | 'project-param' | 'stack-param';

export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'global'; readonly minimumRole: Role }
  | { readonly kind: 'any-project'; readonly minimumRole: Role }
  | { readonly kind: 'project'; readonly minimumRole: Role; readonly project: ProjectSource };

export interface RoutePermission {
  readonly action: string;
  readonly access: RouteAccess;
  /**
   * `refusals`: only refused requests are audited — for a route whose accepted requests are recorded by what it
   * stores itself (the webhook inbox keeps every accepted delivery). Default: every request.
   */
  readonly audit?: 'refusals';
}

export const publicAccess = { kind: 'public' } as const;
export const authenticated = { kind: 'authenticated' } as const;
export const globally = (minimumRole: Role): RouteAccess => ({ kind: 'global', minimumRole });
export const anyProject = (minimumRole: Role): RouteAccess => ({ kind: 'any-project', minimumRole });
export const onApp = (minimumRole: Role): RouteAccess => ({ kind: 'project', minimumRole, project: 'app-param' });
export const onDeployment = (minimumRole: Role): RouteAccess => ({
  kind: 'project',
  minimumRole,
  project: 'deployment-param',
});

/** On the project of the approval request the `:id` parameter names. */
export const onApproval = (minimumRole: Role): RouteAccess => ({
  kind: 'project',
  minimumRole,
  project: 'approval-param',
});

/** On the project of the stack the `:stack` parameter names. */
export const onStack = (minimumRole: Role): RouteAccess => ({ kind: 'project', minimumRole, project: 'stack-param' });

/** On the project the `:project` parameter names (its repositories). */
export const onProject = (minimumRole: Role): RouteAccess => ({
  kind: 'project',
  minimumRole,
  project: 'project-param',
});

export const onBodyProject = (minimumRole: Role): RouteAccess => ({
  kind: 'project',
  minimumRole,
  project: 'body-project',
});

/** The permission of the route a request matched; `undefined` when none matched (the not-found handler answers). */
export function permissionOf(request: Pick<FastifyRequest, 'routeOptions'>): RoutePermission | undefined {
  return request.routeOptions.config.permission;
}
