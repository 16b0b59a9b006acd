/**
 * Which credential the CLI sends, in order: `--token`, `$SLIPWAY_TOKEN`, the saved login for the API URL (its access
 * token refreshed transparently when it is about to expire), and — for a loopback API URL only — the local admin
 * token. Refreshes are serialised across CLI processes by a lock file: a refresh token is single use, and presenting
 * it twice would end the session.
 */
import { open, rm, stat } from 'node:fs/promises';
import { createApiClient, isSlipwayError, SlipwayError, type TokenSource } from '@slipway/contract';
import { isLoopbackUrl, readAdminToken } from './admin-token.js';
import type { CredentialsFile, SavedLogin } from './credentials-file.js';

/** `password`: the request was a login, its credential the password given. */
export type CredentialKind = 'flag' | 'env' | 'login' | 'admin-token' | 'password' | 'none';

export interface CredentialOptions {
  apiUrl: string;
  flagToken: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  credentials: CredentialsFile;
  fetch?: typeof fetch | undefined;
}

export interface CredentialSource {
  /** The bearer token of the next request (refreshed if needed); `undefined` when none is configured. */
  readonly token: TokenSource;
  /** Where the credential comes from. */
  kind(): Promise<CredentialKind>;
}

/** Refresh an access token this long before it expires, so it does not expire in flight. */
const refreshMarginMs = 30_000;
const lockWaitMs = 5_000;
const staleLockMs = 15_000;

export function createCredentialSource(options: CredentialOptions): CredentialSource {
  const { apiUrl, credentials } = options;
  let resolved: Promise<{ kind: CredentialKind; token?: string }> | undefined;

  const resolve = async (): Promise<{ kind: CredentialKind; token?: string }> => {
    if (options.flagToken !== undefined && options.flagToken !== '') return { kind: 'flag', token: options.flagToken };
    const envToken = options.env['SLIPWAY_TOKEN'];
    if (envToken !== undefined && envToken !== '') return { kind: 'env', token: envToken };
    if ((await credentials.find(apiUrl)) !== undefined) return { kind: 'login' };
    if (isLoopbackUrl(apiUrl)) {
      const adminToken = await readAdminToken(options.env, options.cwd, apiUrl);
      if (adminToken !== undefined) return { kind: 'admin-token', token: adminToken };
    }
    return { kind: 'none' };
  };

  const loginExpired = async (why: string): Promise<never> => {
    await credentials.remove(apiUrl);
    throw new SlipwayError('UNAUTHENTICATED', `your login to ${apiUrl} ${why}: log in again (slipway login)`);
  };

  const isFresh = (login: SavedLogin): boolean => Date.parse(login.accessTokenExpiresAt) - Date.now() > refreshMarginMs;

  const sessionToken = async (): Promise<string | undefined> => {
    const login = await credentials.find(apiUrl);
    if (login === undefined) return undefined;
    if (isFresh(login)) return login.accessToken;
    return withLock(`${credentials.path}.lock`, async () => {
      // Another CLI may have refreshed while this one waited for the lock.
      const current = await credentials.find(apiUrl);
      if (current === undefined) return undefined;
      if (isFresh(current)) return current.accessToken;
      if (Date.parse(current.refreshTokenExpiresAt) <= Date.now()) return loginExpired('expired');
      const client = createApiClient(
        options.fetch === undefined ? { baseUrl: apiUrl } : { baseUrl: apiUrl, fetch: options.fetch },
      );
      try {
        const tokens = await client.auth.refresh(current.refreshToken);
        await credentials.save(apiUrl, {
          username: tokens.user.name,
          accessToken: tokens.accessToken,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          refreshToken: tokens.refreshToken,
          refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
        });
        return tokens.accessToken;
      } catch (error) {
        if (isSlipwayError(error) && error.code === 'UNAUTHENTICATED') return loginExpired(`ended (${error.message})`);
        throw error;
      }
    });
  };

  return {
    async token() {
      resolved ??= resolve();
      const { kind, token } = await resolved;
      return kind === 'login' ? sessionToken() : token;
    },
    async kind() {
      resolved ??= resolve();
      return (await resolved).kind;
    },
  };
}

/** Runs `work` holding an exclusive lock file (created with O_EXCL); a lock older than 15 s is taken over. */
async function withLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const ageMs = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (ageMs > staleLockMs || Date.now() > deadline) await rm(lockPath, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
