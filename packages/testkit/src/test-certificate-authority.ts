/**
 * A certificate authority made for one test with the system's `openssl`: its PEM certificate, and a server
 * certificate it signed for `localhost` and 127.0.0.1 (EC P-256, valid two days).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificateAuthority {
  /** The authority's certificate: what a client trusts. */
  readonly caPem: string;
  /** A server certificate and key the authority signed, for localhost and 127.0.0.1. */
  readonly cert: string;
  readonly key: string;
}

export async function createTestCertificateAuthority(): Promise<TestCertificateAuthority> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-test-ca-'));
  const at = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      at('ca.key'),
      '-out',
      at('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=Slipway Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', [
      'req',
      ...ec,
      '-keyout',
      at('server.key'),
      '-out',
      at('server.csr'),
      '-subj',
      '/CN=localhost',
    ]);
    await writeFile(
      at('server.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      at('server.csr'),
      '-CA',
      at('ca.pem'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-out',
      at('server.pem'),
      '-days',
      '2',
      '-extfile',
      at('server.ext'),
    ]);
    const [caPem, cert, key] = await Promise.all(
      ['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(at(name), 'utf8')),
    );
    return { caPem: caPem ?? '', cert: cert ?? '', key: key ?? '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
