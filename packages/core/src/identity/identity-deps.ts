/** What the identity use cases receive from the composition root: the store, time, ids and the crypto ports. */
import type { SecurityEvent, SecurityEventSink } from '../audit/security-events.js';
import type { AccessTokenSigner } from '../ports/access-token-signer.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { Logger } from '../ports/logger.js';
import type { OpaqueTokens } from '../ports/opaque-tokens.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { Store } from '../ports/store.js';

export interface IdentitySettings {
  /** Lifetime of an access token (a JWT); also how long a retired signing key keeps verifying. */
  readonly accessTokenTtlMs: number;
  /** Lifetime of each refresh token; every refresh issues a new one. */
  readonly refreshTokenTtlMs: number;
  /** Absolute end of a session, however often it is refreshed. */
  readonly sessionMaxMs: number;
  /** An API token's last-used time is written at most this often. */
  readonly lastUsedResolutionMs: number;
}

export const defaultIdentitySettings: IdentitySettings = {
  accessTokenTtlMs: 15 * 60_000,
  refreshTokenTtlMs: 14 * 24 * 3_600_000,
  sessionMaxMs: 30 * 24 * 3_600_000,
  lastUsedResolutionMs: 60_000,
};

export interface IdentityDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly passwords: PasswordHasher;
  readonly tokens: OpaqueTokens;
  readonly signer: AccessTokenSigner;
  readonly settings: IdentitySettings;
  /**
   * Receives every security event (login, failed login, logout, refresh-token reuse, token created/revoked, user
   * created, role granted/revoked, password set) after it is committed; never with a password or token. Must not throw.
   */
  readonly onSecurityEvent?: SecurityEventSink;
}

/** Reports a security event to the deps' sink, if any; a throwing sink is logged, never propagated. */
export function reportSecurityEvent(
  deps: Pick<IdentityDeps, 'onSecurityEvent' | 'logger'>,
  event: SecurityEvent,
): void {
  try {
    deps.onSecurityEvent?.(event);
  } catch (error) {
    deps.logger.error({ err: error, event: event.name }, 'security event sink failed');
  }
}

/** Prefix of API token secrets; the authenticator tells them from access tokens (JWTs) by it. */
export const apiTokenPrefix = 'slw_';
/** Prefix of refresh token secrets; they are never accepted as bearer credentials. */
export const refreshTokenPrefix = 'slwr_';
