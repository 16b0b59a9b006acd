/**
 * The SecretCipher with AES-256-GCM (node:crypto) at both levels: a value is sealed under its app environment's
 * 256-bit data key, and the data key is wrapped under a master key from the keyring. Each ciphertext carries a
 * fresh 96-bit random nonce and a 128-bit tag, and is bound by associated data to where it belongs (the data key
 * to its id and app environment; a value to its app environment, name and version).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SlipwayError } from '@slipway/contract';
import type { DataKeyRecord, SealedSecret, SecretCipher, SecretContext, WrappedKey } from '@slipway/core';
import type { MasterKeyring } from './master-keyring.js';

const algorithm = 'aes-256-gcm';
const nonceBytes = 12;
const tagBytes = 16;
const dataKeyBytes = 32;
/** First byte of a wrapped key: its format, so a later one can be told apart. */
const wrapFormat = 1;

interface DataKeyScope {
  id: string;
  appId: string;
  environmentId: string;
}

const dataKeyAad = (scope: DataKeyScope): Buffer =>
  Buffer.from(JSON.stringify(['slipway/data-key/v1', scope.id, scope.appId, scope.environmentId]));

const secretAad = (context: SecretContext): Buffer =>
  Buffer.from(
    JSON.stringify(['slipway/secret/v1', context.appId, context.environmentId, context.name, context.version]),
  );

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { nonce: Buffer; sealed: Buffer } {
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv(algorithm, key, nonce, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { nonce, sealed };
}

/** The plaintext, or undefined when the ciphertext does not authenticate under `key` and `aad`. */
function decrypt(key: Buffer, nonce: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (nonce.length !== nonceBytes || sealed.length < tagBytes) return undefined;
  try {
    const decipher = createDecipheriv(algorithm, key, nonce, { authTagLength: tagBytes });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - tagBytes)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function createAesGcmSecretCipher(options: { keyring: MasterKeyring }): SecretCipher {
  const { keyring } = options;

  const wrap = (scope: DataKeyScope, dataKey: Buffer): WrappedKey => {
    const master = keyring.current();
    const { nonce, sealed } = encrypt(master.key, dataKey, dataKeyAad(scope));
    return {
      wrappedKey: Buffer.concat([Buffer.from([wrapFormat]), nonce, sealed]).toString('base64'),
      masterKeyId: master.id,
    };
  };

  /** The plain data key; the caller zeroes it after use. */
  const unwrap = (record: DataKeyRecord): Buffer => {
    const master = keyring.find(record.masterKeyId);
    if (!master) {
      throw new SlipwayError(
        'SECRET_UNREADABLE',
        `data key ${record.id} is wrapped by master key ${record.masterKeyId}, which this slipwayd does not hold`,
        { details: { dataKeyId: record.id, masterKeyId: record.masterKeyId } },
      );
    }
    const bytes = Buffer.from(record.wrappedKey, 'base64');
    const plain =
      bytes[0] === wrapFormat
        ? decrypt(master.key, bytes.subarray(1, 1 + nonceBytes), bytes.subarray(1 + nonceBytes), dataKeyAad(record))
        : undefined;
    if (plain?.length !== dataKeyBytes) {
      plain?.fill(0);
      throw new SlipwayError(
        'SECRET_UNREADABLE',
        `data key ${record.id} does not open under master key ${master.id} (tampered, or moved from elsewhere)`,
        { details: { dataKeyId: record.id, masterKeyId: master.id } },
      );
    }
    return plain;
  };

  const withDataKey = <T>(record: DataKeyRecord, use: (key: Buffer) => T): T => {
    const key = unwrap(record);
    try {
      return use(key);
    } finally {
      key.fill(0);
    }
  };

  return {
    currentMasterKeyId: () => keyring.current().id,
    hasMasterKey: (id) => keyring.find(id) !== undefined,
    createDataKey(scope) {
      const key = randomBytes(dataKeyBytes);
      try {
        return wrap(scope, key);
      } finally {
        key.fill(0);
      }
    },
    seal(dataKey, context, value) {
      return withDataKey(dataKey, (key) => {
        const plaintext = Buffer.from(value, 'utf8');
        try {
          const { nonce, sealed } = encrypt(key, plaintext, secretAad(context));
          return { dataKeyId: dataKey.id, nonce: nonce.toString('base64'), ciphertext: sealed.toString('base64') };
        } finally {
          plaintext.fill(0);
        }
      });
    },
    open(dataKey, context, sealed: SealedSecret) {
      if (sealed.dataKeyId !== dataKey.id) {
        throw new SlipwayError('SECRET_UNREADABLE', `secret ${context.name} is sealed under another data key`, {
          details: { name: context.name, dataKeyId: sealed.dataKeyId },
        });
      }
      return withDataKey(dataKey, (key) => {
        const plaintext = decrypt(
          key,
          Buffer.from(sealed.nonce, 'base64'),
          Buffer.from(sealed.ciphertext, 'base64'),
          secretAad(context),
        );
        if (plaintext === undefined) {
          throw new SlipwayError(
            'SECRET_UNREADABLE',
            `secret ${context.name} (version ${context.version}) does not authenticate: tampered, or moved from another secret`,
            { details: { name: context.name, version: context.version } },
          );
        }
        try {
          return plaintext.toString('utf8');
        } finally {
          plaintext.fill(0);
        }
      });
    },
    rewrap(dataKey) {
      return withDataKey(dataKey, (key) => wrap(dataKey, key));
    },
  };
}
