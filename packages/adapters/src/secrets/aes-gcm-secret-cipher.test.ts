import { describe, expect, it } from 'vitest';
import type { DataKeyRecord, SecretContext } from '@slipway/core';
import { createAesGcmSecretCipher } from './aes-gcm-secret-cipher.js';
import { createMemoryMasterKeyring } from './master-keyring.js';

const scope = { id: 'dk_1', appId: 'app_1', environmentId: 'env_1' };
const context: SecretContext = { appId: 'app_1', environmentId: 'env_1', name: 'API_TOKEN', version: 1 };
const value = 'sk-live-51f0c9e8-the-value';

function setUp() {
  const keyring = createMemoryMasterKeyring();
  const cipher = createAesGcmSecretCipher({ keyring });
  const dataKey: DataKeyRecord = { ...scope, ...cipher.createDataKey(scope), createdAtMs: 1, wrappedAtMs: 1 };
  return { keyring, cipher, dataKey };
}

describe('AES-256-GCM secret cipher', () => {
  it('opens what it sealed, and seals the same value differently each time (fresh nonce)', () => {
    const { cipher, dataKey } = setUp();
    const first = cipher.seal(dataKey, context, value);
    const second = cipher.seal(dataKey, context, value);

    expect(cipher.open(dataKey, context, first)).toBe(value);
    expect(first.nonce).not.toBe(second.nonce);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(JSON.stringify(first)).not.toContain(value);
    expect(Buffer.from(first.ciphertext, 'base64').toString('latin1')).not.toContain(value);
  });

  it('records the current master key with a wrapped data key, and never the plain key', () => {
    const { keyring, dataKey } = setUp();
    expect(dataKey.masterKeyId).toBe(keyring.current().id);
    expect(dataKey.masterKeyId).toMatch(/^mk_[0-9a-f]{16}$/);
    // format byte + 12-byte nonce + 32-byte key + 16-byte tag
    expect(Buffer.from(dataKey.wrappedKey, 'base64')).toHaveLength(61);
  });

  it.each([
    ['another name', { ...context, name: 'OTHER' }],
    ['another version', { ...context, version: 2 }],
    ['another app', { ...context, appId: 'app_2' }],
    ['another environment', { ...context, environmentId: 'env_2' }],
  ])('refuses a ciphertext moved to %s with SECRET_UNREADABLE', (_, moved) => {
    const { cipher, dataKey } = setUp();
    const sealed = cipher.seal(dataKey, context, value);
    expect(() => cipher.open(dataKey, moved, sealed)).toThrow(expect.objectContaining({ code: 'SECRET_UNREADABLE' }));
  });

  it('refuses a tampered ciphertext, and says so without the value', () => {
    const { cipher, dataKey } = setUp();
    const sealed = cipher.seal(dataKey, context, value);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;

    let message = '';
    try {
      cipher.open(dataKey, context, { ...sealed, ciphertext: bytes.toString('base64') });
    } catch (error) {
      expect(error).toMatchObject({ code: 'SECRET_UNREADABLE' });
      message = (error as Error).message;
    }
    expect(message).toContain('does not authenticate');
    expect(message).not.toContain(value);
  });

  it('refuses a wrapped data key moved to another app environment or id', () => {
    const { cipher, dataKey } = setUp();
    const sealed = cipher.seal(dataKey, context, value);
    expect(() => cipher.open({ ...dataKey, appId: 'app_2' }, context, sealed)).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
    expect(() => cipher.seal({ ...dataKey, id: 'dk_2' }, context, value)).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
  });

  it('cannot open anything under a master key it does not hold', () => {
    const { cipher, dataKey } = setUp();
    const sealed = cipher.seal(dataKey, context, value);
    const stranger = createAesGcmSecretCipher({ keyring: createMemoryMasterKeyring() });

    expect(stranger.hasMasterKey(dataKey.masterKeyId)).toBe(false);
    expect(() => stranger.open(dataKey, context, sealed)).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
  });

  it('re-wraps a data key under a new master key; values open after, and the old key opens nothing', async () => {
    const { keyring, cipher, dataKey } = setUp();
    const sealed = cipher.seal(dataKey, context, value);
    const oldKey = keyring.current();

    await keyring.beginRotation();
    const rewrapped: DataKeyRecord = { ...dataKey, ...cipher.rewrap(dataKey) };
    await keyring.completeRotation();

    expect(rewrapped.masterKeyId).toBe(keyring.current().id);
    expect(rewrapped.masterKeyId).not.toBe(oldKey.id);
    expect(cipher.open(rewrapped, context, sealed)).toBe(value);
    expect(() => cipher.open(dataKey, context, sealed)).toThrow(expect.objectContaining({ code: 'SECRET_UNREADABLE' }));
    const withOldKeyOnly = createAesGcmSecretCipher({ keyring: createMemoryMasterKeyring(oldKey) });
    // The re-wrapped key, relabelled as if the old master key wrapped it, still does not open.
    expect(() => withOldKeyOnly.open({ ...rewrapped, masterKeyId: oldKey.id }, context, sealed)).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
  });
});
