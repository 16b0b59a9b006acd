/** Streams an instance's output from its log files: the last lines, then (when following) what is appended, across rotations. */
import { open, stat } from 'node:fs/promises';
import type { LogLine } from '@slipway/core';
import { isNotFound } from './instance-state-files.js';
import { readLastLines } from './read-last-lines.js';

export interface StreamFiles {
  stream: LogLine['stream'];
  path: string;
  /** Rotated copies, newest first (`x.log.1`, `x.log.2` …). */
  rotatedPaths: readonly string[];
}

export interface ReadInstanceLogsOptions {
  tailLines: number;
  follow: boolean;
  signal?: AbortSignal | undefined;
  pollMs: number;
  /** Checked while following: the instance was removed, so nothing more can come. */
  isGone: () => Promise<boolean>;
}

interface FileIdentity {
  ino: number;
  sizeBytes: number;
  mtimeMs: number;
}

interface Cursor extends StreamFiles {
  offsetBytes: number;
  /** Bytes of a line not yet terminated by a newline. */
  partial: Buffer;
  /** Identity of `x.log.1` when last looked at: a new one means a rotation happened between two polls. */
  rotated: FileIdentity | undefined;
}

/**
 * The tail interleaves stdout and stderr by file: the two files carry no timestamps, so the stream whose file changed
 * last is shown last. While following, lines are delivered in the order they are read.
 */
export async function* readInstanceLogs(
  streams: readonly StreamFiles[],
  options: ReadInstanceLogsOptions,
): AsyncGenerator<LogLine> {
  const cursors: Cursor[] = [];
  const tails: { mtimeMs: number; lines: LogLine[] }[] = [];
  for (const files of streams) {
    const current = await identify(files.path);
    const cursor: Cursor = {
      ...files,
      offsetBytes: current?.sizeBytes ?? 0,
      partial: Buffer.alloc(0),
      rotated: files.rotatedPaths[0] === undefined ? undefined : await identify(files.rotatedPaths[0]),
    };
    const lines = await tailOf(cursor, options.tailLines, options.follow);
    cursors.push(cursor);
    tails.push({ mtimeMs: current?.mtimeMs ?? 0, lines: lines.map((line) => ({ stream: files.stream, line })) });
  }
  tails.sort((a, b) => a.mtimeMs - b.mtimeMs);
  const tail = options.tailLines > 0 ? tails.flatMap((entry) => entry.lines).slice(-options.tailLines) : [];
  yield* tail;

  if (!options.follow) return;
  while (await pause(options.pollMs, options.signal)) {
    for (const cursor of cursors) {
      for (const line of await readAppended(cursor)) yield { stream: cursor.stream, line };
    }
    if (await options.isGone()) return;
  }
}

/** The last lines of a stream; when following, an unfinished last line is kept back and delivered once complete. */
async function tailOf(cursor: Cursor, count: number, isFollowing: boolean): Promise<string[]> {
  const current = await readLastLines(cursor.path, count, cursor.offsetBytes);
  let lines = current.lines;
  if (isFollowing) cursor.partial = current.trailingPartial;
  else if (current.trailingPartial.length > 0) lines.push(current.trailingPartial.toString('utf8'));

  for (const rotatedPath of cursor.rotatedPaths) {
    if (lines.length >= count) break;
    const older = await readLastLines(rotatedPath, count - lines.length);
    // A rotation cuts wherever the copy happened: a trailing partial line of a rotated file is shown as a line.
    const olderLines =
      older.trailingPartial.length > 0 ? [...older.lines, older.trailingPartial.toString('utf8')] : older.lines;
    lines = [...olderLines, ...lines];
  }
  return lines.slice(-count);
}

async function readAppended(cursor: Cursor): Promise<string[]> {
  const current = await identify(cursor.path);
  if (current === undefined) return [];
  const chunks: Buffer[] = [cursor.partial];

  const rotatedPath = cursor.rotatedPaths[0];
  const rotated = rotatedPath === undefined ? undefined : await identify(rotatedPath);
  const isNewCopy = rotated !== undefined && !isSameFile(rotated, cursor.rotated);
  // A new copy counts once the file has been truncated (it is then smaller than the copy); until then the copy may
  // still be in progress, so it is looked at again on the next poll.
  const hasRotated = current.sizeBytes < cursor.offsetBytes || (isNewCopy && current.sizeBytes < rotated.sizeBytes);
  if (hasRotated || !isNewCopy) cursor.rotated = rotated;
  if (hasRotated) {
    // Copy-truncate: what we had not read yet was copied to `x.log.1` before the file was emptied.
    if (rotatedPath !== undefined) chunks.push(await readRange(rotatedPath, cursor.offsetBytes, Infinity));
    cursor.offsetBytes = 0;
  }
  if (current.sizeBytes > cursor.offsetBytes) {
    chunks.push(await readRange(cursor.path, cursor.offsetBytes, current.sizeBytes));
    cursor.offsetBytes = current.sizeBytes;
  }

  const buffer = Buffer.concat(chunks);
  const lastNewline = buffer.lastIndexOf(0x0a);
  if (lastNewline < 0) {
    cursor.partial = buffer;
    return [];
  }
  cursor.partial = Buffer.from(buffer.subarray(lastNewline + 1));
  return buffer.subarray(0, lastNewline).toString('utf8').split('\n');
}

async function identify(path: string): Promise<FileIdentity | undefined> {
  try {
    const stats = await stat(path);
    return { ino: stats.ino, sizeBytes: stats.size, mtimeMs: stats.mtimeMs };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isSameFile(a: FileIdentity, b: FileIdentity | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.sizeBytes === b.sizeBytes && a.mtimeMs === b.mtimeMs;
}

/** Bytes [startBytes, endBytes) of a file, clipped to its size; empty when it is missing. */
async function readRange(path: string, startBytes: number, endBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return Buffer.alloc(0);
    throw error;
  }
  try {
    const sizeBytes = Math.min(endBytes, (await handle.stat()).size);
    if (sizeBytes <= startBytes) return Buffer.alloc(0);
    const buffer = Buffer.alloc(sizeBytes - startBytes);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, startBytes);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Waits `ms`; resolves false (instead of rejecting) when the signal aborts, so following ends cleanly. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
