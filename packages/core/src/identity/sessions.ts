/**
 * Logins: password login opens a session (a short-lived access token + a single-use refresh token); refreshing rotates
 * the refresh token; presenting a used refresh token again revokes the whole session (the family), since one of the
 * two holders must be a thief. Logout revokes the session, which refuses its access tokens at once.
 */
import { SlipwayError, type SessionTokens, type WhoamiView } from '@slipway/contract';
import type { Repositories } from '../ports/store.js';
import type { RefreshTokenRecord, SessionRecord, UserRecord } from './identity-records.js';
import { refreshTokenPrefix, reportSecurityEvent, type IdentityDeps } from './identity-deps.js';
import { loadProjectNames, whoamiView } from './identity-views.js';
import { actorOf, type Principal } from './principal.js';

const unauthenticated = (message: string): SlipwayError => new SlipwayError('UNAUTHENTICATED', message);

/** Opens a session for a user name and password. Errors: `UNAUTHENTICATED` (the same for an unknown user and a wrong password). */
export async function login(deps: IdentityDeps, input: { username: string; password: string }): Promise<SessionTokens> {
  const { store, clock } = deps;
  const user = await store.users.findByName(input.username);
  // An unknown user, or one without a password, still costs one verification: timing tells nothing.
  const verdict = await deps.passwords.verify(input.password, user?.passwordHash ?? undefined);
  if (user === undefined || !verdict.isValid) {
    deps.logger.info({ user: input.username }, 'login failed');
    reportSecurityEvent(deps, {
      name: 'auth.login.failed',
      actor: null,
      target: user === undefined ? null : { kind: 'user', id: user.name },
      outcome: 'failed',
      errorCode: 'UNAUTHENTICATED',
      // The attempted name, cut short: someone may type a password into the name field.
      details: { username: input.username.slice(0, 64), isKnownUser: user !== undefined },
    });
    throw unauthenticated('wrong user name or password');
  }
  if (verdict.needsRehash)
    await store.users.setPasswordHash(user.id, await deps.passwords.hash(input.password), clock.nowMs());
  const nowMs = clock.nowMs();
  const session: SessionRecord = {
    id: deps.ids.next('ses'),
    userId: user.id,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + deps.settings.sessionMaxMs,
    revokedAtMs: null,
    revokedReason: null,
  };
  const refresh = newRefreshToken(deps, session, nowMs);
  await store.transaction(async (tx) => {
    await tx.sessions.insert(session);
    await tx.sessions.insertRefreshToken(refresh.record);
  });
  deps.logger.info({ user: user.name, sessionId: session.id }, 'login');
  reportSecurityEvent(deps, {
    name: 'auth.login.succeeded',
    actor: { kind: 'user', userId: user.id, name: user.name, credentialKind: 'session', credentialId: session.id },
    target: { kind: 'session', id: session.id },
    outcome: 'success',
  });
  return issue(deps, user, session, refresh);
}

/**
 * Exchanges a refresh token for a new access token and a new refresh token; the presented one is used up.
 * Errors: `UNAUTHENTICATED` when it is unknown, expired, of an ended session, or used before (which ends the session).
 */
export async function refreshSession(deps: IdentityDeps, refreshToken: string): Promise<SessionTokens> {
  const { store, clock } = deps;
  const presented = await store.sessions.findRefreshTokenByHash(deps.tokens.hash(refreshToken));
  if (presented === undefined) throw unauthenticated('unknown refresh token: log in again');
  const session = await store.sessions.findById(presented.sessionId);
  if (session === undefined || session.revokedAtMs !== null)
    throw unauthenticated('the session has ended: log in again');
  const nowMs = clock.nowMs();
  if (presented.usedAtMs !== null) return reuseDetected(deps, session);
  if (presented.expiresAtMs <= nowMs || session.expiresAtMs <= nowMs) {
    throw unauthenticated('the session expired: log in again');
  }
  const next = newRefreshToken(deps, session, nowMs);
  const isRotated = await store.transaction(async (tx) => {
    // The conditional update decides between two concurrent refreshes with the same token: one wins, one is reuse.
    if (!(await tx.sessions.markRefreshTokenUsed(presented.id, nowMs))) return false;
    await tx.sessions.insertRefreshToken(next.record);
    return true;
  });
  if (!isRotated) return reuseDetected(deps, session);
  const user = await getSessionUser(store, session);
  return issue(deps, user, session, next);
}

/** Ends the caller's session. Errors: `VALIDATION_FAILED` when the caller authenticated with an API token. */
export async function logout(deps: IdentityDeps, principal: Principal): Promise<void> {
  if (principal.credential.kind !== 'session') {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      'an API token has no session to end: revoke it instead (slipway tokens revoke)',
    );
  }
  await deps.store.sessions.revoke(principal.credential.id, deps.clock.nowMs(), 'logout');
  deps.logger.info({ user: principal.userName, sessionId: principal.credential.id }, 'logout');
  reportSecurityEvent(deps, {
    name: 'auth.logout',
    actor: actorOf(principal),
    target: { kind: 'session', id: principal.credential.id },
    outcome: 'success',
  });
}

/** Who the caller is and what they may do. */
export async function whoami(deps: IdentityDeps, principal: Principal): Promise<WhoamiView> {
  return whoamiView(principal, await loadProjectNames(deps.store));
}

async function reuseDetected(deps: IdentityDeps, session: SessionRecord): Promise<never> {
  await deps.store.sessions.revoke(session.id, deps.clock.nowMs(), 'refresh-token-reuse');
  deps.logger.warn({ sessionId: session.id, userId: session.userId }, 'refresh token reused: session revoked');
  reportSecurityEvent(deps, {
    name: 'auth.refresh-token.reused',
    actor: null,
    target: { kind: 'session', id: session.id },
    outcome: 'failed',
    errorCode: 'UNAUTHENTICATED',
    details: { userId: session.userId, sessionRevoked: true },
  });
  throw unauthenticated('this refresh token was used before: the session is revoked; log in again');
}

async function getSessionUser(store: Repositories, session: SessionRecord): Promise<UserRecord> {
  const user = await store.users.findById(session.userId);
  if (user === undefined) throw unauthenticated('the session belongs to no user');
  return user;
}

function newRefreshToken(
  deps: IdentityDeps,
  session: SessionRecord,
  nowMs: number,
): { secret: string; record: RefreshTokenRecord } {
  const secret = deps.tokens.generate(refreshTokenPrefix);
  return {
    secret,
    record: {
      id: deps.ids.next('rft'),
      sessionId: session.id,
      tokenHash: deps.tokens.hash(secret),
      createdAtMs: nowMs,
      expiresAtMs: Math.min(nowMs + deps.settings.refreshTokenTtlMs, session.expiresAtMs),
      usedAtMs: null,
    },
  };
}

async function issue(
  deps: IdentityDeps,
  user: UserRecord,
  session: SessionRecord,
  refresh: { secret: string; record: RefreshTokenRecord },
): Promise<SessionTokens> {
  const access = await deps.signer.sign({ userId: user.id, sessionId: session.id });
  return {
    tokenType: 'Bearer',
    accessToken: access.token,
    accessTokenExpiresAt: new Date(access.expiresAtMs).toISOString(),
    refreshToken: refresh.secret,
    refreshTokenExpiresAt: new Date(refresh.record.expiresAtMs).toISOString(),
    user: { id: user.id, name: user.name },
  };
}
