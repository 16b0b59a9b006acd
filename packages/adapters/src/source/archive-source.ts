/** Unpacks an uploaded `.tar.gz` into the build directory after checking every entry, so nothing lands outside it. */
import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { countNoun, SlipwayError, type SourceView } from '@slipway/contract';
import type { FetchOptions } from '@slipway/core';
import { Parser, Unpack, type ReadEntry } from 'tar';
import { planArchiveEntries, type ArchiveEntry, type PlannedEntry } from './archive-entries.js';

export interface ArchiveLimits {
  maxArchiveBytes: number;
  maxUnpackedBytes: number;
  /** Entries (files, directories, links) an archive may hold: each costs a file system operation and memory. */
  maxEntries: number;
  /**
   * Decompressed bytes per compressed byte, past `ratioFloorBytes`: source code compresses about 5–10 times, a gzip
   * bomb about 1000 times, so a bomb is refused after reading a little of it, whatever `maxUnpackedBytes` allows.
   */
  maxCompressionRatio: number;
}

/** Below this many decompressed bytes the ratio is not judged (a tiny archive of one repeated line is fine). */
const ratioFloorBytes = 64 * 1024 * 1024;

const tooLarge = (message: string, details: Record<string, unknown>) =>
  new SlipwayError('ARCHIVE_TOO_LARGE', message, { details });
const invalid = (fileName: string, why: string, cause?: unknown) =>
  new SlipwayError('SOURCE_INVALID', `${fileName} is not a valid .tar.gz archive: ${why}`, {
    details: { fileName },
    cause,
  });

async function readMagic(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buffer, 0, 2, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Something tar's parser or unpacker is: written to chunk by chunk, and saying when it wants no more for now. */
interface TarSink {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Streams the decompressed bytes of `file` into `sink`, honouring its backpressure, so neither memory nor one turn
 * of the event loop grows with the archive (tar's own `extract({ file })` inflates a small file in one synchronous
 * write: a 2 MB bomb blocked the loop for 50 s and took 2 GB). Stops early when `shouldStop` says so after a chunk.
 */
async function pumpDecompressed(
  file: string,
  fileName: string,
  sink: TarSink,
  shouldStop: (decompressedBytes: number, chunk: Buffer) => boolean,
): Promise<void> {
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  let decompressedBytes = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (decompressedBytes === 0 && isCompressed(chunk))
        throw invalid(fileName, 'its content is compressed a second time, which Slipway does not unpack');
      decompressedBytes += chunk.length;
      if (shouldStop(decompressedBytes, chunk)) break;
      if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once('drain', resolve));
    }
  } catch (error) {
    if (error instanceof SlipwayError) throw error;
    throw invalid(fileName, `gzip data is corrupt (${(error as Error).message})`, error);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** tar would inflate gzip or zstd content itself, synchronously and unbounded: an archive inside is refused. */
function isCompressed(chunk: Buffer): boolean {
  return (
    (chunk[0] === 0x1f && chunk[1] === 0x8b) ||
    (chunk[0] === 0x28 && chunk[1] === 0xb5 && chunk[2] === 0x2f && chunk[3] === 0xfd)
  );
}

/**
 * First pass: decompresses with our own gunzip (so decompressed bytes are counted: a gzip bomb stops at the limit, not
 * at the end of the stream) and lists entries without writing anything.
 */
async function listEntries(
  file: string,
  fileName: string,
  compressedBytes: number,
  limits: ArchiveLimits,
): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  let declaredBytes = 0;
  let failure: Error | undefined;
  let parseError: Error | undefined;

  const parser = new Parser({ strict: true, brotli: false, zstd: false });
  parser.on('entry', (entry: ReadEntry) => {
    entries.push({ path: entry.path, type: entry.type, linkpath: entry.linkpath, sizeBytes: entry.size });
    declaredBytes += entry.size;
    if (declaredBytes > limits.maxUnpackedBytes) {
      failure ??= tooLarge(`${fileName} unpacks to more than ${limits.maxUnpackedBytes} bytes`, {
        maxUnpackedBytes: limits.maxUnpackedBytes,
      });
    }
    if (entries.length > limits.maxEntries)
      failure ??= tooLarge(`${fileName} holds more than ${limits.maxEntries} entries`, {
        maxEntries: limits.maxEntries,
      });
    entry.resume();
  });
  // Entry types tar cannot represent (sparse files, ACLs …) are not emitted as entries: refuse them here.
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    failure ??= new SlipwayError(
      'ARCHIVE_UNSAFE',
      `archive entry "${entry.path}" has the unsupported type ${entry.type}`,
      {
        details: { entry: entry.path, reason: `unsupported type ${entry.type}` },
      },
    );
  });
  parser.on('error', (error: Error) => {
    parseError ??= error;
  });
  // After the end-of-archive marker tar reads nothing more; feeding it the rest would only buffer it.
  let hasSeenEnd = false;
  parser.on('eof', () => {
    hasSeenEnd = true;
  });
  const finished = new Promise<void>((resolve) => parser.once('end', () => resolve()));

  // Headers and padding take at most a few blocks per entry on top of the file data.
  const decompressedLimit = () => limits.maxUnpackedBytes + 4096 * (entries.length + 1) + 10 * 1024 * 1024;
  await pumpDecompressed(file, fileName, parser, (decompressedBytes) => {
    if (decompressedBytes > decompressedLimit()) {
      failure ??= tooLarge(`${fileName} decompresses to more than ${decompressedLimit()} bytes`, {
        maxUnpackedBytes: limits.maxUnpackedBytes,
      });
    }
    if (decompressedBytes > ratioFloorBytes && decompressedBytes > limits.maxCompressionRatio * compressedBytes) {
      failure ??= tooLarge(
        `${fileName} decompresses more than ${limits.maxCompressionRatio} times its size (a compression bomb?)`,
        { maxCompressionRatio: limits.maxCompressionRatio },
      );
    }
    return failure !== undefined || parseError !== undefined || hasSeenEnd;
  });
  if (failure === undefined && parseError === undefined) {
    parser.end();
    await Promise.race([finished, new Promise((resolve) => parser.once('error', resolve))]);
  }
  if (failure !== undefined) throw failure;
  if (parseError !== undefined) throw invalid(fileName, parseError.message, parseError);
  if (entries.length === 0) throw invalid(fileName, 'it holds no entries');
  return entries;
}

/** Second pass: tar extracts, each entry re-checked against the plan and moved to its planned path. */
async function extractPlanned(
  file: string,
  fileName: string,
  destDir: string,
  entries: readonly ArchiveEntry[],
  plan: readonly PlannedEntry[],
): Promise<void> {
  let index = 0;
  let mismatch: string | undefined;
  let unpackError: Error | undefined;
  const unpack = new Unpack({
    cwd: destDir,
    strict: true,
    preserveOwner: false,
    filter: (path, entry) => {
      const expected = entries[index];
      const planned = plan[index];
      index += 1;
      if (
        !('type' in entry) ||
        expected === undefined ||
        planned === undefined ||
        expected.path !== path ||
        expected.type !== entry.type
      ) {
        mismatch ??= path;
        return false;
      }
      if (planned.target === undefined) return false;
      entry.path = planned.target;
      if (planned.linkTarget !== undefined) entry.linkpath = planned.linkTarget;
      // No setuid/setgid/sticky bits from uploads; the owner can always read and write what it unpacked.
      if (typeof entry.mode === 'number')
        entry.mode = (entry.mode & 0o777) | (entry.type === 'Directory' ? 0o700 : 0o600);
      return true;
    },
  });
  unpack.on('error', (error: Error) => {
    unpackError ??= error;
  });
  const closed = new Promise<void>((resolve) => unpack.once('close', () => resolve()));
  let hasSeenEnd = false;
  unpack.on('eof', () => {
    hasSeenEnd = true;
  });
  await pumpDecompressed(file, fileName, unpack, () => unpackError !== undefined || hasSeenEnd);
  unpack.end();
  await Promise.race([closed, new Promise((resolve) => unpack.once('error', resolve))]);
  if (unpackError !== undefined) {
    const error = unpackError;
    const code = (error as { code?: unknown }).code;
    if (code === 'TAR_SYMLINK_ERROR' || /escape/i.test(error.message)) {
      throw new SlipwayError('ARCHIVE_UNSAFE', `${fileName} could not be extracted safely: ${error.message}`, {
        cause: error,
      });
    }
    throw invalid(fileName, error.message, error);
  }
  if (mismatch !== undefined) {
    throw new SlipwayError('ARCHIVE_UNSAFE', `${fileName} changed while it was being extracted (at "${mismatch}")`, {
      details: { entry: mismatch },
    });
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new SlipwayError('INTERRUPTED', 'unpacking the archive was cancelled');
}

export async function fetchArchiveSource(
  request: { file: string; fileName: string; sizeBytes: number },
  options: FetchOptions,
  limits: ArchiveLimits,
): Promise<SourceView> {
  const { file, fileName } = request;
  let sizeBytes: number;
  try {
    sizeBytes = (await stat(file)).size;
  } catch (error) {
    throw new SlipwayError('SOURCE_UNREACHABLE', `uploaded archive ${fileName} is no longer available`, {
      details: { fileName },
      cause: error,
    });
  }
  if (sizeBytes > limits.maxArchiveBytes) {
    throw tooLarge(`${fileName} is ${sizeBytes} bytes, more than the limit of ${limits.maxArchiveBytes}`, {
      sizeBytes,
      maxArchiveBytes: limits.maxArchiveBytes,
    });
  }
  const magic = await readMagic(file);
  if (magic.length < 2 || magic[0] !== 0x1f || magic[1] !== 0x8b) throw invalid(fileName, 'it is not gzip-compressed');
  throwIfCancelled(options.signal);

  options.log(`checking ${fileName} (${sizeBytes} bytes)`);
  const entries = await listEntries(file, fileName, sizeBytes, limits);
  const { isTopDirectoryStripped, planned } = planArchiveEntries(entries);
  throwIfCancelled(options.signal);
  await mkdir(options.destDir, { recursive: true });
  await extractPlanned(file, fileName, options.destDir, entries, planned);
  options.log(
    `unpacked ${countNoun(entries.length, 'entry', 'entries')}${isTopDirectoryStripped ? ' (single top-level directory stripped)' : ''}`,
  );
  return { kind: 'archive', fileName, sizeBytes };
}
