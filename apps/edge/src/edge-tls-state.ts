/**
 * The TLS state slipwayd gives the router (`PUT /tls`): checked by hand (the edge does not load zod) and persisted in
 * `<state-dir>/tls.json` (mode 0600: it holds private keys) so a restarted router serves its hosts' certificates
 * before slipwayd is back.
 */
import { readFile } from 'node:fs/promises';
import type { EdgeHostCertificate, EdgeHttp01Challenge, EdgeTlsState } from '@slipway/contract';
import { writeFileAtomic } from '@slipway/atomic-file';
import type { EdgeLog } from './edge-log.js';
import { SlipwayError } from './slipway-error.js';

export const emptyTlsState: EdgeTlsState = { certificates: [], http01: [], tlsAlpn01: [] };

/** Bounds of one state: hosts served, challenges under way, and the sizes of their parts. */
export const edgeTlsLimits = {
  maxCertificates: 20_000,
  maxChallenges: 1_000,
  maxPemChars: 64 * 1024,
  maxHostChars: 253,
  maxTokenChars: 256,
  maxKeyAuthorizationChars: 512,
} as const;

const tokenPattern = /^[A-Za-z0-9_-]+$/;
const hostPattern = /^(\*\.)?[a-z0-9.-]+$/;

function fail(message: string): never {
  throw new SlipwayError('VALIDATION_FAILED', `The TLS state is invalid: ${message}; the previous state is kept.`);
}

function text(value: unknown, path: string, maxChars: number): string {
  if (typeof value !== 'string' || value === '') fail(`${path} must be a non-empty string`);
  if (value.length > maxChars) fail(`${path} is longer than ${maxChars} characters`);
  return value;
}

function list(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail(`${path} must be an array`);
  if (value.length > max) fail(`${path} holds more than ${max} entries`);
  return value;
}

function member(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${path} must be an object`);
  return value as Record<string, unknown>;
}

function hostCertificate(value: unknown, path: string): EdgeHostCertificate {
  const entry = member(value, path);
  const host = text(entry.host, `${path}.host`, edgeTlsLimits.maxHostChars);
  if (!hostPattern.test(host)) fail(`${path}.host must be a lowercase host name or *.domain`);
  return {
    host,
    cert: text(entry.cert, `${path}.cert`, edgeTlsLimits.maxPemChars),
    key: text(entry.key, `${path}.key`, edgeTlsLimits.maxPemChars),
  };
}

function http01Challenge(value: unknown, path: string): EdgeHttp01Challenge {
  const entry = member(value, path);
  const token = text(entry.token, `${path}.token`, edgeTlsLimits.maxTokenChars);
  if (!tokenPattern.test(token)) fail(`${path}.token must be base64url`);
  return {
    token,
    keyAuthorization: text(entry.keyAuthorization, `${path}.keyAuthorization`, edgeTlsLimits.maxKeyAuthorizationChars),
  };
}

/** The state in `value`, unknown members dropped. Errors: `VALIDATION_FAILED` naming the first offending member. */
export function checkEdgeTlsState(value: unknown): EdgeTlsState {
  const state = member(value, '(root)');
  return {
    certificates: list(state.certificates, 'certificates', edgeTlsLimits.maxCertificates).map((entry, index) =>
      hostCertificate(entry, `certificates.${index}`),
    ),
    http01: list(state.http01, 'http01', edgeTlsLimits.maxChallenges).map((entry, index) =>
      http01Challenge(entry, `http01.${index}`),
    ),
    tlsAlpn01: list(state.tlsAlpn01, 'tlsAlpn01', edgeTlsLimits.maxChallenges).map((entry, index) =>
      hostCertificate(entry, `tlsAlpn01.${index}`),
    ),
  };
}

/** The persisted state; the empty one when there is none or it cannot be used (logged: slipwayd sends it again). */
export async function readTlsStateFile(path: string, log: EdgeLog): Promise<EdgeTlsState> {
  try {
    return checkEdgeTlsState(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log.error({ path, err: error }, 'tls state unusable, starting without');
    return emptyTlsState;
  }
}

export async function writeTlsStateFile(path: string, state: EdgeTlsState): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(state)}\n`, { mode: 0o600 });
}
