/**
 * Reads one file of a source tree for Slipway itself (the manifest, a Procfile, package.json, a Dockerfile): only a
 * regular file that resolves inside the tree, never more than a stated size, so a link to a secret, to `/dev/zero`
 * or to a FIFO can neither leak nor hang nor exhaust slipwayd.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import { isInsideTree } from './confine-source-tree.js';

export interface SourceFileLimit {
  maxBytes: number;
  /** The error for a file over `maxBytes` (each kind of file has its own code and advice). */
  tooLarge: (name: string, maxBytes: number) => SlipwayError;
}

/** The usual limit of a file Slipway reads from a source: over `maxBytes`, `SOURCE_INVALID` naming the file. */
export function sourceFileLimit(maxBytes: number): SourceFileLimit {
  return {
    maxBytes,
    tooLarge: (name) =>
      new SlipwayError('SOURCE_INVALID', `${name} is larger than the ${maxBytes} bytes Slipway reads of it`, {
        details: { file: name, maxBytes },
      }),
  };
}

/** Resolves to the file's text, or undefined when it does not exist. Errors: `SOURCE_UNSAFE`, `limit.tooLarge`. */
export async function readSourceFile(dir: string, name: string, limit: SourceFileLimit): Promise<string | undefined> {
  let root: string;
  let real: string;
  try {
    // An image source has no tree at all: nothing in it exists.
    root = await realpath(dir);
    real = await realpath(join(root, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const unsafe = (why: string) =>
    new SlipwayError('SOURCE_UNSAFE', `${name} in the source ${why}; Slipway does not read it`, {
      details: { file: name, reason: why },
    });
  if (!isInsideTree(root, real)) throw unsafe(`resolves to a path outside the source tree (${relative(root, real)})`);
  // Non-blocking, so opening a FIFO returns at once instead of waiting for a writer.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw unsafe('is not a regular file');
    if (stats.size > limit.maxBytes) throw limit.tooLarge(name, limit.maxBytes);
    // Read one byte past the limit: a file that grows while it is read is caught too.
    const buffer = Buffer.alloc(Math.min(stats.size, limit.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limit.maxBytes) throw limit.tooLarge(name, limit.maxBytes);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
