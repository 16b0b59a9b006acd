/**
 * Generates the ed25519 deploy keys Slipway authenticates to git hosts with, in the formats OpenSSH reads: the
 * private half as an unencrypted `openssh-key-v1` file (sealed at rest by the caller), the public half as an
 * `authorized_keys` line a user pastes into the host's deploy keys.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface DeployKey {
  /** `ssh-ed25519 AAAA… <comment>`. */
  readonly publicKey: string;
  /** `-----BEGIN OPENSSH PRIVATE KEY-----…`: a secret. */
  readonly privateKey: string;
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** A fresh key pair; `comment` ends the public line (`slipway-<repository id>`), and must be one printable word. */
export function generateDeployKey(comment: string): DeployKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicRaw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  const keyType = 'ssh-ed25519';
  const publicBlob = Buffer.concat([sshString(keyType), sshString(publicRaw)]);
  // PROTOCOL.key: the private section starts with one random check word twice and is padded 1, 2, 3… to the
  // cipher's block size (8 for "none").
  const check = randomBytes(4).readUInt32BE();
  const section = Buffer.concat([
    uint32(check),
    uint32(check),
    sshString(keyType),
    sshString(publicRaw),
    sshString(Buffer.concat([seed, publicRaw])),
    sshString(comment),
  ]);
  const padding = Buffer.from(Array.from({ length: (8 - (section.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([section, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    publicKey: `${keyType} ${publicBlob.toString('base64')} ${comment}`,
    privateKey: ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n'),
  };
}
