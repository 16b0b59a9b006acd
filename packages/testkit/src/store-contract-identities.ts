/** Store contract, identity part: users and grants, API tokens, sessions and refresh tokens, signing keys. */
import { describe, expect, it } from 'vitest';
import type {
  ApiTokenRecord,
  RefreshTokenRecord,
  SessionRecord,
  SigningKeyRecord,
  Store,
  UserRecord,
} from '@slipway/core';
import { otherProject, project, rejection, t0 } from './store-contract-fixtures.js';

const user = (id: string, name: string, over: Partial<UserRecord> = {}): UserRecord => ({
  id,
  name,
  passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA',
  createdAtMs: t0,
  updatedAtMs: t0,
  ...over,
});
const alice = user('usr_01', 'alice');
const bob = user('usr_02', 'bob', { passwordHash: null });

const token = (id: string, over: Partial<ApiTokenRecord> = {}): ApiTokenRecord => ({
  id,
  userId: alice.id,
  name: `token ${id}`,
  tokenHash: `hash-of-${id}`,
  projectId: null,
  maxRole: null,
  createdAtMs: t0,
  expiresAtMs: null,
  lastUsedAtMs: null,
  revokedAtMs: null,
  ...over,
});

const session = (id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  userId: alice.id,
  createdAtMs: t0,
  expiresAtMs: t0 + 86_400_000,
  revokedAtMs: null,
  revokedReason: null,
  ...over,
});

const refreshToken = (id: string, sessionId: string, over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  id,
  sessionId,
  tokenHash: `hash-of-${id}`,
  createdAtMs: t0,
  expiresAtMs: t0 + 3_600_000,
  usedAtMs: null,
  ...over,
});

const key = (id: string, over: Partial<SigningKeyRecord> = {}): SigningKeyRecord => ({
  id,
  algorithm: 'EdDSA',
  publicKey: `-----BEGIN PUBLIC KEY-----\n${id}\n-----END PUBLIC KEY-----\n`,
  privateKey: `-----BEGIN PRIVATE KEY-----\n${id}\n-----END PRIVATE KEY-----\n`,
  createdAtMs: t0,
  retiredAtMs: null,
  verifyUntilMs: null,
  ...over,
});

/** Registers the identity tests; `store` returns the migrated, seeded store of the running test. */
export function describeIdentityContract(store: () => Store): void {
  describe('users and grants', () => {
    it('round-trips users, lists them by name, counts them, and refuses a second user with a taken name', async () => {
      expect(await store().users.count()).toBe(0);
      await store().users.insert(bob);
      await store().users.insert(alice);
      expect(await store().users.findById(alice.id)).toEqual(alice);
      expect(await store().users.findByName('bob')).toEqual(bob);
      expect(await store().users.findByName('carol')).toBeUndefined();
      expect(await store().users.list()).toEqual([alice, bob]);
      expect(await store().users.count()).toBe(2);
      const error = await rejection(store().users.insert(user('usr_03', 'alice')));
      expect(error.code).toBe('USER_ALREADY_EXISTS');
      expect(await store().users.count()).toBe(2);
    });

    it('replaces a password hash, clears it, and refuses an unknown user with USER_NOT_FOUND', async () => {
      await store().users.insert(alice);
      await store().users.setPasswordHash(alice.id, '$scrypt$new', t0 + 5);
      expect(await store().users.findById(alice.id)).toEqual({
        ...alice,
        passwordHash: '$scrypt$new',
        updatedAtMs: t0 + 5,
      });
      await store().users.setPasswordHash(alice.id, null, t0 + 6);
      expect((await store().users.findById(alice.id))?.passwordHash).toBeNull();
      expect((await rejection(store().users.setPasswordHash('usr_missing', 'x', t0))).code).toBe('USER_NOT_FOUND');
    });

    it('keeps one grant per user and scope: granting again replaces the role; global grants list first', async () => {
      await store().users.insert(alice);
      await store().users.insert(bob);
      await store().users.putGrant({ userId: alice.id, projectId: otherProject.id, role: 'viewer', createdAtMs: t0 });
      await store().users.putGrant({ userId: alice.id, projectId: project.id, role: 'viewer', createdAtMs: t0 });
      await store().users.putGrant({ userId: alice.id, projectId: project.id, role: 'deployer', createdAtMs: t0 + 1 });
      await store().users.putGrant({ userId: alice.id, projectId: null, role: 'admin', createdAtMs: t0 + 2 });
      await store().users.putGrant({ userId: bob.id, projectId: null, role: 'owner', createdAtMs: t0 });

      expect(await store().users.listGrants(alice.id)).toEqual([
        { userId: alice.id, projectId: null, role: 'admin', createdAtMs: t0 + 2 },
        { userId: alice.id, projectId: project.id, role: 'deployer', createdAtMs: t0 + 1 },
        { userId: alice.id, projectId: otherProject.id, role: 'viewer', createdAtMs: t0 },
      ]);
      expect(await store().users.listGlobalGrants('owner')).toEqual([
        { userId: bob.id, projectId: null, role: 'owner', createdAtMs: t0 },
      ]);
      expect(await store().users.listGlobalGrants('viewer')).toEqual([]);
    });

    it('deletes a grant by scope and says whether there was one', async () => {
      await store().users.insert(alice);
      await store().users.putGrant({ userId: alice.id, projectId: null, role: 'admin', createdAtMs: t0 });
      await store().users.putGrant({ userId: alice.id, projectId: project.id, role: 'viewer', createdAtMs: t0 });
      expect(await store().users.deleteGrant(alice.id, null)).toBe(true);
      expect(await store().users.deleteGrant(alice.id, null)).toBe(false);
      expect(await store().users.deleteGrant(alice.id, otherProject.id)).toBe(false);
      expect(await store().users.listGrants(alice.id)).toEqual([
        { userId: alice.id, projectId: project.id, role: 'viewer', createdAtMs: t0 },
      ]);
    });
  });

  describe('API tokens', () => {
    it('round-trips tokens, finds them by hash, and lists a user’s tokens oldest first', async () => {
      await store().users.insert(alice);
      await store().users.insert(bob);
      const narrowed = token('tok_02', {
        projectId: project.id,
        maxRole: 'deployer',
        createdAtMs: t0 + 1,
        expiresAtMs: t0 + 86_400_000,
      });
      await store().apiTokens.insert(narrowed);
      await store().apiTokens.insert(token('tok_01'));
      await store().apiTokens.insert(token('tok_03', { userId: bob.id }));
      expect(await store().apiTokens.findById('tok_02')).toEqual(narrowed);
      expect(await store().apiTokens.findByHash('hash-of-tok_02')).toEqual(narrowed);
      expect(await store().apiTokens.findByHash('hash-of-nothing')).toBeUndefined();
      expect((await store().apiTokens.listByUser(alice.id)).map((t) => t.id)).toEqual(['tok_01', 'tok_02']);
    });

    it('records the last use and revokes once, keeping the revoked token listed', async () => {
      await store().users.insert(alice);
      await store().apiTokens.insert(token('tok_01'));
      await store().apiTokens.touch('tok_01', t0 + 60_000);
      expect((await store().apiTokens.findById('tok_01'))?.lastUsedAtMs).toBe(t0 + 60_000);
      expect(await store().apiTokens.revoke('tok_01', t0 + 70_000)).toBe(true);
      expect(await store().apiTokens.revoke('tok_01', t0 + 80_000)).toBe(false);
      expect(await store().apiTokens.revoke('tok_missing', t0)).toBe(false);
      expect(await store().apiTokens.listByUser(alice.id)).toEqual([
        token('tok_01', { lastUsedAtMs: t0 + 60_000, revokedAtMs: t0 + 70_000 }),
      ]);
    });
  });

  describe('sessions and refresh tokens', () => {
    it('round-trips a session, and keeps the first revocation and its reason', async () => {
      await store().users.insert(alice);
      await store().sessions.insert(session('ses_01'));
      expect(await store().sessions.findById('ses_01')).toEqual(session('ses_01'));
      await store().sessions.revoke('ses_01', t0 + 10, 'logout');
      await store().sessions.revoke('ses_01', t0 + 20, 'refresh-token-reuse');
      expect(await store().sessions.findById('ses_01')).toEqual(
        session('ses_01', { revokedAtMs: t0 + 10, revokedReason: 'logout' }),
      );
      expect(await store().sessions.findById('ses_missing')).toBeUndefined();
    });

    it('revokes every live session of a user and counts them', async () => {
      await store().users.insert(alice);
      await store().users.insert(bob);
      await store().sessions.insert(session('ses_01'));
      await store().sessions.insert(session('ses_02', { revokedAtMs: t0, revokedReason: 'logout' }));
      await store().sessions.insert(session('ses_03'));
      await store().sessions.insert(session('ses_04', { userId: bob.id }));
      expect(await store().sessions.revokeAllOfUser(alice.id, t0 + 5, 'password-changed')).toBe(2);
      expect((await store().sessions.findById('ses_02'))?.revokedReason).toBe('logout');
      expect((await store().sessions.findById('ses_03'))?.revokedReason).toBe('password-changed');
      expect((await store().sessions.findById('ses_04'))?.revokedAtMs).toBeNull();
    });

    it('marks a refresh token used exactly once', async () => {
      await store().users.insert(alice);
      await store().sessions.insert(session('ses_01'));
      await store().sessions.insertRefreshToken(refreshToken('rft_01', 'ses_01'));
      expect(await store().sessions.findRefreshTokenByHash('hash-of-rft_01')).toEqual(refreshToken('rft_01', 'ses_01'));
      expect(await store().sessions.findRefreshTokenByHash('hash-of-nothing')).toBeUndefined();
      const outcomes = await Promise.all([
        store().sessions.markRefreshTokenUsed('rft_01', t0 + 1),
        store().sessions.markRefreshTokenUsed('rft_01', t0 + 2),
      ]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await store().sessions.findRefreshTokenByHash('hash-of-rft_01'))?.usedAtMs).not.toBeNull();
      expect(await store().sessions.markRefreshTokenUsed('rft_missing', t0)).toBe(false);
    });

    it('deletes ended sessions with their refresh tokens', async () => {
      await store().users.insert(alice);
      await store().sessions.insert(session('ses_old', { expiresAtMs: t0 + 10 }));
      await store().sessions.insert(session('ses_new', { expiresAtMs: t0 + 1_000 }));
      await store().sessions.insertRefreshToken(refreshToken('rft_old', 'ses_old'));
      await store().sessions.insertRefreshToken(refreshToken('rft_new', 'ses_new'));
      expect(await store().sessions.deleteEnded(t0 + 100)).toBe(1);
      expect(await store().sessions.findById('ses_old')).toBeUndefined();
      expect(await store().sessions.findRefreshTokenByHash('hash-of-rft_old')).toBeUndefined();
      expect(await store().sessions.findRefreshTokenByHash('hash-of-rft_new')).toBeDefined();
    });
  });

  describe('signing keys', () => {
    it('finds the newest unretired key as the active one, and retiring drops its private key', async () => {
      await store().signingKeys.insert(key('key_01'));
      await store().signingKeys.insert(key('key_02', { createdAtMs: t0 + 1 }));
      expect(await store().signingKeys.findActive()).toEqual(key('key_02', { createdAtMs: t0 + 1 }));
      await store().signingKeys.retire('key_02', t0 + 5, t0 + 905);
      expect(await store().signingKeys.findById('key_02')).toEqual(
        key('key_02', { createdAtMs: t0 + 1, privateKey: null, retiredAtMs: t0 + 5, verifyUntilMs: t0 + 905 }),
      );
      expect((await store().signingKeys.findActive())?.id).toBe('key_01');
      expect(await store().signingKeys.findById('key_missing')).toBeUndefined();
    });

    it('lists the keys that still verify, newest first, and deletes those that verify nothing', async () => {
      await store().signingKeys.insert(
        key('key_01', { retiredAtMs: t0 + 1, verifyUntilMs: t0 + 100, privateKey: null }),
      );
      await store().signingKeys.insert(
        key('key_02', { createdAtMs: t0 + 1, retiredAtMs: t0 + 2, verifyUntilMs: t0 + 200, privateKey: null }),
      );
      await store().signingKeys.insert(key('key_03', { createdAtMs: t0 + 2 }));
      expect((await store().signingKeys.listVerifying(t0 + 50)).map((k) => k.id)).toEqual([
        'key_03',
        'key_02',
        'key_01',
      ]);
      expect((await store().signingKeys.listVerifying(t0 + 100)).map((k) => k.id)).toEqual(['key_03', 'key_02']);
      expect(await store().signingKeys.deleteExpired(t0 + 150)).toBe(1);
      expect(await store().signingKeys.findById('key_01')).toBeUndefined();
      expect(await store().signingKeys.findActive()).toBeDefined();
    });
  });

  it('rolls back identity writes with the transaction', async () => {
    const outcome = store().transaction(async (tx) => {
      await tx.users.insert(alice);
      await tx.users.putGrant({ userId: alice.id, projectId: null, role: 'owner', createdAtMs: t0 });
      await tx.apiTokens.insert(token('tok_01'));
      await tx.sessions.insert(session('ses_01'));
      throw new Error('boom');
    });
    await expect(outcome).rejects.toThrow('boom');
    expect(await store().users.count()).toBe(0);
    expect(await store().apiTokens.findById('tok_01')).toBeUndefined();
    expect(await store().sessions.findById('ses_01')).toBeUndefined();
  });
}
