/** Identity records as the API shows them: project ids become names, times ISO-8601; secrets and hashes never appear. */
import type { GrantView, TokenView, UserView, WhoamiView } from '@slipway/contract';
import type { Repositories } from '../ports/store.js';
import type { ApiTokenRecord, GrantRecord, UserRecord } from './identity-records.js';
import type { Grant, Principal } from './principal.js';

/** Project id → name, for turning grants and token scopes into views. */
export type ProjectNames = ReadonlyMap<string, string>;

export async function loadProjectNames(repos: Repositories): Promise<ProjectNames> {
  return new Map((await repos.projects.list()).map((p) => [p.id, p.name]));
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const projectName = (names: ProjectNames, id: string | null): string | null =>
  id === null ? null : (names.get(id) ?? id);

export function grantView(grant: Grant | GrantRecord, names: ProjectNames): GrantView {
  return { role: grant.role, project: projectName(names, grant.projectId) };
}

export function userView(user: UserRecord, grants: readonly GrantRecord[], names: ProjectNames): UserView {
  return {
    id: user.id,
    name: user.name,
    createdAt: new Date(user.createdAtMs).toISOString(),
    hasPassword: user.passwordHash !== null,
    grants: grants.map((g) => grantView(g, names)),
  };
}

export function tokenView(token: ApiTokenRecord, userName: string, names: ProjectNames): TokenView {
  return {
    id: token.id,
    name: token.name,
    user: userName,
    project: projectName(names, token.projectId),
    role: token.maxRole,
    createdAt: new Date(token.createdAtMs).toISOString(),
    expiresAt: iso(token.expiresAtMs),
    lastUsedAt: iso(token.lastUsedAtMs),
    revokedAt: iso(token.revokedAtMs),
  };
}

export function whoamiView(principal: Principal, names: ProjectNames): WhoamiView {
  return {
    user: { id: principal.userId, name: principal.userName },
    credential: {
      kind: principal.credential.kind,
      id: principal.credential.id,
      name: principal.credential.kind === 'api-token' ? principal.credential.name : null,
    },
    grants: principal.grants.map((g) => grantView(g, names)),
  };
}
