/**
 * A git request's body as http-backend is to read it: decompressed (git gzips large fetch requests), bounded, and
 * for a push, its ref updates read first (bounded too), so a request that is not one is refused with a coded error
 * before any git program runs.
 */
import type { FastifyRequest } from 'fastify';
import { PassThrough, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SlipwayError } from '@slipway/contract';
import { ReceivePackCommandReader, type PushCommands } from './receive-pack-commands.js';

export interface GitRequestBody {
  readonly stream: Readable;
  /** Why the body broke off (not gzip, too large), once it has; a coded error to answer with. */
  failure(): SlipwayError | undefined;
}

export function decodedRequestBody(request: FastifyRequest, maxBytes: number): GitRequestBody {
  let failure: SlipwayError | undefined;
  const raw = request.body instanceof Readable ? request.body : Readable.from([]);
  const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
  const isGzip = encoding === 'gzip' || encoding === 'x-gzip';
  const decoded = isGzip ? raw.pipe(createGunzip()) : raw;
  let sizeBytes = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sizeBytes += chunk.length;
      if (sizeBytes <= maxBytes) {
        callback(null, chunk);
        return;
      }
      failure = new SlipwayError(
        'PAYLOAD_TOO_LARGE',
        `a git request may carry at most ${maxBytes} bytes (maxArchiveBytes of slipwayd's config)`,
      );
      callback(failure);
    },
  });
  decoded.on('error', (error) => {
    failure ??= isGzip
      ? new SlipwayError('VALIDATION_FAILED', 'the request body is not valid gzip')
      : new SlipwayError('VALIDATION_FAILED', `the request body broke off: ${error.message}`);
    bound.destroy(failure);
  });
  return { stream: decoded.pipe(bound), failure: () => failure };
}

/**
 * Reads a push's ref updates from the start of its body; the whole body again (what was read, then the rest) for
 * http-backend. Errors: `VALIDATION_FAILED` (not a push request, or it ended before its updates),
 * `PAYLOAD_TOO_LARGE`.
 */
export function readPushCommands(body: GitRequestBody): Promise<{ commands: PushCommands; stream: Readable }> {
  const reader = new ReceivePackCommandReader();
  const read: Buffer[] = [];
  const { stream } = body;
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
    };
    const onData = (chunk: Buffer): void => {
      read.push(chunk);
      let commands: PushCommands | undefined;
      try {
        commands = reader.push(chunk);
      } catch (error) {
        stop();
        stream.destroy();
        reject(error instanceof SlipwayError ? error : new SlipwayError('VALIDATION_FAILED', 'not a push request'));
        return;
      }
      if (commands === undefined) return;
      stop();
      const whole = new PassThrough();
      for (const part of read) whole.write(part);
      stream.on('error', (error) => whole.destroy(error));
      stream.pipe(whole);
      resolve({ commands, stream: whole });
    };
    const onEnd = (): void => {
      stop();
      reject(new SlipwayError('VALIDATION_FAILED', 'the push request ended before its ref updates'));
    };
    const onError = (): void => {
      stop();
      reject(body.failure() ?? new SlipwayError('VALIDATION_FAILED', 'the push request broke off'));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

/**
 * A fetch's whole request (its wants and haves), read before upload-pack runs: http-backend buffers it anyway, and a
 * body that breaks off (not gzip, too large) is then refused with a coded error instead of an empty answer. Errors:
 * `VALIDATION_FAILED`, `PAYLOAD_TOO_LARGE` (over `maxBytes`).
 */
export async function readWholeBody(body: GitRequestBody, maxBytes: number): Promise<Readable> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  try {
    for await (const chunk of body.stream as AsyncIterable<Buffer>) {
      sizeBytes += chunk.length;
      if (sizeBytes > maxBytes) {
        throw new SlipwayError('PAYLOAD_TOO_LARGE', `a fetch request may carry at most ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof SlipwayError) throw error;
    throw body.failure() ?? new SlipwayError('VALIDATION_FAILED', 'the fetch request broke off');
  }
  return Readable.from([Buffer.concat(chunks)]);
}
