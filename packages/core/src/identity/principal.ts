/**
 * Who is calling, and what they may do: the `Principal` every authenticated request carries, and the `Actor` audit
 * records name. Stable shapes — the HTTP layer, the audit log and rate limiting build on them.
 *
 * ```ts
 * interface Principal {
 *   userId: string;            // usr_…
 *   userName: string;          // the login name, e.g. "admin"
 *   displayName: string;       // "alice" or "alice (token ci-deploy)"
 *   credential:                // how the caller proved it
 *     | { kind: 'session'; id: string }                    // ses_… (a login; access JWT + refresh tokens)
 *     | { kind: 'api-token'; id: string; name: string };   // tok_…
 *   grants: readonly Grant[];  // effective: the user's grants capped by the credential
 * }
 * interface Grant { role: Role; projectId: string | null }  // null: global
 * interface Actor { kind: 'user' | 'anonymous'; userId; name; credentialKind; credentialId }  // nulls when anonymous
 * ```
 *
 * A token narrowed to a project and a role never exceeds them: its grants are `min(user's role there, token cap)`.
 */
import { higherRole, isRoleAtLeast, lowerRole, type Role } from '@slipway/contract';

/** A role on one project, or on every project and the installation when `projectId` is null. */
export interface Grant {
  readonly role: Role;
  readonly projectId: string | null;
}

export type Credential =
  | { readonly kind: 'session'; readonly id: string }
  | { readonly kind: 'api-token'; readonly id: string; readonly name: string };

export interface Principal {
  readonly userId: string;
  readonly userName: string;
  /** For logs and messages: the user name, with the token's name when the credential is a token. */
  readonly displayName: string;
  readonly credential: Credential;
  /** Effective grants: the user's, capped by the credential. Decisions read these only. */
  readonly grants: readonly Grant[];
}

/** Who did something, as the audit log records it. */
export interface Actor {
  readonly kind: 'user' | 'anonymous';
  readonly userId: string | null;
  /** The user name, or `anonymous`. */
  readonly name: string;
  readonly credentialKind: Credential['kind'] | null;
  readonly credentialId: string | null;
}

/** How a credential narrows its user's grants: to one project and/or to a maximum role. */
export interface GrantCap {
  readonly projectId: string | null;
  readonly maxRole: Role | null;
}

/** The highest role `grants` give on `projectId` (global grants apply to every project). */
export function roleOnProject(grants: readonly Grant[], projectId: string): Role | undefined {
  let role: Role | undefined;
  for (const grant of grants) {
    if (grant.projectId === null || grant.projectId === projectId) role = higherRole(role, grant.role);
  }
  return role;
}

/** The highest global role of `grants`. */
export function globalRole(grants: readonly Grant[]): Role | undefined {
  let role: Role | undefined;
  for (const grant of grants) if (grant.projectId === null) role = higherRole(role, grant.role);
  return role;
}

/** The highest role anywhere (globally or on some project). */
export function highestRole(grants: readonly Grant[]): Role | undefined {
  let role: Role | undefined;
  for (const grant of grants) role = higherRole(role, grant.role);
  return role;
}

/** Applies a credential's cap: a narrowed token sees one project, at no more than its maximum role. */
export function capGrants(grants: readonly Grant[], cap: GrantCap): Grant[] {
  if (cap.projectId !== null) {
    const role =
      cap.maxRole === null
        ? roleOnProject(grants, cap.projectId)
        : lowerRole(roleOnProject(grants, cap.projectId), cap.maxRole);
    return role === undefined ? [] : [{ role, projectId: cap.projectId }];
  }
  if (cap.maxRole === null) return [...grants];
  const maxRole = cap.maxRole;
  return grants.map((grant) => ({ projectId: grant.projectId, role: lowerRole(grant.role, maxRole) ?? grant.role }));
}

/** True when the principal holds at least `role` on `projectId`, or globally when `projectId` is null. */
export function hasRole(principal: Principal, projectId: string | null, role: Role): boolean {
  const held = projectId === null ? globalRole(principal.grants) : roleOnProject(principal.grants, projectId);
  return isRoleAtLeast(held, role);
}

/** The audit actor of a request: the principal's user and credential, or anonymous (public routes, failed logins). */
export function actorOf(principal: Principal | undefined): Actor {
  if (principal === undefined) {
    return { kind: 'anonymous', userId: null, name: 'anonymous', credentialKind: null, credentialId: null };
  }
  return {
    kind: 'user',
    userId: principal.userId,
    name: principal.userName,
    credentialKind: principal.credential.kind,
    credentialId: principal.credential.id,
  };
}
