/** A master key: 32 random bytes, written as base64, known by a fingerprint id that says nothing about the key. */
import { createHash, randomBytes } from 'node:crypto';
import { SlipwayError } from '@slipway/contract';

export const masterKeyBytes = 32;

export interface MasterKey {
  /** `mk_` + 16 hex digits of a SHA-256 over the key: recorded with each wrapped data key. */
  readonly id: string;
  readonly key: Buffer;
}

export function masterKeyOf(key: Buffer): MasterKey {
  if (key.length !== masterKeyBytes) {
    throw new SlipwayError('MASTER_KEY_INVALID', `a master key is ${masterKeyBytes} bytes, not ${key.length}`);
  }
  const digest = createHash('sha256').update('slipway master key id\u0000').update(key).digest('hex');
  return { id: `mk_${digest.slice(0, 16)}`, key };
}

export function generateMasterKey(): MasterKey {
  return masterKeyOf(randomBytes(masterKeyBytes));
}

/** The text form: base64 of the 32 bytes (what `SLIPWAY_MASTER_KEY` and the key file hold). */
export function encodeMasterKey(key: MasterKey): string {
  return key.key.toString('base64');
}

/**
 * Parses the base64 of 32 bytes, surrounding whitespace allowed. Errors: `MASTER_KEY_INVALID` naming `where`
 * (never echoing the text, which may be a key with a typo).
 */
export function decodeMasterKey(text: string, where: string): MasterKey {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    throw new SlipwayError(
      'MASTER_KEY_INVALID',
      `${where} must hold the base64 of ${masterKeyBytes} bytes (44 characters); generate one with: openssl rand -base64 32`,
      { details: { where } },
    );
  }
  return masterKeyOf(Buffer.from(trimmed, 'base64'));
}
