/**
 * The admin token slipwayd writes on its first start (`<dataDir>/admin-token`), used by the CLI on the same machine
 * when no other credential is configured — and only for a loopback API URL, so it never travels over a network.
 * The data dir is `$SLIPWAY_DATA_DIR`, else the one the slipwayd at the API URL registered in the user's local
 * servers file (`$XDG_CONFIG_HOME/slipway/servers.json`), else `./.slipway` in the current directory or its nearest
 * parent that has one.
 */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  findLocalServer,
  localServersFileName,
  parseLocalServers,
  slipwayConfigDir,
  type LocalServer,
} from '@slipway/contract';

type Env = Readonly<Record<string, string | undefined>>;

/** True for `localhost`, `127.0.0.0/8` and `::1`. */
export function isLoopbackUrl(apiUrl: string): boolean {
  let host: string;
  try {
    host = new URL(apiUrl).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Path of the local servers file slipwayd registers in. */
export function localServersPath(env: Env): string {
  return join(slipwayConfigDir(env, homedir()), localServersFileName);
}

/** The servers registered by this user's slipwayd, most recently started first; none when the file is unreadable. */
export function readLocalServers(env: Env): LocalServer[] {
  try {
    return parseLocalServers(readFileSync(localServersPath(env), 'utf8'));
  } catch {
    return [];
  }
}

/**
 * `$SLIPWAY_DATA_DIR` (relative to `cwd`), else the data dir registered for `apiUrl` (a loopback URL), else the
 * nearest `.slipway` directory from `cwd` upwards.
 */
export async function findDataDir(env: Env, cwd: string, apiUrl?: string): Promise<string | undefined> {
  const configured = env['SLIPWAY_DATA_DIR'];
  if (configured !== undefined && configured !== '') return resolve(cwd, configured);
  if (apiUrl !== undefined) {
    const registered = findLocalServer(readLocalServers(env), apiUrl);
    if (registered !== undefined && (await isDirectory(registered.dataDir))) return registered.dataDir;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (await isDirectory(join(dir, '.slipway'))) return join(dir, '.slipway');
    if (dirname(dir) === dir) return undefined;
  }
}

/** The admin token of the local data dir for `apiUrl`, if there is one. */
export async function readAdminToken(env: Env, cwd: string, apiUrl?: string): Promise<string | undefined> {
  const dataDir = await findDataDir(env, cwd, apiUrl);
  if (dataDir === undefined) return undefined;
  try {
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The API URL when none is given: `fallbackUrl`, unless no running slipwayd of this user is registered there and
 * exactly one running slipwayd is registered elsewhere (started with `--api 127.0.0.1:7171`, say) — then that one.
 */
export function defaultLocalApiUrl(env: Env, fallbackUrl: string): string {
  const running = readLocalServers(env).filter((server) => isAlive(server.pid));
  if (findLocalServer(running, fallbackUrl) !== undefined) return fallbackUrl;
  const [only, ...others] = running;
  return only !== undefined && others.length === 0 ? only.apiUrl : fallbackUrl;
}
