import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate, loadTlsCertificate } from './tls-certificate.js';

describe('TLS certificates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-tls-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a self-signed certificate for the loopback names once, with a private key, and reuses it', async () => {
    const first = await ensureSelfSignedCertificate(join(dir, 'tls'));
    const leaf = new X509Certificate(first.cert);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(leaf.checkHost('example.com')).toBeUndefined();
    expect((await stat(join(dir, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600);
    const second = await ensureSelfSignedCertificate(join(dir, 'tls'));
    expect(second.fingerprint256).toBe(first.fingerprint256);
  });

  it('regenerates an expired self-signed certificate', async () => {
    const first = await ensureSelfSignedCertificate(dir);
    const later = new Date(Date.now() + 900 * 24 * 3600 * 1000);
    const second = await ensureSelfSignedCertificate(dir, later);
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
  });

  it('refuses a key that others may read, a key of another certificate and files that are not PEM', async () => {
    const a = await ensureSelfSignedCertificate(join(dir, 'a'));
    const b = await ensureSelfSignedCertificate(join(dir, 'b'));
    await chmod(join(dir, 'a', 'key.pem'), 0o644);
    await expect(loadTlsCertificate({ certFile: a.certFile, keyFile: join(dir, 'a', 'key.pem') })).rejects.toThrow(
      'chmod 600',
    );
    await expect(loadTlsCertificate({ certFile: a.certFile, keyFile: join(dir, 'b', 'key.pem') })).rejects.toThrow(
      'does not hold the private key',
    );
    await writeFile(join(dir, 'garbage.pem'), 'not a certificate');
    await expect(
      loadTlsCertificate({ certFile: join(dir, 'garbage.pem'), keyFile: join(dir, 'b', 'key.pem') }),
    ).rejects.toMatchObject({ code: 'TLS_CONFIG_INVALID' });
    await expect(
      loadTlsCertificate({ certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'b', 'key.pem') }),
    ).rejects.toMatchObject({ code: 'TLS_CONFIG_INVALID' });
    expect(await readFile(b.certFile, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
