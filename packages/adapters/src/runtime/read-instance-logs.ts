/** Streams an instance's output from its log files: the last lines, then (when following) what is appended, across rotations. */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '@slipway/core';
import { isNotFound } from './instance-state-files.js';
import { LineSplitter } from './line-splitter.js';
import { rotatedLogPaths } from './log-rotator.js';
import { readLastLines } from './read-last-lines.js';

/** What a follower reads from a file at once: its memory is this plus one capped line, however fast the app writes. */
const readChunkBytes = 64 * 1024;
/**
 * A follower further behind the end of a file than this skips to the end and says so in a line, instead of reading the
 * backlog: a reader slower than the app (or one that does not read at all) never holds the API on an ever-growing
 * backlog, and never makes the files' rotation wait for it.
 */
export const maxFollowLagBytes = 1024 * 1024;

export interface StreamFiles {
  stream: LogLine['stream'];
  path: string;
  /** Rotated copies, newest first (`x.log.1`, `x.log.2` …). */
  rotatedPaths: readonly string[];
}

/** The files of an instance's two streams, each with its `keep` rotated copies. */
export function logStreamFiles(pathOf: (stream: LogLine['stream']) => string, keep: number): StreamFiles[] {
  return (['stdout', 'stderr'] as const).map((stream) => {
    const path = pathOf(stream);
    return { stream, path, rotatedPaths: rotatedLogPaths(path, keep) };
  });
}

export interface ReadInstanceLogsOptions {
  tailLines: number;
  follow: boolean;
  signal?: AbortSignal | undefined;
  pollMs: number;
  /** Checked while following: the instance was removed (or has exited, when that ends it), so nothing more can come. */
  isGone: () => Promise<boolean>;
  /** Default `maxFollowLagBytes`. */
  maxLagBytes?: number;
}

interface FileIdentity {
  ino: number;
  sizeBytes: number;
  mtimeMs: number;
}

interface Cursor extends StreamFiles {
  offsetBytes: number;
  /** Holds a line not yet terminated by a newline (capped), and a character cut between two reads. */
  decoder: StringDecoder;
  splitter: LineSplitter;
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
  const tails: { mtimeMs: number; lines: (LogLine & { timeMs: number })[] }[] = [];
  // The files carry no times: a line of the backlog gets its file's last write, which is when it was written at the
  // latest; keeps the times of one instance's lines in the order they are delivered.
  for (const files of streams) {
    const current = await identify(files.path);
    const cursor: Cursor = {
      ...files,
      offsetBytes: current?.sizeBytes ?? 0,
      decoder: new StringDecoder('utf8'),
      splitter: new LineSplitter(),
      rotated: files.rotatedPaths[0] === undefined ? undefined : await identify(files.rotatedPaths[0]),
    };
    const lines = await tailOf(cursor, options.tailLines, options.follow);
    cursors.push(cursor);
    const timeMs = Math.floor(current?.mtimeMs ?? Date.now());
    tails.push({ mtimeMs: timeMs, lines: lines.map((line) => ({ stream: files.stream, line, timeMs })) });
  }
  tails.sort((a, b) => a.mtimeMs - b.mtimeMs);
  const tail = options.tailLines > 0 ? tails.flatMap((entry) => entry.lines).slice(-options.tailLines) : [];
  // Long lines are cut as a follower sees them; one splitter serves, since each line pushed is whole.
  const cutter = new LineSplitter();
  for (const entry of tail) {
    for (const line of cutter.push(`${entry.line}\n`)) yield { stream: entry.stream, line, timeMs: entry.timeMs };
  }

  if (!options.follow) return;
  const maxLagBytes = options.maxLagBytes ?? maxFollowLagBytes;
  while (await pause(options.pollMs, options.signal)) {
    for (const cursor of cursors) {
      for await (const line of readAppended(cursor, maxLagBytes))
        yield { stream: cursor.stream, line, timeMs: Date.now() };
    }
    if (await options.isGone()) {
      // What was written between the read above and the end (an exit) is still there to read, once.
      for (const cursor of cursors) {
        for await (const line of readAppended(cursor, maxLagBytes))
          yield { stream: cursor.stream, line, timeMs: Date.now() };
        for (const line of cursor.splitter.end()) yield { stream: cursor.stream, line, timeMs: Date.now() };
      }
      return;
    }
  }
}

/** The last lines of a stream; when following, an unfinished last line is kept back and delivered once complete. */
async function tailOf(cursor: Cursor, count: number, isFollowing: boolean): Promise<string[]> {
  const current = await readLastLines(cursor.path, count, cursor.offsetBytes);
  let lines = current.lines;
  if (isFollowing) lines.push(...cursor.splitter.push(cursor.decoder.write(current.trailingPartial)));
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

/** The lines appended since the last call, read a chunk at a time as the consumer takes them. */
async function* readAppended(cursor: Cursor, maxLagBytes: number): AsyncGenerator<string> {
  const current = await identify(cursor.path);
  if (current === undefined) return;
  const ranges: { path: string; startBytes: number; endBytes: number }[] = [];

  const rotatedPath = cursor.rotatedPaths[0];
  const rotated = rotatedPath === undefined ? undefined : await identify(rotatedPath);
  const isNewCopy = rotated !== undefined && !isSameFile(rotated, cursor.rotated);
  // A new copy counts once the file has been truncated (it is then smaller than the copy); until then the copy may
  // still be in progress, so it is looked at again on the next poll.
  const hasRotated = current.sizeBytes < cursor.offsetBytes || (isNewCopy && current.sizeBytes < rotated.sizeBytes);
  if (hasRotated || !isNewCopy) cursor.rotated = rotated;
  if (hasRotated) {
    // Copy-truncate: what we had not read yet was copied to `x.log.1` before the file was emptied.
    if (rotatedPath !== undefined && rotated !== undefined) {
      ranges.push({ path: rotatedPath, startBytes: cursor.offsetBytes, endBytes: rotated.sizeBytes });
    }
    cursor.offsetBytes = 0;
  }
  ranges.push({ path: cursor.path, startBytes: cursor.offsetBytes, endBytes: current.sizeBytes });
  cursor.offsetBytes = current.sizeBytes;

  const backlogBytes = ranges.reduce((sum, range) => sum + Math.max(0, range.endBytes - range.startBytes), 0);
  let isMidLine = false;
  if (backlogBytes > maxLagBytes) {
    // Only the newest `maxLagBytes` are read, from the first line that starts in them.
    const startBytes = Math.max(0, current.sizeBytes - maxLagBytes);
    ranges.splice(0, ranges.length, { path: cursor.path, startBytes, endBytes: current.sizeBytes });
    cursor.splitter.reset();
    cursor.decoder = new StringDecoder('utf8');
    isMidLine = startBytes > 0;
    yield `[slipway: ${backlogBytes - (current.sizeBytes - startBytes)} bytes of output skipped: this reader fell behind]`;
  }
  for (const range of ranges) {
    for (let at = range.startBytes; at < range.endBytes; at += readChunkBytes) {
      const chunk = await readRange(range.path, at, Math.min(range.endBytes, at + readChunkBytes));
      const lines = cursor.splitter.push(cursor.decoder.write(chunk));
      if (isMidLine && lines.length > 0) {
        lines.shift();
        isMidLine = false;
      }
      yield* lines;
    }
  }
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
