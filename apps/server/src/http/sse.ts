/** Server-sent events on a raw response: headers, one event per write, heartbeats, and clean end on disconnect. */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseStream {
  send(event: { id?: number; event: string; data: unknown }): void;
  end(): void;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

const heartbeatMs = 15_000;

/** `until` ends the stream from the server's side (shutdown); clients reconnect with `Last-Event-ID`. */
export function openSse(request: FastifyRequest, reply: FastifyReply, until?: AbortSignal): SseStream {
  const controller = new AbortController();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(request.id),
  });
  res.write(': stream open\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  heartbeat.unref();
  const close = (): void => {
    clearInterval(heartbeat);
    controller.abort();
  };
  request.raw.on('close', close);
  res.on('close', close);
  if (until?.aborted) close();
  else until?.addEventListener('abort', close, { once: true });
  return {
    signal: controller.signal,
    send({ id, event, data }) {
      if (controller.signal.aborted) return;
      res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      close();
      until?.removeEventListener('abort', close);
      res.end();
    },
  };
}
