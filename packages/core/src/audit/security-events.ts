/**
 * Security events: what the identity and secrets use cases report besides the request itself (a login, a failed
 * login, a token created …). The HTTP layer adds the request's source IP and id and appends them to the audit log.
 * An event never carries a password, token or secret value.
 */
import type { Actor } from '../identity/principal.js';
import type { AuditTarget } from './audit-records.js';

export const securityEventNames = [
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.logout',
  'auth.refresh-token.reused',
  'auth.signing-key.rotated',
  'tokens.created',
  'tokens.revoked',
  'users.created',
  'users.role.granted',
  'users.role.revoked',
  'users.password.set',
  'secrets.value.set',
  'secrets.value.unset',
  'secrets.master-key.rotated',
  'approvals.approved',
  'approvals.rejected',
  'catalog.acl.rule.granted',
  'catalog.acl.rule.revoked',
] as const;
export type SecurityEventName = (typeof securityEventNames)[number];

export interface SecurityEvent {
  readonly name: SecurityEventName;
  /** Who did it; `null` when unknown (e.g. a refresh token presented twice names no caller). */
  readonly actor: Actor | null;
  readonly target: AuditTarget | null;
  /** A failure event (`auth.login.failed`, `auth.refresh-token.reused`) is `failed` with its error code. */
  readonly outcome: 'success' | 'failed';
  readonly errorCode?: string;
  /** Small and never secret. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Receives security events; must not throw (a failing sink must not fail the use case). */
export type SecurityEventSink = (event: SecurityEvent) => void;
