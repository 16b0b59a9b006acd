/**
 * The admin token slipwayd writes on its first start (`<dataDir>/admin-token`), used by the CLI on the same machine
 * when no other credential is configured — and only for a loopback API URL, so it never travels over a network.
 * The data dir is `$SLIPWAY_DATA_DIR`, else `./.slipway` in the current directory or its nearest parent that has one.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

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

/** `$SLIPWAY_DATA_DIR` (relative to `cwd`), else the nearest `.slipway` directory from `cwd` upwards. */
export async function findDataDir(env: Env, cwd: string): Promise<string | undefined> {
  const configured = env['SLIPWAY_DATA_DIR'];
  if (configured !== undefined && configured !== '') return resolve(cwd, configured);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (await isDirectory(join(dir, '.slipway'))) return join(dir, '.slipway');
    if (dirname(dir) === dir) return undefined;
  }
}

/** The admin token of the local data dir, if there is one. */
export async function readAdminToken(env: Env, cwd: string): Promise<string | undefined> {
  const dataDir = await findDataDir(env, cwd);
  if (dataDir === undefined) return undefined;
  try {
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}
