/** An instance container's output from the engine's log: the last lines, then (following) new ones until aborted. */
import type Docker from 'dockerode';
import type { LogLine } from '@slipway/core';
import { DockerFrameDemuxer, DockerLineSplitter } from './docker-stream-frames.js';

export interface DockerLogsOptions {
  tailLines: number;
  follow: boolean;
  signal?: AbortSignal | undefined;
}

/**
 * Lines of the container's stdout and stderr as the engine stored them (json-file), in the order it sends them.
 * Following ends when the signal aborts, or when the engine ends the stream (the container stopped or was removed).
 */
export async function* readDockerLogs(container: Docker.Container, options: DockerLogsOptions): AsyncIterable<LogLine> {
  const tailLines = Math.max(0, Math.floor(options.tailLines));
  if (isAborted(options.signal)) return;
  // With the engine's time of each line (RFC 3339 before it), taken off the line into `timeMs`.
  const base = { stdout: true, stderr: true, timestamps: true, tail: tailLines };
  if (!options.follow) {
    const raw = await container.logs({ ...base, follow: false });
    yield* lastLines(linesOf([toBuffer(raw)]), tailLines).map(withEngineTime);
    return;
  }
  const stream = (await container.logs({ ...base, follow: true })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  const onAbort = (): void => stream.destroy();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (isAborted(options.signal)) return;
    const demuxer = new DockerFrameDemuxer();
    const splitter = new DockerLineSplitter();
    try {
      for await (const chunk of stream) {
        for (const frame of demuxer.push(toBuffer(chunk))) {
          yield* splitter.push(frame).map(withEngineTime);
        }
      }
    } catch (error) {
      // Destroying the response on abort ends the iteration with a premature close: that is the normal end here.
      if (!isAborted(options.signal)) throw error;
      return;
    }
    if (!isAborted(options.signal)) yield* splitter.flush().map(withEngineTime);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}

const engineTimePattern = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

/** A line as the engine sends it with `timestamps`: its time, a space, the text (a continued piece has none). */
export function withEngineTime(line: LogLine): LogLine {
  const match = engineTimePattern.exec(line.line);
  if (match?.[1] === undefined) return line;
  const timeMs = Date.parse(match[1]);
  return Number.isNaN(timeMs) ? line : { stream: line.stream, line: line.line.slice(match[0].length), timeMs };
}

function linesOf(chunks: readonly Buffer[]): LogLine[] {
  const demuxer = new DockerFrameDemuxer();
  const splitter = new DockerLineSplitter();
  const lines: LogLine[] = [];
  for (const chunk of chunks) {
    for (const frame of demuxer.push(chunk)) lines.push(...splitter.push(frame));
  }
  lines.push(...splitter.flush());
  return lines;
}

function lastLines(lines: LogLine[], count: number): LogLine[] {
  return count === 0 ? [] : lines.slice(-count);
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'binary');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.alloc(0);
}

/** Read through a call, so the compiler does not assume an abort cannot have happened since the last check. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
