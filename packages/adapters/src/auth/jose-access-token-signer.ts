/**
 * The AccessTokenSigner on jose: EdDSA (Ed25519) JWTs with `kid`, issuer and audience; keys generated on first use and
 * kept in the store (the active one with its PKCS#8 private key, retired ones public only until the last token they
 * signed has expired). Imported keys are cached by id; whether a key still verifies is checked on every call.
 */
import { randomUUID } from 'node:crypto';
import {
  decodeProtectedHeader,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { CryptoKey } from 'jose';
import type { AccessTokenSigner, Clock, IdGenerator, SigningKeyRecord, Store } from '@slipway/core';

export interface JoseAccessTokenSignerOptions {
  readonly store: Pick<Store, 'signingKeys' | 'transaction'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Lifetime of each token; a retired key verifies for this long after its retirement. */
  readonly ttlMs: number;
  readonly issuer?: string;
  readonly audience?: string;
}

const algorithm = 'EdDSA';

export function createJoseAccessTokenSigner(options: JoseAccessTokenSignerOptions): AccessTokenSigner {
  const { store, clock, ids, ttlMs } = options;
  const issuer = options.issuer ?? 'slipway';
  const audience = options.audience ?? 'slipway-api';
  const publicKeys = new Map<string, Promise<CryptoKey>>();
  const privateKeys = new Map<string, Promise<CryptoKey>>();

  const newKey = async (): Promise<SigningKeyRecord> => {
    const pair = await generateKeyPair(algorithm, { crv: 'Ed25519', extractable: true });
    return {
      id: ids.next('key'),
      algorithm,
      publicKey: await exportSPKI(pair.publicKey),
      privateKey: await exportPKCS8(pair.privateKey),
      createdAtMs: clock.nowMs(),
      retiredAtMs: null,
      verifyUntilMs: null,
    };
  };

  const activeKey = async (): Promise<SigningKeyRecord & { privateKey: string }> => {
    let active = await store.signingKeys.findActive();
    if (active === undefined || active.privateKey === null) {
      active = await newKey();
      await store.signingKeys.insert(active);
    }
    const { privateKey } = active;
    if (privateKey === null) throw new Error('the active signing key has no private key');
    return { ...active, privateKey };
  };

  const verifyingKey = async (kid: string, nowMs: number): Promise<CryptoKey | undefined> => {
    const record = await store.signingKeys.findById(kid);
    if (record === undefined || (record.verifyUntilMs !== null && record.verifyUntilMs <= nowMs)) return undefined;
    let key = publicKeys.get(kid);
    if (key === undefined) {
      key = importSPKI(record.publicKey, algorithm);
      publicKeys.set(kid, key);
    }
    return key;
  };

  return {
    async ensureKey() {
      await store.signingKeys.deleteExpired(clock.nowMs());
      await activeKey();
    },

    async sign(claims) {
      const key = await activeKey();
      let privateKey = privateKeys.get(key.id);
      if (privateKey === undefined) {
        privateKey = importPKCS8(key.privateKey, algorithm);
        privateKeys.set(key.id, privateKey);
      }
      const nowSeconds = Math.floor(clock.nowMs() / 1000);
      const expiresAtSeconds = nowSeconds + Math.floor(ttlMs / 1000);
      const token = await new SignJWT({ sid: claims.sessionId })
        .setProtectedHeader({ alg: algorithm, kid: key.id, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(nowSeconds)
        // Its own id (RFC 7519 jti): two tokens of one session signed within a second are still two tokens.
        .setJti(randomUUID())
        .setExpirationTime(expiresAtSeconds)
        .sign(await privateKey);
      return { token, keyId: key.id, expiresAtMs: expiresAtSeconds * 1000 };
    },

    async verify(token) {
      const nowMs = clock.nowMs();
      let kid: string | undefined;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== algorithm) return undefined;
        kid = header.kid;
      } catch {
        return undefined;
      }
      if (kid === undefined || kid.length > 128) return undefined;
      const key = await verifyingKey(kid, nowMs);
      if (key === undefined) return undefined;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [algorithm],
          issuer,
          audience,
          currentDate: new Date(nowMs),
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const { sub, sid, exp } = payload;
        if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') return undefined;
        return { userId: sub, sessionId: sid, keyId: kid, expiresAtMs: exp * 1000 };
      } catch {
        return undefined;
      }
    },

    async rotate() {
      const next = await newKey();
      const nowMs = clock.nowMs();
      const verifying = await store.transaction(async (tx) => {
        for (const key of await tx.signingKeys.listVerifying(nowMs)) {
          // Tokens signed until now expire within one lifetime; the key verifies them until then.
          if (key.retiredAtMs === null) await tx.signingKeys.retire(key.id, nowMs, nowMs + ttlMs);
        }
        await tx.signingKeys.insert(next);
        await tx.signingKeys.deleteExpired(nowMs);
        return tx.signingKeys.listVerifying(nowMs);
      });
      for (const id of privateKeys.keys()) if (id !== next.id) privateKeys.delete(id);
      return {
        activeKeyId: next.id,
        verificationKeyIds: [next.id, ...verifying.map((k) => k.id).filter((id) => id !== next.id)],
      };
    },
  };
}
