/**
 * The PasswordHasher on node:crypto scrypt: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64, no padding), so
 * the cost can be raised later — a hash with other parameters verifies and asks to be rehashed. Constant-time compare.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '@slipway/core';

export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. */
  readonly logN: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
}

/**
 * N = 2^15, r = 8, p = 3 — one of OWASP's equivalent scrypt minimums, chosen for its 32 MiB of memory per hash (the
 * 2^17/8/1 variant needs 128 MiB, too much for slipwayd's footprint); about 0.35 s per hash on one server core.
 */
export const defaultScryptParameters: ScryptParameters = { logN: 15, r: 8, p: 3 };

const saltBytes = 16;
const keyBytes = 32;
const encodedPattern = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

const b64 = (buffer: Buffer): string => buffer.toString('base64').replace(/=+$/, '');

function derive(password: string, salt: Buffer, params: ScryptParameters, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function parse(encoded: string): { params: ScryptParameters; salt: Buffer; hash: Buffer } | undefined {
  const match = encodedPattern.exec(encoded);
  if (match === null) return undefined;
  const params = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  // Bounds keep a corrupted record from asking for gigabytes.
  if (params.logN < 10 || params.logN > 22 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16)
    return undefined;
  return { params, salt: Buffer.from(match[4] ?? '', 'base64'), hash: Buffer.from(match[5] ?? '', 'base64') };
}

export function createScryptPasswordHasher(params: ScryptParameters = defaultScryptParameters): PasswordHasher {
  const encode = (salt: Buffer, hash: Buffer): string =>
    `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
  // Verified against when there is no stored hash, so that case costs as much as a real one.
  let decoy: Promise<string> | undefined;

  return {
    async hash(password) {
      const salt = randomBytes(saltBytes);
      return encode(salt, await derive(password, salt, params, keyBytes));
    },
    async verify(password, encoded) {
      if (encoded === undefined) {
        decoy ??= derive('', randomBytes(saltBytes), params, keyBytes).then((hash) =>
          encode(randomBytes(saltBytes), hash),
        );
        const parsed = parse(await decoy);
        if (parsed !== undefined) await derive(password, parsed.salt, parsed.params, parsed.hash.length);
        return { isValid: false, needsRehash: false };
      }
      const parsed = parse(encoded);
      if (parsed === undefined) return { isValid: false, needsRehash: false };
      const candidate = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
      const isValid = candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
      const needsRehash =
        parsed.params.logN !== params.logN || parsed.params.r !== params.r || parsed.params.p !== params.p;
      return { isValid, needsRehash: isValid && needsRehash };
    },
  };
}
