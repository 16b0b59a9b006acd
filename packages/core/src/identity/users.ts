/**
 * Users and their grants. Nobody grants or revokes a role above their own at that scope (an admin cannot make an
 * owner), `owner` is global only, `viewer` and `deployer` are per project, and the last owner cannot be removed.
 * Setting a password ends the user's sessions.
 */
import {
  globalRoles,
  projectRoles,
  SlipwayError,
  type CreateUserBody,
  type GrantBody,
  type Role,
  type UserView,
} from '@slipway/contract';
import type { Repositories } from '../ports/store.js';
import type { GrantRecord, UserRecord } from './identity-records.js';
import { reportSecurityEvent, type IdentityDeps } from './identity-deps.js';
import { loadProjectNames, userView } from './identity-views.js';
import { actorOf, hasRole, type Principal } from './principal.js';

/** Errors: `USER_NOT_FOUND`. */
export async function getUser(repos: Repositories, name: string): Promise<UserRecord> {
  const user = await repos.users.findByName(name);
  if (user === undefined) {
    throw new SlipwayError('USER_NOT_FOUND', `no user named "${name}"`, { details: { user: name } });
  }
  return user;
}

/** Creates a user with no grants (and no password login unless `password` is given). Errors: `USER_ALREADY_EXISTS`. */
export async function createUser(deps: IdentityDeps, principal: Principal, input: CreateUserBody): Promise<UserView> {
  const nowMs = deps.clock.nowMs();
  const user: UserRecord = {
    id: deps.ids.next('usr'),
    name: input.name,
    passwordHash: input.password === undefined ? null : await deps.passwords.hash(input.password),
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  await deps.store.users.insert(user);
  deps.logger.info({ user: user.name, by: principal.userName }, 'user created');
  reportSecurityEvent(deps, {
    name: 'users.created',
    actor: actorOf(principal),
    target: { kind: 'user', id: user.name },
    outcome: 'success',
    details: { userId: user.id, hasPassword: user.passwordHash !== null },
  });
  return userView(user, [], await loadProjectNames(deps.store));
}

export async function listUsers(deps: IdentityDeps): Promise<UserView[]> {
  const names = await loadProjectNames(deps.store);
  const users = await deps.store.users.list();
  return Promise.all(users.map(async (u) => userView(u, await deps.store.users.listGrants(u.id), names)));
}

/**
 * Grants `role` on a project (or globally), replacing the user's role there.
 * Errors: `USER_NOT_FOUND`, `PROJECT_NOT_FOUND`, `VALIDATION_FAILED` (a role not grantable at that scope; demoting the
 * last owner), `FORBIDDEN` (granting, or replacing, a role above the caller's own there).
 */
export async function grantRole(
  deps: IdentityDeps,
  principal: Principal,
  userName: string,
  input: GrantBody,
): Promise<UserView> {
  const view = await deps.store.transaction(async (tx) => {
    const user = await getUser(tx, userName);
    const projectId = await resolveScope(tx, input.project);
    const allowed: readonly Role[] = projectId === null ? globalRoles : projectRoles;
    if (!allowed.includes(input.role)) {
      const where = projectId === null ? 'globally' : 'on a project';
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `"${input.role}" cannot be granted ${where}: grant ${allowed.join(' or ')} (${projectId === null ? 'viewer and deployer need a project' : 'owner is global'})`,
        { details: { role: input.role, project: input.project ?? null } },
      );
    }
    const existing = (await tx.users.listGrants(user.id)).find((g) => g.projectId === projectId);
    requireAtLeast(principal, projectId, input.role, 'grant');
    if (existing !== undefined) requireAtLeast(principal, projectId, existing.role, 'replace');
    if (existing?.role === 'owner' && input.role !== 'owner') await refuseLastOwner(tx, user);
    await tx.users.putGrant({ userId: user.id, projectId, role: input.role, createdAtMs: deps.clock.nowMs() });
    return userView(user, await tx.users.listGrants(user.id), await loadProjectNames(tx));
  });
  deps.logger.info(
    { user: userName, role: input.role, project: input.project, by: principal.userName },
    'role granted',
  );
  reportSecurityEvent(deps, {
    name: 'users.role.granted',
    actor: actorOf(principal),
    target: { kind: 'user', id: userName },
    outcome: 'success',
    details: { role: input.role, project: input.project ?? null },
  });
  return view;
}

/**
 * Revokes the user's grant on a project (or the global one); a no-op when there is none.
 * Errors: `USER_NOT_FOUND`, `PROJECT_NOT_FOUND`, `FORBIDDEN` (a role above the caller's), `VALIDATION_FAILED` (the last owner).
 */
export async function revokeRole(
  deps: IdentityDeps,
  principal: Principal,
  userName: string,
  project: string | undefined,
): Promise<UserView> {
  let revoked: Role | undefined;
  const view = await deps.store.transaction(async (tx) => {
    const user = await getUser(tx, userName);
    const projectId = await resolveScope(tx, project);
    const existing = (await tx.users.listGrants(user.id)).find((g) => g.projectId === projectId);
    if (existing !== undefined) {
      requireAtLeast(principal, projectId, existing.role, 'revoke');
      if (existing.role === 'owner') await refuseLastOwner(tx, user);
      await tx.users.deleteGrant(user.id, projectId);
      revoked = existing.role;
    }
    return userView(user, await tx.users.listGrants(user.id), await loadProjectNames(tx));
  });
  if (revoked !== undefined) {
    deps.logger.info({ user: userName, role: revoked, project, by: principal.userName }, 'role revoked');
    reportSecurityEvent(deps, {
      name: 'users.role.revoked',
      actor: actorOf(principal),
      target: { kind: 'user', id: userName },
      outcome: 'success',
      details: { role: revoked, project: project ?? null },
    });
  }
  return view;
}

/** Sets (or replaces) the user's password and ends their sessions. Errors: `USER_NOT_FOUND`. */
export async function setPassword(
  deps: IdentityDeps,
  principal: Principal,
  userName: string,
  password: string,
): Promise<void> {
  const user = await getUser(deps.store, userName);
  const passwordHash = await deps.passwords.hash(password);
  const nowMs = deps.clock.nowMs();
  await deps.store.transaction(async (tx) => {
    await tx.users.setPasswordHash(user.id, passwordHash, nowMs);
    await tx.sessions.revokeAllOfUser(user.id, nowMs, 'password-changed');
  });
  deps.logger.info({ user: userName, by: principal.userName }, 'password set');
  reportSecurityEvent(deps, {
    name: 'users.password.set',
    actor: actorOf(principal),
    target: { kind: 'user', id: userName },
    outcome: 'success',
    details: { sessionsEnded: true },
  });
}

async function resolveScope(repos: Repositories, project: string | undefined): Promise<string | null> {
  if (project === undefined) return null;
  const record = await repos.projects.findByName(project);
  if (record === undefined) {
    throw new SlipwayError('PROJECT_NOT_FOUND', `no project named "${project}"`, { details: { project } });
  }
  return record.id;
}

function requireAtLeast(principal: Principal, projectId: string | null, role: Role, verb: string): void {
  if (!hasRole(principal, projectId, role)) {
    throw new SlipwayError(
      'FORBIDDEN',
      `you cannot ${verb} the role "${role}" ${projectId === null ? 'globally' : 'there'}: it is above your own`,
      {
        details: { role },
      },
    );
  }
}

async function refuseLastOwner(repos: Repositories, user: UserRecord): Promise<void> {
  const owners: GrantRecord[] = await repos.users.listGlobalGrants('owner');
  if (owners.length <= 1 && owners[0]?.userId === user.id) {
    throw new SlipwayError('VALIDATION_FAILED', `"${user.name}" is the last owner: grant owner to someone else first`, {
      details: { user: user.name },
    });
  }
}
