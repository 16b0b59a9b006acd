/**
 * Writes files that must survive a crash: a reader (or the next start after a power cut) sees the old content or the
 * new, whole and with its mode, never a torn, empty or half-permissioned file. The one way every program of Slipway
 * writes such a file (state, keys, tokens, certificates, credentials, the edge's table).
 */
import { randomBytes } from 'node:crypto';
import { link, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicFileOptions {
  /** The file's permission bits, set exactly (whatever the umask); default 0600. */
  mode?: number;
}

/**
 * Replaces `path` with `data`: a private temporary file beside it, written and fsynced, renamed over `path`, then the
 * directory fsynced so the rename itself is on disk. Concurrent writers of one path each use their own temporary file;
 * the last rename wins whole. On failure the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicFileOptions = {},
): Promise<void> {
  const temporary = await writeTemporary(path, data, options.mode ?? 0o600);
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Creates `path` with `data` only if it does not exist yet, with the same guarantees as `writeFileAtomic` (it appears
 * whole or not at all). Returns false, writing nothing, when `path` already exists, so two starts racing to create a
 * file end with one content.
 */
export async function createFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicFileOptions = {},
): Promise<boolean> {
  const temporary = await writeTemporary(path, data, options.mode ?? 0o600);
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  await syncDirectory(dirname(path));
  return true;
}

/** Renames `from` to `to` (atomic within one file system) and makes the rename durable. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncDirectory(dirname(to));
  if (dirname(from) !== dirname(to)) await syncDirectory(dirname(from));
}

/**
 * Moves the directory `from` to `to` so that it survives a crash whole: every file and folder under `from` is flushed
 * first (a build writes them without fsync), then the directory is renamed and the rename made durable. After a power
 * cut `to` holds the whole tree or `from` still does.
 */
export async function renameDirectoryDurably(from: string, to: string): Promise<void> {
  await syncTree(from);
  await renameDurably(from, to);
}

/**
 * Flushes every regular file and directory under `dir` (symlinks are not followed), then `dir` itself. What cannot be
 * opened for reading (a build may leave a file of mode 000) is skipped: it still moves with the tree, only unflushed.
 */
async function syncTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(skipUnreadable);
  for (const entry of entries ?? []) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) await syncFile(path);
  }
  if (entries !== undefined) await syncDirectory(dir);
}

function skipUnreadable(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return undefined;
  throw error;
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r').catch(skipUnreadable);
  if (handle === undefined) return;
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory's entries (a create, rename or unlink in it) to disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory (EINVAL); their renames are still atomic, just not forced out.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}

/** A new hidden file beside `path` holding `data`, with exactly `mode`, flushed to disk; its path. */
async function writeTemporary(path: string, data: string | Uint8Array, mode: number): Promise<string> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow or reuse something already at that name.
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  return temporary;
}
