import { describe, expect, it } from 'vitest';
import type { CatalogAccessLevel, CatalogResource } from './catalog-access.js';
import { createCatalogAuthority, matchCatalogAclPolicy, type CatalogAclRule } from './catalog-acl-authority.js';
import type { CatalogAnonymousRead } from './catalog-acl-records.js';

const key = (k: string): CatalogResource => ({ kind: 'key', key: k });
const keys = (prefix: string): CatalogResource => ({ kind: 'key-prefix', prefix });
const service = (name: string): CatalogResource => ({ kind: 'service', name });

const authority = (
  rules: readonly CatalogAclRule[],
  overrides: { isAdmin?: boolean; mayWrite?: boolean; anonymousRead?: CatalogAnonymousRead } = {},
) =>
  createCatalogAuthority({
    actor: 'alice',
    isAuthenticated: true,
    isAdmin: overrides.isAdmin ?? false,
    mayWrite: overrides.mayWrite ?? true,
    rules,
    anonymousRead: overrides.anonymousRead ?? 'none',
  });

const anonymous = (anonymousRead: CatalogAnonymousRead) =>
  createCatalogAuthority({
    actor: 'anonymous',
    isAuthenticated: false,
    isAdmin: false,
    mayWrite: false,
    rules: [],
    anonymousRead,
  });

const decisions = (
  subject: ReturnType<typeof authority>,
  cases: readonly [CatalogResource, CatalogAccessLevel][],
): boolean[] => cases.map(([resource, access]) => subject.can(resource, access));

describe('matchCatalogAclPolicy', () => {
  const rules: CatalogAclRule[] = [
    { resource: 'key', prefix: '', policy: 'read' },
    { resource: 'key', prefix: 'app/', policy: 'write' },
    { resource: 'key', prefix: 'app/secret/', policy: 'deny' },
    { resource: 'service', prefix: 'app', policy: 'write' },
  ];

  it('picks the longest prefix that matches, per resource kind', () => {
    expect(matchCatalogAclPolicy(rules, 'key', 'other')).toBe('read');
    expect(matchCatalogAclPolicy(rules, 'key', 'app/x')).toBe('write');
    expect(matchCatalogAclPolicy(rules, 'key', 'app/secret/db')).toBe('deny');
    expect(matchCatalogAclPolicy(rules, 'key', 'app/secret')).toBe('write');
    expect(matchCatalogAclPolicy(rules, 'service', 'api')).toBeUndefined();
    expect(matchCatalogAclPolicy(rules, 'service', 'app-web')).toBe('write');
  });

  it('resolves a tie between rules of the same prefix to the most restrictive', () => {
    const tied: CatalogAclRule[] = [
      { resource: 'key', prefix: 'a/', policy: 'write' },
      { resource: 'key', prefix: 'a/', policy: 'deny' },
      { resource: 'key', prefix: 'b/', policy: 'write' },
      { resource: 'key', prefix: 'b/', policy: 'read' },
    ];
    expect(matchCatalogAclPolicy(tied, 'key', 'a/1')).toBe('deny');
    expect(matchCatalogAclPolicy(tied, 'key', 'b/1')).toBe('read');
  });
});

describe('createCatalogAuthority', () => {
  it('denies by default: a token without rules reads nothing of the KV or the services', () => {
    const none = authority([]);
    expect(
      decisions(none, [
        [key('a'), 'read'],
        [keys(''), 'read'],
        [service('web'), 'read'],
        [key('a'), 'write'],
      ]),
    ).toEqual([false, false, false, false]);
  });

  it('gives read with read, read and write with write, and neither with deny', () => {
    const subject = authority([
      { resource: 'key', prefix: 'config/', policy: 'read' },
      { resource: 'key', prefix: 'app/', policy: 'write' },
      { resource: 'key', prefix: 'app/secret/', policy: 'deny' },
    ]);
    expect(
      decisions(subject, [
        [key('config/x'), 'read'],
        [key('config/x'), 'write'],
        [key('app/x'), 'read'],
        [key('app/x'), 'write'],
        [key('app/secret/x'), 'read'],
        [key('app/secret/x'), 'write'],
        [key('other'), 'read'],
      ]),
    ).toEqual([true, false, true, true, false, false, false]);
    expect(subject.canSeeKey('config/a')).toBe(true);
    expect(subject.canSeeKey('app/secret/a')).toBe(false);
  });

  it('allows a prefix operation only when no longer rule under the prefix refuses it', () => {
    const subject = authority([
      { resource: 'key', prefix: 'app/', policy: 'write' },
      { resource: 'key', prefix: 'app/ro/', policy: 'read' },
      { resource: 'key', prefix: 'app/secret/', policy: 'deny' },
    ]);
    expect(
      decisions(subject, [
        [keys('app/'), 'read'],
        [keys('app/ro/'), 'read'],
        [keys('app/ro/'), 'write'],
        [keys('app/x/'), 'write'],
        [keys('app/secret/'), 'read'],
        [keys(''), 'read'],
      ]),
    ).toEqual([false, true, false, true, false, false]);
  });

  it('applies service rules by name prefix, and filters what a list shows', () => {
    const subject = authority([
      { resource: 'service', prefix: '', policy: 'read' },
      { resource: 'service', prefix: 'billing', policy: 'deny' },
      { resource: 'service', prefix: 'web', policy: 'write' },
    ]);
    expect(['web', 'web-worker', 'api', 'billing', 'billing-db'].filter((name) => subject.canSeeService(name))).toEqual(
      ['web', 'web-worker', 'api'],
    );
    expect(
      decisions(subject, [
        [service('web'), 'write'],
        [service('api'), 'write'],
      ]),
    ).toEqual([true, false]);
  });

  it('lets a credential capped at read only read, whatever its rules give', () => {
    const subject = authority([{ resource: 'key', prefix: '', policy: 'write' }], { mayWrite: false });
    expect(
      decisions(subject, [
        [key('a'), 'read'],
        [key('a'), 'write'],
        [{ kind: 'session' }, 'write'],
      ]),
    ).toEqual([true, false, false]);
  });

  it('lets an admin do everything, rules or not', () => {
    const admin = authority([{ resource: 'key', prefix: '', policy: 'deny' }], { isAdmin: true });
    const everything: [CatalogResource, CatalogAccessLevel][] = [
      [key('a'), 'write'],
      [keys(''), 'write'],
      [service('web'), 'write'],
      [{ kind: 'node', name: 'n1' }, 'write'],
      [{ kind: 'session' }, 'write'],
      [{ kind: 'operator' }, 'write'],
    ];
    expect(decisions(admin, everything).every(Boolean)).toBe(true);
    expect(admin.isAdmin).toBe(true);
  });

  it('lets any token read nodes, sessions and the agent, and only admins change nodes and the agent', () => {
    const subject = authority([{ resource: 'key', prefix: 'locks/', policy: 'write' }]);
    expect(
      decisions(subject, [
        [{ kind: 'node', name: 'n1' }, 'read'],
        [{ kind: 'node', name: 'n1' }, 'write'],
        [{ kind: 'operator' }, 'read'],
        [{ kind: 'operator' }, 'write'],
        [{ kind: 'session' }, 'read'],
        [{ kind: 'session' }, 'write'],
      ]),
    ).toEqual([true, false, true, false, true, true]);
    expect(authority([{ resource: 'key', prefix: '', policy: 'read' }]).can({ kind: 'session' }, 'write')).toBe(false);
  });

  describe('anonymous reads', () => {
    const reads: [CatalogResource, CatalogAccessLevel][] = [
      [service('web'), 'read'],
      [{ kind: 'node', name: 'n1' }, 'read'],
      [{ kind: 'operator' }, 'read'],
      [key('a'), 'read'],
      [keys(''), 'read'],
      [{ kind: 'session' }, 'read'],
    ];
    const writes: [CatalogResource, CatalogAccessLevel][] = [
      [service('web'), 'write'],
      [key('a'), 'write'],
      [{ kind: 'session' }, 'write'],
      [{ kind: 'operator' }, 'write'],
    ];

    it('none: nothing', () => {
      expect(decisions(anonymous('none'), reads).some(Boolean)).toBe(false);
    });

    it('health: services, nodes and status, but no key and no session', () => {
      expect(decisions(anonymous('health'), reads)).toEqual([true, true, true, false, false, false]);
    });

    it('all: every read', () => {
      expect(decisions(anonymous('all'), reads).every(Boolean)).toBe(true);
    });

    it('never a write, whatever is configured', () => {
      for (const mode of ['none', 'health', 'all'] as const) {
        expect(decisions(anonymous(mode), writes).some(Boolean)).toBe(false);
      }
    });

    it('every token has at least the anonymous reads, a deny rule notwithstanding', () => {
      const subject = authority([{ resource: 'service', prefix: '', policy: 'deny' }], { anonymousRead: 'health' });
      expect(subject.canSeeService('web')).toBe(true);
      expect(subject.can(service('web'), 'write')).toBe(false);
    });
  });
});
