import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, Store } from '@slipway/core';
import { createSqliteStore } from '../store/sqlite-store.js';
import { createSortableIdGenerator } from '../system/sortable-id-generator.js';
import { createJoseAccessTokenSigner } from './jose-access-token-signer.js';

const ttlMs = 15 * 60_000;
const claims = { userId: 'usr_01', sessionId: 'ses_01' };

/** A clock that moves only when told. */
function manualClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    sleep: async () => undefined,
    advance(ms) {
      nowMs += ms;
    },
  };
}

describe('createJoseAccessTokenSigner', () => {
  let store: Store;
  let clock: ReturnType<typeof manualClock>;
  const signerOn = (s: Store) =>
    createJoseAccessTokenSigner({ store: s, clock, ids: createSortableIdGenerator(), ttlMs });

  beforeEach(async () => {
    store = await createSqliteStore({ file: ':memory:' });
    await store.migrate();
    clock = manualClock(Date.UTC(2026, 0, 1));
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates one key on first start and signs EdDSA tokens that verify to their claims until they expire', async () => {
    const signer = signerOn(store);
    await signer.ensureKey();
    await signer.ensureKey();
    const keys = await store.signingKeys.listVerifying(clock.nowMs());
    expect(keys).toHaveLength(1);

    const signed = await signer.sign(claims);
    expect(signed.keyId).toBe(keys[0]?.id);
    expect(signed.expiresAtMs).toBe(clock.nowMs() + ttlMs);
    expect(JSON.parse(Buffer.from(signed.token.split('.')[0] ?? '', 'base64url').toString())).toEqual({
      alg: 'EdDSA',
      kid: signed.keyId,
      typ: 'JWT',
    });
    expect(await signer.verify(signed.token)).toEqual({
      ...claims,
      keyId: signed.keyId,
      expiresAtMs: signed.expiresAtMs,
    });

    clock.advance(ttlMs - 1000);
    expect(await signer.verify(signed.token)).toBeDefined();
    clock.advance(1000);
    expect(await signer.verify(signed.token)).toBeUndefined();
  });

  it('signs two distinct tokens for the same session within one second (each has its own jti)', async () => {
    const signer = signerOn(store);

    const first = await signer.sign(claims);
    const second = await signer.sign(claims);

    expect(second.token).not.toBe(first.token);
    expect(second.expiresAtMs).toBe(first.expiresAtMs);
    expect(await signer.verify(second.token)).toEqual(await signer.verify(first.token));
  });

  it('refuses tampered, foreign, unsigned and malformed tokens without throwing', async () => {
    const signer = signerOn(store);
    const { token } = await signer.sign(claims);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'usr_owner', sid: 'ses_01', iss: 'slipway', aud: 'slipway-api' }));
    const otherStore = await createSqliteStore({ file: ':memory:' });
    await otherStore.migrate();
    const foreign = (await signerOn(otherStore).sign(claims)).token;
    await otherStore.close();
    const key = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey;
    const active = await store.signingKeys.findActive();
    const wrongAudience = await new SignJWT({ sid: 'ses_01' })
      .setProtectedHeader({ alg: 'EdDSA', kid: active?.id ?? '' })
      .setSubject('usr_01')
      .setIssuer('slipway')
      .setAudience('someone-else')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
    const unsigned = new UnsecuredJWT({ sid: 'ses_01' }).setSubject('usr_01').setExpirationTime('5m').encode();

    for (const bad of [
      `${header}.${forged.toString('base64url')}.${signature}`,
      `${header}.${payload}.${signature?.slice(0, -4)}AAAA`,
      foreign,
      wrongAudience,
      unsigned,
      'not-a-jwt',
      '',
      'a.b.c',
    ]) {
      expect(await signer.verify(bad)).toBeUndefined();
    }
  });

  it('rotates: new tokens use the new key, tokens of the old key verify until they expire, then the old key goes', async () => {
    const signer = signerOn(store);
    const before = await signer.sign(claims);
    clock.advance(60_000);

    const rotation = await signer.rotate();
    expect(rotation.activeKeyId).not.toBe(before.keyId);
    expect(rotation.verificationKeyIds).toEqual([rotation.activeKeyId, before.keyId]);
    expect((await store.signingKeys.findById(before.keyId))?.privateKey).toBeNull();

    const after = await signer.sign(claims);
    expect(after.keyId).toBe(rotation.activeKeyId);
    expect(await signer.verify(before.token)).toMatchObject({ keyId: before.keyId });
    expect(await signer.verify(after.token)).toMatchObject({ keyId: rotation.activeKeyId });

    // The old key verifies until the last token it could have signed (at the rotation) expires.
    clock.advance(ttlMs);
    expect(await signer.verify(before.token)).toBeUndefined();
    await signer.ensureKey();
    expect(await store.signingKeys.findById(before.keyId)).toBeUndefined();
    expect((await store.signingKeys.listVerifying(clock.nowMs())).map((k) => k.id)).toEqual([rotation.activeKeyId]);
  });

  it('verifies, from another signer on the same store (another slipwayd), tokens signed before and after a rotation', async () => {
    const first = signerOn(store);
    const second = signerOn(store);
    const old = await first.sign(claims);
    await first.rotate();
    const fresh = await first.sign(claims);
    expect(await second.verify(old.token)).toMatchObject(claims);
    expect(await second.verify(fresh.token)).toMatchObject(claims);
    expect((await second.sign(claims)).keyId).toBe(fresh.keyId);
  });
});
