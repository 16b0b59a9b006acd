/**
 * API tokens: created by a user for themselves, shown once, stored as a hash, optionally narrowed to a project and a
 * maximum role, optionally expiring; revoked at once. A token made with a narrowed token stays within its maker's
 * narrowing (same project, no higher role, no later expiry).
 */
import { lowerRole, SlipwayError, type CreateTokenBody, type Role, type TokenView } from '@slipway/contract';
import type { ApiTokenRecord } from './identity-records.js';
import { apiTokenPrefix, reportSecurityEvent, type IdentityDeps } from './identity-deps.js';
import { loadProjectNames, tokenView } from './identity-views.js';
import { actorOf, hasRole, type Principal } from './principal.js';

/** Creates a token of the caller's user. Errors: `PROJECT_NOT_FOUND`, `FORBIDDEN` (outside the caller's narrowing). */
export async function createApiToken(
  deps: IdentityDeps,
  principal: Principal,
  input: CreateTokenBody,
): Promise<{ token: TokenView; secret: string }> {
  const { store, clock } = deps;
  let projectId: string | null = null;
  if (input.project !== undefined) {
    const project = await store.projects.findByName(input.project);
    if (project === undefined) {
      throw new SlipwayError('PROJECT_NOT_FOUND', `no project named "${input.project}"`, {
        details: { project: input.project },
      });
    }
    projectId = project.id;
  }
  let maxRole: Role | null = input.role ?? null;
  const nowMs = clock.nowMs();
  let expiresAtMs = input.expiresInSeconds === undefined ? null : nowMs + input.expiresInSeconds * 1000;

  if (principal.credential.kind === 'api-token') {
    const maker = await store.apiTokens.findById(principal.credential.id);
    if (maker !== undefined) {
      if (maker.projectId !== null) {
        if (projectId !== null && projectId !== maker.projectId) {
          throw new SlipwayError('FORBIDDEN', 'a token narrowed to a project cannot create a token for another one');
        }
        projectId = maker.projectId;
      }
      if (maker.maxRole !== null) maxRole = lowerRole(maxRole ?? maker.maxRole, maker.maxRole) ?? maker.maxRole;
      if (maker.expiresAtMs !== null) expiresAtMs = Math.min(expiresAtMs ?? maker.expiresAtMs, maker.expiresAtMs);
    }
  }

  const secret = deps.tokens.generate(apiTokenPrefix);
  const record: ApiTokenRecord = {
    id: deps.ids.next('tok'),
    userId: principal.userId,
    name: input.name,
    tokenHash: deps.tokens.hash(secret),
    projectId,
    maxRole,
    createdAtMs: nowMs,
    expiresAtMs,
    lastUsedAtMs: null,
    revokedAtMs: null,
  };
  await store.apiTokens.insert(record);
  deps.logger.info(
    { user: principal.userName, tokenId: record.id, project: input.project, role: maxRole },
    'token created',
  );
  reportSecurityEvent(deps, {
    name: 'tokens.created',
    actor: actorOf(principal),
    target: { kind: 'token', id: record.id },
    outcome: 'success',
    details: { name: record.name, project: input.project ?? null, role: maxRole, expiresAtMs },
  });
  return { token: tokenView(record, principal.userName, await loadProjectNames(store)), secret };
}

/** The caller's own tokens, oldest first, revoked ones included. */
export async function listApiTokens(deps: IdentityDeps, principal: Principal): Promise<TokenView[]> {
  const names = await loadProjectNames(deps.store);
  return (await deps.store.apiTokens.listByUser(principal.userId)).map((t) => tokenView(t, principal.userName, names));
}

/**
 * Revokes a token of the caller's user (an owner may revoke anyone's); revoking twice is a no-op.
 * Errors: `TOKEN_NOT_FOUND` when there is no such token the caller may revoke.
 */
export async function revokeApiToken(deps: IdentityDeps, principal: Principal, id: string): Promise<void> {
  const token = await deps.store.apiTokens.findById(id);
  if (token === undefined || (token.userId !== principal.userId && !hasRole(principal, null, 'owner'))) {
    throw new SlipwayError('TOKEN_NOT_FOUND', `no token with id "${id}" of yours`, { details: { id } });
  }
  if (await deps.store.apiTokens.revoke(id, deps.clock.nowMs())) {
    deps.logger.info({ user: principal.userName, tokenId: id }, 'token revoked');
    reportSecurityEvent(deps, {
      name: 'tokens.revoked',
      actor: actorOf(principal),
      target: { kind: 'token', id },
      outcome: 'success',
      details: { name: token.name },
    });
  }
}
