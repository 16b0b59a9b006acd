/**
 * Makes a source tree safe for Slipway to read and serve: every symlink that resolves (or would resolve) outside the
 * tree is removed, and so is every special file (FIFO, socket, device), whatever produced the tree (a git checkout,
 * an archive, a copied directory, or a build that ran the app's own commands).
 */
import { lstat, readdir, readlink, realpath, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SlipwayError } from '@slipway/contract';

export function isInsideTree(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export interface ConfineOptions {
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
}

/** Resolves to the number of entries removed. Directories are walked, never followed through links. */
export async function confineSourceTree(dir: string, options: ConfineOptions): Promise<number> {
  const root = await realpath(dir);
  let removed = 0;
  const remove = async (path: string, why: string): Promise<void> => {
    await unlink(path);
    removed += 1;
    options.log(`removed ${relative(root, path)}: ${why}`);
  };
  const pending = [root];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    if (options.signal?.aborted === true)
      throw new SlipwayError('INTERRUPTED', 'checking the source tree was cancelled');
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isSymbolicLink()) {
        if (!(await isLinkInside(root, path))) await remove(path, 'a symlink that points outside the source tree');
      } else if (!entry.isFile()) {
        // A FIFO or a device would block or never end when read (`/dev/zero`); a socket reaches another process.
        const stats = await lstat(path);
        if (!stats.isFile() && !stats.isDirectory()) await remove(path, 'not a regular file, directory or symlink');
      }
    }
  }
  return removed;
}

/**
 * True when the link resolves inside `root` both by its text (so it stays inside even once a missing target is
 * created) and, when its target exists, through every link on the way (`realpath`).
 */
async function isLinkInside(root: string, path: string): Promise<boolean> {
  const text = await readlink(path);
  if (!isInsideTree(root, resolve(dirname(path), text))) return false;
  try {
    return isInsideTree(root, await realpath(path));
  } catch {
    // Dangling: its text stays inside, and every link its path could pass through is checked in its own turn.
    return true;
  }
}
