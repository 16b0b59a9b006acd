/** Reads the last lines of a log file backwards in chunks, so tailing a large file costs only what is shown. */
import { open, type FileHandle } from 'node:fs/promises';
import { isNotFound } from './instance-state-files.js';

const chunkBytes = 64 * 1024;
const newline = 0x0a;
/**
 * The most bytes read back from the end for a tail: however long the lines (one line of 100 MB has no newline to stop
 * at), a tail costs at most this much memory; the oldest line shown may then be the end of a longer one.
 */
export const maxTailBytes = 4 * 1024 * 1024;

export interface LastLines {
  /** Up to `count` complete lines, oldest first, without their newline. */
  lines: string[];
  /** The bytes after the last newline: a line still being written (empty when the file ends with a newline). */
  trailingPartial: Buffer;
}

/**
 * The last `count` complete lines of the first `endBytes` bytes of a file (default: all of it).
 * A missing file has no lines.
 */
export async function readLastLines(path: string, count: number, endBytes?: number): Promise<LastLines> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return { lines: [], trailingPartial: Buffer.alloc(0) };
    throw error;
  }
  try {
    return await readBackwards(handle, count, endBytes ?? (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

async function readBackwards(handle: FileHandle, count: number, endBytes: number): Promise<LastLines> {
  const newestFirst: string[] = [];
  let trailingPartial: Buffer | undefined;
  let carry = Buffer.alloc(0);
  let end = endBytes;
  const wantsMore = (): boolean => trailingPartial === undefined || newestFirst.length < count;
  const stopBytes = Math.max(0, endBytes - maxTailBytes);

  while (end > stopBytes && wantsMore()) {
    const start = Math.max(stopBytes, end - chunkBytes);
    const chunk = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, start);
    let buffer = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
    end = start;
    let at = buffer.lastIndexOf(newline);
    while (at >= 0 && wantsMore()) {
      const segment = buffer.subarray(at + 1);
      if (trailingPartial === undefined) trailingPartial = Buffer.from(segment);
      else newestFirst.push(segment.toString('utf8'));
      buffer = buffer.subarray(0, at);
      at = buffer.lastIndexOf(newline);
    }
    carry = buffer;
  }

  if (end === stopBytes && wantsMore()) {
    // What is left before the first newline is the file's first line (or the end of the line the budget cut); with no
    // newline at all, it is one partial line.
    if (trailingPartial === undefined) trailingPartial = Buffer.from(carry);
    else newestFirst.push(carry.toString('utf8'));
  }
  return { lines: newestFirst.reverse(), trailingPartial: trailingPartial ?? Buffer.alloc(0) };
}
