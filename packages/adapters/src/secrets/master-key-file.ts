/**
 * The master key on disk: `master.key` (mode 0600, refused when group or others may read it) and, while a rotation
 * is under way, the new key beside it in `master.key.next`. Every write goes to a temporary file first, so a crash
 * never leaves a half-written key under either name.
 */
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createFileAtomic, renameDurably, writeFileAtomic } from '@slipway/atomic-file';
import { SlipwayError } from '@slipway/contract';
import { decodeMasterKey, encodeMasterKey, generateMasterKey, type MasterKey } from './master-key.js';

/** Where a rotation keeps the new key until every data key is re-wrapped under it. */
export function pendingKeyFile(file: string): string {
  return `${file}.next`;
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The key in `file`, or undefined when there is no such file. Errors: `MASTER_KEY_INSECURE` when the file is not
 * private to its owner (any group or other permission bit), `MASTER_KEY_INVALID` when it is not a regular file or
 * does not hold a key.
 */
export async function readMasterKeyFile(file: string): Promise<MasterKey | undefined> {
  let mode: number;
  try {
    const stats = await lstat(file);
    if (!stats.isFile()) {
      throw new SlipwayError('MASTER_KEY_INVALID', `the master key file ${file} is not a regular file`, {
        details: { file },
      });
    }
    mode = stats.mode & 0o777;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new SlipwayError(
      'MASTER_KEY_INSECURE',
      `the master key file ${file} has mode ${mode.toString(8).padStart(4, '0')}: group or others may use it, so ` +
        `slipwayd refuses to start; make it private to its owner with: chmod 600 ${file}`,
      { details: { file, mode: mode.toString(8) } },
    );
  }
  const text = await readFile(file, 'utf8');
  return decodeMasterKey(text, `the master key file ${file}`);
}

/**
 * Creates `file` with a new random key (mode 0600) and returns the key; when `file` appeared meanwhile, returns the
 * key it holds instead, so two starts never end with two keys.
 */
export async function createMasterKeyFile(file: string): Promise<MasterKey> {
  const key = generateMasterKey();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  if (await createFileAtomic(file, `${encodeMasterKey(key)}\n`, { mode: 0o600 })) return key;
  const existing = await readMasterKeyFile(file);
  if (existing) return existing;
  throw new SlipwayError('MASTER_KEY_INVALID', `the master key file ${file} vanished while it was being created`, {
    details: { file },
  });
}

/** Writes `key` as the pending key of a rotation (replacing a pending file left by an earlier attempt). */
export async function writePendingKeyFile(file: string, key: MasterKey): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(pendingKeyFile(file), `${encodeMasterKey(key)}\n`, { mode: 0o600 });
}

/** Makes the pending key the master key: one atomic rename; the old key is gone from disk. */
export async function promotePendingKeyFile(file: string): Promise<void> {
  await renameDurably(pendingKeyFile(file), file);
}
