import { describe, expect, it } from 'vitest';
import {
  actorOf,
  capGrants,
  globalRole,
  hasRole,
  highestRole,
  roleOnProject,
  type Grant,
  type Principal,
} from './principal.js';

const grants: Grant[] = [
  { role: 'deployer', projectId: 'prj_shop' },
  { role: 'viewer', projectId: 'prj_blog' },
  { role: 'admin', projectId: null },
];

const principal = (over: Partial<Principal> = {}): Principal => ({
  userId: 'usr_1',
  userName: 'alice',
  displayName: 'alice',
  credential: { kind: 'session', id: 'ses_1' },
  grants,
  ...over,
});

describe('principal', () => {
  it('takes the higher of the project and the global role on a project', () => {
    expect(roleOnProject(grants, 'prj_shop')).toBe('admin');
    expect(roleOnProject(grants.slice(0, 2), 'prj_shop')).toBe('deployer');
    expect(roleOnProject(grants.slice(0, 2), 'prj_other')).toBeUndefined();
    expect(globalRole(grants)).toBe('admin');
    expect(globalRole(grants.slice(0, 2))).toBeUndefined();
    expect(highestRole(grants.slice(0, 2))).toBe('deployer');
  });

  it('caps a token at its maximum role and narrows it to its project, never above the user', () => {
    expect(capGrants(grants, { projectId: null, maxRole: 'viewer' })).toEqual([
      { role: 'viewer', projectId: 'prj_shop' },
      { role: 'viewer', projectId: 'prj_blog' },
      { role: 'viewer', projectId: null },
    ]);
    expect(capGrants(grants, { projectId: 'prj_blog', maxRole: 'deployer' })).toEqual([
      { role: 'deployer', projectId: 'prj_blog' },
    ]);
    expect(capGrants(grants.slice(0, 2), { projectId: 'prj_blog', maxRole: 'owner' })).toEqual([
      { role: 'viewer', projectId: 'prj_blog' },
    ]);
    expect(capGrants(grants.slice(0, 2), { projectId: 'prj_other', maxRole: null })).toEqual([]);
    expect(capGrants(grants, { projectId: null, maxRole: null })).toEqual(grants);
  });

  it('answers role checks per project and globally', () => {
    const narrowed = principal({ grants: capGrants(grants, { projectId: 'prj_shop', maxRole: 'deployer' }) });
    expect(hasRole(narrowed, 'prj_shop', 'deployer')).toBe(true);
    expect(hasRole(narrowed, 'prj_shop', 'admin')).toBe(false);
    expect(hasRole(narrowed, 'prj_blog', 'viewer')).toBe(false);
    expect(hasRole(narrowed, null, 'viewer')).toBe(false);
    expect(hasRole(principal(), null, 'admin')).toBe(true);
    expect(hasRole(principal(), null, 'owner')).toBe(false);
  });

  it('names the actor of a principal, and an anonymous one', () => {
    expect(actorOf(principal({ credential: { kind: 'api-token', id: 'tok_1', name: 'ci' } }))).toEqual({
      kind: 'user',
      userId: 'usr_1',
      name: 'alice',
      credentialKind: 'api-token',
      credentialId: 'tok_1',
    });
    expect(actorOf(undefined)).toEqual({
      kind: 'anonymous',
      userId: null,
      name: 'anonymous',
      credentialKind: null,
      credentialId: null,
    });
  });
});
