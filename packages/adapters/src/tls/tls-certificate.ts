/**
 * TLS certificates for slipwayd's listeners: a certificate and key read from files the operator gives, or a
 * self-signed certificate for local use, generated on first start into a directory (key mode 0600) and reused after.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@slipway/atomic-file';
import { SlipwayError } from '@slipway/contract';

/** A certificate chain and its private key, PEM-encoded, as `tls.createServer` takes them. */
export interface TlsCertificate {
  readonly cert: string;
  readonly key: string;
  /** Where the certificate came from: the files read, or the generated certificate's file. */
  readonly certFile: string;
  /** The private key's file. */
  readonly keyFile: string;
  /** SHA-256 fingerprint of the leaf certificate (`AB:CD:…`). */
  readonly fingerprint256: string;
}

/** The names a generated self-signed certificate is valid for: this machine's loopback names only. */
export const selfSignedNames: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** How long a generated certificate is valid: it is regenerated at the next start after it expires. */
const selfSignedValidityMs = 825 * 24 * 3600 * 1000;

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new SlipwayError(
      'TLS_CONFIG_INVALID',
      `cannot read the TLS ${what} file ${file}: ${(error as Error).message}`,
      {
        details: { file },
      },
    );
  }
}

/** Checks that `cert` is a certificate and `key` its private key; returns the leaf certificate. */
function checkPair(cert: string, key: string, certFile: string, keyFile: string): X509Certificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new SlipwayError(
      'TLS_CONFIG_INVALID',
      `the TLS certificate file ${certFile} does not hold a PEM certificate`,
      {
        details: { file: certFile },
      },
    );
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new SlipwayError('TLS_CONFIG_INVALID', `the TLS key file ${keyFile} does not hold a PEM private key`, {
      details: { file: keyFile },
    });
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new SlipwayError(
      'TLS_CONFIG_INVALID',
      `the TLS key file ${keyFile} does not hold the private key of the certificate in ${certFile}`,
      { details: { certFile, keyFile } },
    );
  }
  return leaf;
}

/**
 * Reads a certificate (chain) and its private key from PEM files. Errors: `TLS_CONFIG_INVALID` when a file cannot be
 * read, does not hold PEM of the right kind, or the key does not belong to the certificate; also when the key file
 * may be read by group or others (a private key must be private).
 */
export async function loadTlsCertificate(files: { certFile: string; keyFile: string }): Promise<TlsCertificate> {
  const { certFile, keyFile } = files;
  const [cert, key] = await Promise.all([readPem(certFile, 'certificate'), readPem(keyFile, 'key')]);
  const mode = (await lstat(keyFile)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SlipwayError(
      'TLS_CONFIG_INVALID',
      `the TLS key file ${keyFile} has mode ${mode.toString(8).padStart(4, '0')}: group or others may read it; ` +
        `make it private to its owner with: chmod 600 ${keyFile}`,
      { details: { file: keyFile, mode: mode.toString(8) } },
    );
  }
  const leaf = checkPair(cert, key, certFile, keyFile);
  return { cert, key, certFile, keyFile, fingerprint256: leaf.fingerprint256 };
}

/**
 * The self-signed certificate in `dir` (`cert.pem`, `key.pem` with mode 0600), valid for localhost, 127.0.0.1 and
 * ::1; generated when absent or expired, reused otherwise (so a client that trusts it keeps trusting it across
 * restarts). Errors: `TLS_CONFIG_INVALID` when the files exist but do not form a valid pair or the key is not private.
 */
export async function ensureSelfSignedCertificate(dir: string, now: Date = new Date()): Promise<TlsCertificate> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!(await isAbsent(certFile)) && !(await isAbsent(keyFile))) {
    const existing = await loadTlsCertificate({ certFile, keyFile });
    if (new Date(new X509Certificate(existing.cert).validTo).getTime() > now.getTime()) return existing;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Loaded only to generate: its X.509 libraries weigh megabytes slipwayd otherwise never needs.
  const { generate } = await import('selfsigned');
  const generated = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + selfSignedValidityMs),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  // Atomic and durable, so a crash never leaves half a key or certificate.
  await writeFileAtomic(keyFile, generated.private, { mode: 0o600 });
  await writeFileAtomic(certFile, generated.cert, { mode: 0o644 });
  return loadTlsCertificate({ certFile, keyFile });
}

async function isAbsent(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return false;
  } catch (error) {
    return isMissing(error);
  }
}
