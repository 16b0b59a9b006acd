/**
 * Registers this slipwayd in the user's local servers file (`$XDG_CONFIG_HOME/slipway/servers.json`, see
 * @slipway/contract's local-servers.ts) once its API listens, so the CLI of the same user finds the data dir — and
 * with it the admin token — from any directory. Never fatal: a read-only home only costs the user a flag.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '@slipway/atomic-file';
import {
  connectableUrl,
  formatLocalServers,
  localServersFileName,
  parseLocalServers,
  slipwayConfigDir,
  withLocalServer,
} from '@slipway/contract';

export interface LocalServerRegistration {
  apiUrl: string;
  dataDir: string;
  pid: number;
  env: Readonly<Record<string, string | undefined>>;
  nowIso: string;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** Resolves the file it wrote, or `undefined` when it could not (logged as a warning). */
export async function registerLocalServer(registration: LocalServerRegistration): Promise<string | undefined> {
  const dir = slipwayConfigDir(registration.env, homedir());
  const file = join(dir, localServersFileName);
  try {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const servers = withLocalServer(parseLocalServers(text), {
      apiUrl: connectableUrl(registration.apiUrl),
      dataDir: resolve(registration.dataDir),
      pid: registration.pid,
      startedAt: registration.nowIso,
    });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, formatLocalServers(servers), { mode: 0o600 });
    registration.logger.info({ file }, 'registered for the CLI of this user');
    return file;
  } catch (error) {
    registration.logger.warn(
      { file, err: error },
      'could not register for the CLI; it finds the admin token with SLIPWAY_DATA_DIR set to the data dir',
    );
    return undefined;
  }
}
