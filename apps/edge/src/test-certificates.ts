/** Certificates for tests of the HTTPS listener: a self-signed one per host name, made by the `openssl` program. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostCertificate {
  readonly host: string;
  readonly cert: string;
  readonly key: string;
}

/** A self-signed P-256 certificate for `host`, valid a day; its certificate is its own CA for a client. */
export function selfSignedFor(dir: string, host: string, label = host): HostCertificate {
  const keyFile = join(dir, `${label}.key`);
  const certFile = join(dir, `${label}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  return { host, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
