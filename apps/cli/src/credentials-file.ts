/**
 * Saved logins: one per API URL in `$XDG_CONFIG_HOME/slipway/credentials.json` (else `~/.config/slipway/…`), mode
 * 0600 in a 0700 directory, replaced atomically. Holds a session's access and refresh tokens, never a password.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@slipway/atomic-file';
import { SlipwayError } from '@slipway/contract';

export interface SavedLogin {
  username: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

interface FileContent {
  version: 1;
  logins: Record<string, SavedLogin>;
}

const loginFields = [
  'username',
  'accessToken',
  'accessTokenExpiresAt',
  'refreshToken',
  'refreshTokenExpiresAt',
] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function isFileContent(value: unknown): value is FileContent {
  if (!isRecord(value) || value['version'] !== 1 || !isRecord(value['logins'])) return false;
  return Object.values(value['logins']).every(
    (login) => isRecord(login) && loginFields.every((field) => typeof login[field] === 'string'),
  );
}

export interface CredentialsFile {
  readonly path: string;
  find(apiUrl: string): Promise<SavedLogin | undefined>;
  save(apiUrl: string, login: SavedLogin): Promise<void>;
  /** False when there was no login for the URL. */
  remove(apiUrl: string): Promise<boolean>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CONFIG_HOME/slipway/credentials.json`, or `$HOME/.config/slipway/credentials.json`. */
export function credentialsPath(env: Env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const home = env['HOME'];
  const base =
    xdg !== undefined && xdg !== '' ? xdg : join(home !== undefined && home !== '' ? home : homedir(), '.config');
  return join(base, 'slipway', 'credentials.json');
}

/** Logins are keyed by the URL as the API client normalises it (no trailing slash). */
export function loginKey(apiUrl: string): string {
  try {
    return new URL(apiUrl).href.replace(/\/+$/, '');
  } catch {
    return apiUrl;
  }
}

export function openCredentialsFile(path: string): CredentialsFile {
  const load = async (): Promise<FileContent> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, logins: {} };
      throw error;
    }
    let content: unknown;
    try {
      content = JSON.parse(text);
    } catch {
      content = undefined;
    }
    if (!isFileContent(content)) {
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `the credentials file ${path} is not valid: delete it and log in again`,
      );
    }
    return content;
  };
  const store = async (content: FileContent): Promise<void> => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  };
  return {
    path,
    async find(apiUrl) {
      return (await load()).logins[loginKey(apiUrl)];
    },
    async save(apiUrl, login) {
      const content = await load();
      content.logins[loginKey(apiUrl)] = login;
      await store(content);
    },
    async remove(apiUrl) {
      const content = await load();
      const key = loginKey(apiUrl);
      if (content.logins[key] === undefined) return false;
      delete content.logins[key];
      await store(content);
      return true;
    },
  };
}
