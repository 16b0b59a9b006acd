/**
 * Identities against a real slipwayd: the first-start owner and its admin token file; API tokens refused at once when
 * revoked or expired; sessions with rotating refresh tokens, reuse detection, logout and password changes; the limits
 * of narrowed tokens and of granting; signing key rotation. Expiry is made to pass by moving it into the past in the
 * store file, as time passing would.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '@slipway/contract';
import { callApi, createUser, errorCode, errorMessage, loginAs, password, tokenOf } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

describe('identities, tokens and sessions', () => {
  let slipwayd: SlipwaydHarness;

  /** Runs one statement on slipwayd's store file (WAL: slipwayd sees it on its next read). */
  const storeUpdate = (sql: string, ...params: unknown[]): number => {
    const db = new SqliteDatabase(join(slipwayd.dataDir, 'slipway.db'));
    try {
      db.pragma('busy_timeout = 5000');
      return db.prepare(sql).run(...params).changes;
    } finally {
      db.close();
    }
  };
  const whoamiStatus = async (token: string) =>
    (await callApi(slipwayd, { method: 'GET', path: '/api/v1/auth/whoami', token })).status;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.projects.create({ name: 'acme' });
    await createUser(slipwayd, 'alice', [{ role: 'deployer', project: 'acme' }]);
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('creates the owner on first start with an admin token in a 0600 file, and never again on restart', async () => {
    const file = join(slipwayd.dataDir, 'admin-token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const token = await slipwayd.adminToken();
    expect(token).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);
    expect(await slipwayd.api.auth.whoami()).toMatchObject({
      user: { name: 'admin' },
      credential: { kind: 'api-token', name: 'admin-token' },
      grants: [{ role: 'owner', project: null }],
    });
    expect(slipwayd.output).not.toContain(token);

    await slipwayd.kill('SIGTERM');
    await slipwayd.start();
    expect(await slipwayd.adminToken()).toBe(token);
    const owners = (await slipwayd.api.users.list()).users.filter((u) => u.grants.some((g) => g.role === 'owner'));
    expect(owners.map((u) => u.name)).toEqual(['admin']);
  });

  it('refuses a revoked API token at once', async () => {
    const { client } = await loginAs(slipwayd, 'alice');
    const created = await client.tokens.create({ name: 'short-lived' });
    expect(await whoamiStatus(created.secret)).toBe(200);
    await client.tokens.revoke(created.token.id);
    const answer = await callApi(slipwayd, { method: 'GET', path: '/api/v1/apps', token: created.secret });
    expect(answer.status).toBe(401);
    expect(errorCode(answer)).toBe('UNAUTHENTICATED');
    expect(errorMessage(answer)).toMatch(/revoked/);
    const listed = (await client.tokens.list()).tokens.find((t) => t.id === created.token.id);
    expect(listed?.revokedAt).not.toBeNull();
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it('refuses an API token at once when its expiry passes', async () => {
    const { client } = await loginAs(slipwayd, 'alice');
    const created = await client.tokens.create({ name: 'expiring', expiresInSeconds: 3600 });
    expect(created.token.expiresAt).not.toBeNull();
    expect(await whoamiStatus(created.secret)).toBe(200);
    expect(storeUpdate('update api_tokens set expires_at_ms = ? where id = ?', Date.now() - 1, created.token.id)).toBe(
      1,
    );
    const answer = await callApi(slipwayd, { method: 'GET', path: '/api/v1/auth/whoami', token: created.secret });
    expect(answer.status).toBe(401);
    expect(errorMessage(answer)).toMatch(/expired/);
  });

  it('rotates refresh tokens, and a reused one ends the whole session at once', async () => {
    const first = await createApiClient({ baseUrl: slipwayd.url }).auth.login({ username: 'alice', password });
    expect(first.user.name).toBe('alice');
    expect(Date.parse(first.accessTokenExpiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const anonymous = createApiClient({ baseUrl: slipwayd.url });
    const second = await anonymous.auth.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await whoamiStatus(second.accessToken)).toBe(200);
    expect(await whoamiStatus(first.accessToken)).toBe(200);

    const reuse = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/refresh',
      json: { refreshToken: first.refreshToken },
    });
    expect(reuse.status).toBe(401);
    expect(errorMessage(reuse)).toMatch(/used before/);
    // The family is gone: the newer refresh token and every access token of the session are refused.
    expect(await whoamiStatus(second.accessToken)).toBe(401);
    expect(await whoamiStatus(first.accessToken)).toBe(401);
    const successor = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/refresh',
      json: { refreshToken: second.refreshToken },
    });
    expect(successor.status).toBe(401);
  });

  it('ends a session at logout, when its end passes, and when the password changes', async () => {
    const byLogout = await loginAs(slipwayd, 'alice');
    await byLogout.client.auth.logout();
    expect(await whoamiStatus(byLogout.accessToken)).toBe(401);
    const afterLogout = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/refresh',
      json: { refreshToken: byLogout.refreshToken },
    });
    expect(afterLogout.status).toBe(401);

    const byTime = await loginAs(slipwayd, 'alice');
    expect(await whoamiStatus(byTime.accessToken)).toBe(200);
    const sessionId = (await byTime.client.auth.whoami()).credential.id;
    expect(storeUpdate('update sessions set expires_at_ms = ? where id = ?', Date.now() - 1, sessionId)).toBe(1);
    expect(await whoamiStatus(byTime.accessToken)).toBe(401);

    const byPassword = await loginAs(slipwayd, 'alice');
    await slipwayd.api.users.setPassword('alice', { password: 'a new password for alice' });
    expect(await whoamiStatus(byPassword.accessToken)).toBe(401);
    const old = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { username: 'alice', password },
    });
    expect(old.status).toBe(401);
    const renewed = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { username: 'alice', password: 'a new password for alice' },
    });
    expect(renewed.status).toBe(200);
    await slipwayd.api.users.setPassword('alice', { password });
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { username: 'alice', password: 'not her password' },
    });
    const unknown = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { username: 'nobody-here', password: 'whatever it is' },
    });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(errorMessage(wrong)).toBe(errorMessage(unknown));
    // The owner has no password until one is set: password login is closed for it.
    const owner = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { username: 'admin', password: 'anything at all' },
    });
    expect(owner.status).toBe(401);
  });

  it('keeps tokens made by a narrowed token within its narrowing', async () => {
    const narrowed = await tokenOf(slipwayd, 'alice', { project: 'acme', role: 'viewer' });
    const client = createApiClient({ baseUrl: slipwayd.url, token: narrowed });
    expect((await client.auth.whoami()).grants).toEqual([{ role: 'viewer', project: 'acme' }]);

    const child = await client.tokens.create({ name: 'child', role: 'deployer' });
    expect(child.token).toMatchObject({ project: 'acme', role: 'viewer' });
    const childClient = createApiClient({ baseUrl: slipwayd.url, token: child.secret });
    expect((await childClient.auth.whoami()).grants).toEqual([{ role: 'viewer', project: 'acme' }]);

    await slipwayd.api.projects.create({ name: 'elsewhere' });
    const outside = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/tokens',
      token: narrowed,
      json: { name: 'escape', project: 'elsewhere' },
    });
    expect(outside.status).toBe(403);
    expect(errorCode(outside)).toBe('FORBIDDEN');
    // A token capped above the user's role gives no more than the user has.
    const capped = await tokenOf(slipwayd, 'alice', { role: 'owner' });
    const cappedClient = createApiClient({ baseUrl: slipwayd.url, token: capped });
    expect((await cappedClient.auth.whoami()).grants).toEqual([{ role: 'deployer', project: 'acme' }]);
  });

  it('refuses grants above the granter and keeps the last owner', async () => {
    await createUser(slipwayd, 'gadmin', [{ role: 'admin' }]);
    const { client: gadmin } = await loginAs(slipwayd, 'gadmin');
    const toOwner = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/users/alice/grants',
      token: (await loginAs(slipwayd, 'gadmin')).accessToken,
      json: { role: 'owner' },
    });
    expect(toOwner.status).toBe(403);
    expect(await gadmin.users.grant('alice', { role: 'admin', project: 'acme' })).toMatchObject({
      grants: [{ role: 'admin', project: 'acme' }],
    });
    const demote = await callApi(slipwayd, {
      method: 'DELETE',
      path: '/api/v1/users/admin/grants',
      token: (await slipwayd.adminToken()) ?? '',
    });
    expect(demote.status).toBe(400);
    expect(errorMessage(demote)).toMatch(/last owner/);
    const badScope = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/users/alice/grants',
      token: (await slipwayd.adminToken()) ?? '',
      json: { role: 'viewer' },
    });
    expect(badScope.status).toBe(400);
  });

  it('rotates the signing key: tokens signed before keep working until they expire, new ones use the new key', async () => {
    const before = await loginAs(slipwayd, 'alice');
    const rotation = await slipwayd.api.auth.rotateKeys();
    expect(rotation.verificationKeyIds).toHaveLength(2);
    expect(rotation.verificationKeyIds[0]).toBe(rotation.activeKeyId);
    expect(await whoamiStatus(before.accessToken)).toBe(200);
    const after = await loginAs(slipwayd, 'alice');
    const kidOf = (jwt: string) =>
      (JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString()) as { kid: string }).kid;
    expect(kidOf(after.accessToken)).toBe(rotation.activeKeyId);
    expect(kidOf(before.accessToken)).not.toBe(rotation.activeKeyId);
    // A refused caller: rotation is for owners only.
    const refused = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/auth/keys/rotate',
      token: after.accessToken,
      json: {},
    });
    expect(refused.status).toBe(403);
  });
});
