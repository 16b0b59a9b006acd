/**
 * The authorization decision of a request, from its route's access rule and the project it acts on: one pure
 * function (`isAllowed`) and the lookups that find the project (`resolveTarget`). Also what list handlers use to show
 * only the projects a caller may read (`visibleProjects`).
 */
import type { FastifyRequest } from 'fastify';
import { isRoleAtLeast, type Role } from '@slipway/contract';
import {
  findApprovalProjectId,
  globalRole,
  hasRole,
  highestRole,
  roleOnProject,
  type Principal,
  type Repositories,
} from '@slipway/core';
import type { ProjectSource, RouteAccess } from './route-permissions.js';
import { requirePrincipal } from './request-principal.js';

/** The project a request acts on: found, or named but missing (`projectId` null), or none (not project-scoped). */
export type Target =
  | { readonly kind: 'none' }
  | { readonly kind: 'project'; readonly projectId: string; readonly projectName: string }
  | { readonly kind: 'missing'; readonly source: ProjectSource };

/** True when `principal` may call a route with this access rule on this target. */
export function isAllowed(principal: Principal, access: RouteAccess, target: Target): boolean {
  switch (access.kind) {
    case 'public':
    case 'authenticated':
      return true;
    case 'global':
      return hasRole(principal, null, access.minimumRole);
    case 'any-project':
      return isRoleAtLeast(highestRole(principal.grants), access.minimumRole);
    case 'project':
      if (target.kind === 'project') return hasRole(principal, target.projectId, access.minimumRole);
      // Creating an app in a project that does not exist creates the project: that needs the role globally.
      if (target.kind === 'missing' && target.source === 'body-project') {
        return hasRole(principal, null, access.minimumRole);
      }
      // The target does not exist: let a caller who could act on some project hear NOT_FOUND from the handler.
      return isRoleAtLeast(highestRole(principal.grants), access.minimumRole);
  }
}

/** The role the caller holds where the rule looks, for the refusal's message. */
export function heldRole(principal: Principal, access: RouteAccess, target: Target): Role | undefined {
  if (access.kind === 'global') return globalRole(principal.grants);
  if (target.kind === 'project') return roleOnProject(principal.grants, target.projectId);
  return highestRole(principal.grants);
}

const stringField = (value: unknown, key: string): string | undefined => {
  if (value === null || typeof value !== 'object') return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
};

/** Finds the project a request acts on, from its rule's `project` source. Reads the store; never throws for bad input. */
export async function resolveTarget(
  repos: Repositories,
  access: RouteAccess,
  request: Pick<FastifyRequest, 'params' | 'body'>,
): Promise<Target> {
  if (access.kind !== 'project') return { kind: 'none' };
  const missing: Target = { kind: 'missing', source: access.project };
  let projectId: string | undefined;
  switch (access.project) {
    case 'app-param': {
      const name = stringField(request.params, 'app');
      projectId = name === undefined ? undefined : (await repos.apps.findByName(name))?.projectId;
      break;
    }
    case 'deployment-param': {
      const id = stringField(request.params, 'id');
      const deployment = id === undefined ? undefined : await repos.deployments.findById(id);
      projectId = deployment === undefined ? undefined : (await repos.apps.findById(deployment.appId))?.projectId;
      break;
    }
    case 'approval-param': {
      const id = stringField(request.params, 'id');
      projectId = id === undefined ? undefined : await findApprovalProjectId(repos, id);
      break;
    }
    case 'stack-param': {
      const name = stringField(request.params, 'stack');
      projectId = name === undefined ? undefined : (await repos.stacks.findByName(name))?.projectId;
      break;
    }
    case 'project-param': {
      const name = stringField(request.params, 'project');
      projectId = name === undefined ? undefined : (await repos.projects.findByName(name))?.id;
      break;
    }
    case 'body-project': {
      const name = stringField(request.body, 'project') ?? 'default';
      projectId = (await repos.projects.findByName(name))?.id;
      break;
    }
  }
  if (projectId === undefined) return missing;
  const project = await repos.projects.findById(projectId);
  return project === undefined ? missing : { kind: 'project', projectId, projectName: project.name };
}

/** Which projects the caller may read (`viewer` or more), by id: every one for a global grant. */
export function visibleProjects(request: FastifyRequest, minimumRole: Role = 'viewer'): (projectId: string) => boolean {
  const principal = requirePrincipal(request);
  return (projectId) => hasRole(principal, projectId, minimumRole);
}

/** As `visibleProjects`, by project name (views name their project). */
export async function visibleProjectNames(
  request: FastifyRequest,
  repos: Repositories,
  minimumRole: Role = 'viewer',
): Promise<(projectName: string) => boolean> {
  const canSee = visibleProjects(request, minimumRole);
  const ids = new Map((await repos.projects.list()).map((p) => [p.name, p.id]));
  return (projectName) => {
    const id = ids.get(projectName);
    return id !== undefined && canSee(id);
  };
}
