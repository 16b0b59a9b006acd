/**
 * createCatalogAccess against a real SQLite store and Slipway's real identity: API tokens and login access tokens
 * resolve to their rules, revocations take effect at the next request, and the admin use cases audit every change.
 */
import {
  createJoseAccessTokenSigner,
  createRandomOpaqueTokens,
  createScryptPasswordHasher,
  createSortableIdGenerator,
  createSqliteStore,
} from '@slipway/adapters';
import {
  bootstrapOwner,
  createApiToken,
  createCatalogAccess,
  createUser,
  defaultIdentitySettings,
  listCatalogAclRules,
  login,
  putCatalogAclRule,
  revokeApiToken,
  revokeCatalogAclRule,
  type CatalogAccessService,
  type Clock,
  type IdentityDeps,
  type Principal,
  type SecurityEvent,
  type SecurityEventSink,
  type Store,
} from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('createCatalogAccess', () => {
  let store: Store;
  let identity: IdentityDeps;
  let adminSecret: string;
  let admin: Principal;
  const events: SecurityEvent[] = [];
  /** Where the identity's security events go besides `events`: the access under test, once made. */
  const sinks: SecurityEventSink[] = [];
  /** Moves only when told (tokens resolved are reused for a while: time is part of the behaviour). */
  let nowMs = Date.now();
  const clock: Clock = { nowMs: () => nowMs, sleep: () => Promise.resolve() };

  /** The access under test, with the identity's security events chained into it as slipwayd does. */
  const accessWith = (options: {
    anonymousRead: 'none' | 'health' | 'all';
    tokenCacheMs?: number;
  }): CatalogAccessService => {
    const access = createCatalogAccess({ identity, ...options });
    sinks.push(access.onSecurityEvent);
    return access;
  };

  /** A user without any Slipway role, as a principal (for creating their tokens) and their password. */
  const newUser = async (name: string): Promise<Principal> => {
    const view = await createUser(identity, admin, { name, password: 'correct horse battery' });
    return {
      userId: view.id,
      userName: name,
      displayName: name,
      credential: { kind: 'session', id: 'ses_test' },
      grants: [],
    };
  };

  beforeEach(async () => {
    events.length = 0;
    sinks.length = 0;
    nowMs = Date.now();
    store = await createSqliteStore({ file: ':memory:' });
    await store.migrate();
    const ids = createSortableIdGenerator();
    identity = {
      store,
      clock,
      ids,
      logger: silentLogger,
      passwords: createScryptPasswordHasher({ logN: 10, r: 8, p: 1 }),
      tokens: createRandomOpaqueTokens(),
      signer: createJoseAccessTokenSigner({ store, clock, ids, ttlMs: defaultIdentitySettings.accessTokenTtlMs }),
      settings: defaultIdentitySettings,
      onSecurityEvent: (event) => {
        events.push(event);
        for (const sink of sinks) sink(event);
      },
    };
    const owner = await bootstrapOwner(identity);
    if (owner === undefined) throw new Error('no owner bootstrapped');
    adminSecret = owner.secret;
    const ownerRecord = await store.users.findByName(owner.userName);
    admin = {
      userId: ownerRecord?.id ?? '',
      userName: owner.userName,
      displayName: owner.userName,
      credential: { kind: 'api-token', id: owner.tokenId, name: 'admin' },
      grants: [{ role: 'owner', projectId: null }],
    };
  });

  afterEach(async () => {
    await store.close();
  });

  it('treats no token, an empty one and the anonymous token as anonymous', async () => {
    const access = accessWith({ anonymousRead: 'health' });
    for (const token of [undefined, '', 'anonymous', '00000000-0000-0000-0000-000000000002']) {
      const authority = await access.authorize(token);
      expect(authority.actor).toBe('anonymous');
      expect(authority.canSeeService('web')).toBe(true);
      expect(authority.canSeeKey('a')).toBe(false);
    }
  });

  it('refuses unknown, malformed, oversized and refresh tokens with ACL not found', async () => {
    const access = accessWith({ anonymousRead: 'all' });
    const alice = await newUser('alice');
    const session = await login(identity, { username: alice.userName, password: 'correct horse battery' });
    for (const token of ['slw_unknown', 'not a token', 'x'.repeat(5000), session.refreshToken, 'eyJhbGciOi.x.y']) {
      await expect(access.authorize(token)).rejects.toMatchObject({
        code: 'CATALOG_ACL_NOT_FOUND',
        message: 'ACL not found',
      });
    }
  });

  it("lets the installation's admin token do everything", async () => {
    const authority = await accessWith({ anonymousRead: 'none' }).authorize(adminSecret);
    expect(authority.isAdmin).toBe(true);
    expect(authority.can({ kind: 'operator' }, 'write')).toBe(true);
    expect(authority.can({ kind: 'key-prefix', prefix: '' }, 'write')).toBe(true);
  });

  it("applies a user's rules to their API tokens and their login, and a token's rules to that token only", async () => {
    const access = accessWith({ anonymousRead: 'none' });
    const alice = await newUser('alice');
    const first = await createApiToken(identity, alice, { name: 'first' });
    const second = await createApiToken(identity, alice, { name: 'second' });
    await putCatalogAclRule(identity, admin, { user: 'alice', resource: 'key', prefix: 'app/', policy: 'write' });
    await putCatalogAclRule(identity, admin, {
      token: first.token.id,
      resource: 'key',
      prefix: 'ci/',
      policy: 'write',
    });

    const viaFirst = await access.authorize(first.secret);
    const viaSecond = await access.authorize(second.secret);
    const session = await login(identity, { username: 'alice', password: 'correct horse battery' });
    const viaLogin = await access.authorize(session.accessToken);
    expect(viaFirst.actor).toBe(`token:${first.token.id}`);
    expect(viaLogin.actor).toBe('alice');
    for (const authority of [viaFirst, viaSecond, viaLogin]) {
      expect(authority.isAdmin).toBe(false);
      expect(authority.can({ kind: 'key', key: 'app/x' }, 'write')).toBe(true);
      expect(authority.can({ kind: 'key', key: 'other' }, 'read')).toBe(false);
    }
    expect(viaFirst.can({ kind: 'key', key: 'ci/x' }, 'write')).toBe(true);
    expect(viaSecond.can({ kind: 'key', key: 'ci/x' }, 'write')).toBe(false);
  });

  it('lets a token capped at viewer only read what its rules give', async () => {
    const access = accessWith({ anonymousRead: 'none' });
    const alice = await newUser('alice');
    const readOnly = await createApiToken(identity, alice, { name: 'ro', role: 'viewer' });
    await putCatalogAclRule(identity, admin, { user: 'alice', resource: 'key', prefix: '', policy: 'write' });
    const authority = await access.authorize(readOnly.secret);
    expect(authority.can({ kind: 'key', key: 'a' }, 'read')).toBe(true);
    expect(authority.can({ kind: 'key', key: 'a' }, 'write')).toBe(false);
  });

  it('takes a revoked token, a revoked rule and a replaced policy into account at the next request', async () => {
    const access = accessWith({ anonymousRead: 'none' });
    const alice = await newUser('alice');
    const token = await createApiToken(identity, alice, { name: 'app' });
    const rule = await putCatalogAclRule(identity, admin, {
      user: 'alice',
      resource: 'service',
      prefix: 'web',
      policy: 'write',
    });
    expect((await access.authorize(token.secret)).can({ kind: 'service', name: 'web-1' }, 'write')).toBe(true);

    await putCatalogAclRule(identity, admin, { user: 'alice', resource: 'service', prefix: 'web', policy: 'read' });
    const replaced = await access.authorize(token.secret);
    expect([replaced.canSeeService('web-1'), replaced.can({ kind: 'service', name: 'web-1' }, 'write')]).toEqual([
      true,
      false,
    ]);

    await revokeCatalogAclRule(identity, admin, rule.id);
    expect((await access.authorize(token.secret)).canSeeService('web-1')).toBe(false);

    await revokeApiToken(identity, alice, token.token.id);
    await expect(access.authorize(token.secret)).rejects.toMatchObject({ code: 'CATALOG_ACL_NOT_FOUND' });
  });

  it('reuses a resolved token for tokenCacheMs at most, when no security event says that something changed', async () => {
    const access = accessWith({ anonymousRead: 'none', tokenCacheMs: 2_000 });
    const alice = await newUser('alice');
    const token = await createApiToken(identity, alice, { name: 'app' });
    await putCatalogAclRule(identity, admin, { user: 'alice', resource: 'key', prefix: '', policy: 'read' });
    expect((await access.authorize(token.secret)).canSeeKey('a')).toBe(true);

    // A change no event reports (straight into the store) is seen once the resolution is older than the bound.
    await store.apiTokens.revoke(token.token.id, clock.nowMs());
    nowMs += 1_999;
    expect((await access.authorize(token.secret)).canSeeKey('a')).toBe(true);
    nowMs += 1;
    await expect(access.authorize(token.secret)).rejects.toMatchObject({ code: 'CATALOG_ACL_NOT_FOUND' });
  });

  it('resolves every request when the cache is off', async () => {
    const access = accessWith({ anonymousRead: 'none', tokenCacheMs: 0 });
    const alice = await newUser('alice');
    const token = await createApiToken(identity, alice, { name: 'app' });
    await access.authorize(token.secret);
    await store.apiTokens.revoke(token.token.id, clock.nowMs());
    await expect(access.authorize(token.secret)).rejects.toMatchObject({ code: 'CATALOG_ACL_NOT_FOUND' });
  });

  it('lists rules with their subjects, refuses unknown subjects and rules, and reports each change', async () => {
    const alice = await newUser('alice');
    const token = await createApiToken(identity, alice, { name: 'deploy' });
    const granted = await putCatalogAclRule(identity, admin, {
      user: 'alice',
      resource: 'key',
      prefix: '',
      policy: 'read',
    });
    await putCatalogAclRule(identity, admin, { token: token.token.id, resource: 'key', prefix: 'a/', policy: 'deny' });
    const rules = await listCatalogAclRules(identity);
    expect(rules.map((r) => [r.subject.kind, r.subject.name, r.resource, r.prefix, r.policy])).toEqual([
      ['token', 'alice (token deploy)', 'key', 'a/', 'deny'],
      ['user', 'alice', 'key', '', 'read'],
    ]);

    await expect(
      putCatalogAclRule(identity, admin, { user: 'nobody', resource: 'key', prefix: '', policy: 'read' }),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(
      putCatalogAclRule(identity, admin, { token: 'tok_missing', resource: 'key', prefix: '', policy: 'read' }),
    ).rejects.toMatchObject({ code: 'TOKEN_NOT_FOUND' });
    await revokeCatalogAclRule(identity, admin, granted.id);
    await expect(revokeCatalogAclRule(identity, admin, granted.id)).rejects.toMatchObject({
      code: 'CATALOG_ACL_RULE_NOT_FOUND',
    });
    expect(await listCatalogAclRules(identity)).toHaveLength(1);

    const aclEvents = events.filter((e) => e.name.startsWith('catalog.acl.'));
    expect(aclEvents.map((e) => [e.name, e.target?.kind, e.details?.policy])).toEqual([
      ['catalog.acl.rule.granted', 'catalog-acl-rule', 'read'],
      ['catalog.acl.rule.granted', 'catalog-acl-rule', 'deny'],
      ['catalog.acl.rule.revoked', 'catalog-acl-rule', 'read'],
    ]);
    expect(JSON.stringify(aclEvents)).not.toContain(token.secret);
  });
});
