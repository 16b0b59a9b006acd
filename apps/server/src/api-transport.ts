/**
 * How slipwayd's listeners are secured, decided before anything starts: the API's certificate (the operator's files
 * or the self-signed one in `<dataDir>/tls/`), the refusal to serve plain HTTP on a non-loopback address, and the
 * edge router's HTTPS listener flags.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import {
  formatListenAddress,
  ensureSelfSignedCertificate,
  loadTlsCertificate,
  type TlsCertificate,
} from '@slipway/adapters';
import { SlipwayError } from '@slipway/contract';
import type { ResolvedConfig } from './config.js';

/** Where the self-signed certificate lives in the data dir (the CLI on this machine trusts it from there). */
export const selfSignedDir = (dataDir: string): string => join(dataDir, 'tls');

/** Whether `host` names this machine's loopback interface only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(bare);
  return false;
}

/**
 * Refuses an API that would listen on a non-loopback address over plain HTTP (bearer tokens and passwords would
 * cross the network in clear), unless the loudly named escape hatch is set; returns whether the API is so exposed
 * (through the escape hatch), for a warning. Errors: `INSECURE_BINDING`.
 */
export function checkApiBinding(
  config: Pick<ResolvedConfig, 'api' | 'tls' | 'insecureHttpOnPublicInterface'>,
): 'secure' | 'insecure-by-choice' {
  if (config.tls.mode !== 'off' || isLoopbackHost(config.api.host)) return 'secure';
  if (config.insecureHttpOnPublicInterface) return 'insecure-by-choice';
  throw new SlipwayError(
    'INSECURE_BINDING',
    `the API would listen on ${config.api.host}:${config.api.port}, which is not a loopback address, over plain ` +
      'HTTP: passwords and tokens would cross the network in clear. Serve it over TLS (--tls-cert FILE --tls-key ' +
      'FILE, or --tls self-signed), keep it on loopback behind your own TLS proxy (--api 127.0.0.1:PORT), or, on a ' +
      'network you fully trust, pass --insecure-http-on-public-interface',
    { details: { host: config.api.host, port: config.api.port } },
  );
}

/** The API's certificate, or undefined for plain HTTP. Errors: `TLS_CONFIG_INVALID` (see the TLS adapter). */
export async function loadApiCertificate(
  config: Pick<ResolvedConfig, 'tls' | 'dataDir'>,
): Promise<TlsCertificate | undefined> {
  switch (config.tls.mode) {
    case 'off':
      return undefined;
    case 'self-signed':
      return ensureSelfSignedCertificate(selfSignedDir(config.dataDir));
    case 'files':
      return loadTlsCertificate({ certFile: config.tls.certFile, keyFile: config.tls.keyFile });
  }
}

/**
 * The edge router's flags for its HTTPS listener (none when not configured). The certificate is checked here, so a
 * bad one fails slipwayd's start rather than the router's. Errors: `TLS_CONFIG_INVALID`.
 */
export async function edgeTlsArgs(
  config: Pick<ResolvedConfig, 'edgeTls' | 'dataDir'>,
  selfSigned?: TlsCertificate,
): Promise<string[]> {
  const { edgeTls } = config;
  if (edgeTls === undefined) return [];
  const certificate =
    edgeTls.certFile !== undefined && edgeTls.keyFile !== undefined
      ? await loadTlsCertificate({ certFile: edgeTls.certFile, keyFile: edgeTls.keyFile })
      : (selfSigned ?? (await ensureSelfSignedCertificate(selfSignedDir(config.dataDir))));
  return [
    '--tls-listen',
    formatListenAddress(edgeTls.listen),
    '--tls-cert',
    certificate.certFile,
    '--tls-key',
    certificate.keyFile,
  ];
}

/**
 * The API's certificate and the edge's HTTPS flags, one after the other: both may need the self-signed certificate,
 * which is generated once. Errors: `TLS_CONFIG_INVALID`.
 */
export async function prepareTransport(
  config: Pick<ResolvedConfig, 'tls' | 'edgeTls' | 'dataDir'>,
): Promise<{ apiCertificate: TlsCertificate | undefined; edgeTlsFlags: string[]; edgeTlsFiles: string[] }> {
  const apiCertificate = await loadApiCertificate(config);
  // The API's self-signed certificate is the edge's too: read and checked once.
  const selfSigned = config.tls.mode === 'self-signed' ? apiCertificate : undefined;
  const edgeTlsFlags = await edgeTlsArgs(config, selfSigned);
  // Their contents are edge settings: a certificate renewed at the same path is handed over to as well.
  const edgeTlsFiles = edgeTlsFlags.filter(
    (_, index) => edgeTlsFlags[index - 1] === '--tls-cert' || edgeTlsFlags[index - 1] === '--tls-key',
  );
  return { apiCertificate, edgeTlsFlags, edgeTlsFiles };
}
