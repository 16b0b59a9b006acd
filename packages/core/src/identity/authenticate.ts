/**
 * Turns a bearer credential into a Principal, checking the store on every call: a revoked or expired API token, or an
 * access token of a revoked session, is refused at once (nothing is cached beyond the signing keys).
 */
import { SlipwayError } from '@slipway/contract';
import type { GrantRecord } from './identity-records.js';
import { apiTokenPrefix, refreshTokenPrefix, type IdentityDeps } from './identity-deps.js';
import { capGrants, type Grant, type Principal } from './principal.js';

const unauthenticated = (message: string): SlipwayError => new SlipwayError('UNAUTHENTICATED', message);

const toGrants = (records: readonly GrantRecord[]): Grant[] =>
  records.map((r) => ({ role: r.role, projectId: r.projectId }));

/**
 * The principal of an `Authorization` header value (`Bearer <API token or access token>`).
 * Errors: `UNAUTHENTICATED` when it is missing, malformed, unknown, expired or revoked.
 */
export async function authenticate(deps: IdentityDeps, authorization: string | undefined): Promise<Principal> {
  if (authorization === undefined || authorization === '') {
    throw unauthenticated(
      'this request needs a credential: Authorization: Bearer <token> (slipway login, or an API token)',
    );
  }
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  const credential = match?.[1];
  if (credential === undefined) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  if (credential.startsWith(apiTokenPrefix)) return authenticateApiToken(deps, credential);
  if (credential.startsWith(refreshTokenPrefix)) {
    throw unauthenticated('a refresh token is not a bearer credential: exchange it at POST /api/v1/auth/refresh');
  }
  return authenticateAccessToken(deps, credential);
}

async function authenticateApiToken(deps: IdentityDeps, secret: string): Promise<Principal> {
  const { store, clock } = deps;
  const token = await store.apiTokens.findByHash(deps.tokens.hash(secret));
  if (token === undefined) throw unauthenticated('unknown API token');
  const nowMs = clock.nowMs();
  if (token.revokedAtMs !== null) throw unauthenticated(`the API token "${token.name}" is revoked`);
  if (token.expiresAtMs !== null && token.expiresAtMs <= nowMs) {
    throw unauthenticated(`the API token "${token.name}" expired at ${new Date(token.expiresAtMs).toISOString()}`);
  }
  const user = await store.users.findById(token.userId);
  if (user === undefined) throw unauthenticated('the API token belongs to no user');
  if (token.lastUsedAtMs === null || nowMs - token.lastUsedAtMs >= deps.settings.lastUsedResolutionMs) {
    await store.apiTokens.touch(token.id, nowMs);
  }
  const grants = capGrants(toGrants(await store.users.listGrants(user.id)), {
    projectId: token.projectId,
    maxRole: token.maxRole,
  });
  return {
    userId: user.id,
    userName: user.name,
    displayName: `${user.name} (token ${token.name})`,
    credential: { kind: 'api-token', id: token.id, name: token.name },
    grants,
  };
}

async function authenticateAccessToken(deps: IdentityDeps, token: string): Promise<Principal> {
  const { store, clock } = deps;
  const claims = await deps.signer.verify(token);
  if (claims === undefined) {
    throw unauthenticated('the access token is invalid or expired: refresh it, or log in again');
  }
  const session = await store.sessions.findById(claims.sessionId);
  if (session === undefined || session.userId !== claims.userId) throw unauthenticated('the session does not exist');
  if (session.revokedAtMs !== null) throw unauthenticated('the session has ended: log in again');
  if (session.expiresAtMs <= clock.nowMs()) throw unauthenticated('the session expired: log in again');
  const user = await store.users.findById(session.userId);
  if (user === undefined) throw unauthenticated('the session belongs to no user');
  return {
    userId: user.id,
    userName: user.name,
    displayName: user.name,
    credential: { kind: 'session', id: session.id },
    grants: toGrants(await store.users.listGrants(user.id)),
  };
}
