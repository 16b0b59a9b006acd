/** A Swarm service's output (`GET /services/{id}/logs`), demultiplexed into stdout and stderr lines. */
import type { LogLine } from '@slipway/core';
import type { DockerClient } from '../../docker/docker-engine.js';
import { DockerFrameDemuxer, DockerLineSplitter } from '../docker/docker-stream-frames.js';
import { swarmError } from './swarm-errors.js';

export interface ServiceLogsRequest {
  serviceId: string;
  tailLines: number;
  follow: boolean;
  signal?: AbortSignal | undefined;
}

/** The last `tailLines` lines, then with `follow` new lines until the signal aborts (or the engine ends the stream). */
export async function* readServiceLogs(client: DockerClient, request: ServiceLogsRequest): AsyncGenerator<LogLine> {
  const demuxer = new DockerFrameDemuxer();
  const splitter = new DockerLineSplitter();
  const linesOf = (chunk: Buffer): LogLine[] => demuxer.push(chunk).flatMap((frame) => splitter.push(frame));
  const options = {
    stdout: true,
    stderr: true,
    tail: Math.max(0, Math.floor(request.tailLines)),
    timestamps: false,
    follow: request.follow,
  };
  const service = client.getService(request.serviceId);

  if (!request.follow) {
    let body: unknown;
    try {
      body = await service.logs({ ...options, follow: false });
    } catch (error) {
      throw swarmError(error, `reading the logs of service ${request.serviceId}`);
    }
    yield* linesOf(toBuffer(body));
    yield* splitter.flush();
    return;
  }

  // A function, not a narrowed property: the signal aborts while we wait.
  const isAborted = (): boolean => request.signal?.aborted === true;
  if (isAborted()) return;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await service.logs({ ...options, follow: true });
  } catch (error) {
    throw swarmError(error, `following the logs of service ${request.serviceId}`);
  }
  const destroy = (): void => {
    (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  };
  request.signal?.addEventListener('abort', destroy, { once: true });
  try {
    for await (const chunk of stream) {
      yield* linesOf(toBuffer(chunk));
    }
  } catch (error) {
    if (!isAborted()) throw swarmError(error, `following the logs of service ${request.serviceId}`);
  } finally {
    request.signal?.removeEventListener('abort', destroy);
    destroy();
  }
  if (!isAborted()) yield* splitter.flush();
}

function toBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'binary');
  return Buffer.alloc(0);
}
