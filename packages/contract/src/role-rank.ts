/**
 * The four roles (without zod: what the dashboard imports, `@slipway/contract/role-rank`) of Slipway's RBAC, ordered: `viewer` < `deployer` < `admin` < `owner`. A role includes every lower
 * one. Roles are granted per project (`viewer`, `deployer`, `admin`) or globally (`admin`, `owner`).
 */

export const roles = ['viewer', 'deployer', 'admin', 'owner'] as const;
export type Role = (typeof roles)[number];

/** Roles that may be granted on one project. */
export const projectRoles = ['viewer', 'deployer', 'admin'] as const satisfies readonly Role[];
/** Roles that may be granted globally (on every project, and over the installation). */
export const globalRoles = ['admin', 'owner'] as const satisfies readonly Role[];

/** 0 for `viewer` … 3 for `owner`. */
export function roleRank(role: Role): number {
  return roles.indexOf(role);
}

/** True when `held` includes `required` (is the same or higher). */
export function isRoleAtLeast(held: Role | undefined, required: Role): boolean {
  return held !== undefined && roleRank(held) >= roleRank(required);
}

/** The lower of two roles; `undefined` when either is. */
export function lowerRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (a === undefined || b === undefined) return undefined;
  return roleRank(a) <= roleRank(b) ? a : b;
}

/** The higher of two roles; the defined one when only one is. */
export function higherRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return roleRank(a) >= roleRank(b) ? a : b;
}
