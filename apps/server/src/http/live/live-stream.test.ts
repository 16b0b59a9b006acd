import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { installStreamLimit, openSse } from '../sse.js';
import { createLiveStream } from './live-stream.js';

const maxQueuedChars = 64 * 1024;
const line = 'x'.repeat(1_000);

/**
 * A server whose one live stream is pushed `count` log events (resuming `logs:shop` after 5): as a catching-up topic
 * does (waiting for room), or as fast as it can, as live items come.
 */
async function startServer(
  count: number,
  pace: 'waits-for-room' | 'as-fast-as-it-can',
): Promise<{
  app: FastifyInstance;
  port: number;
  progress: { pushed: number; overflows: number; isDone: boolean };
}> {
  const app = Fastify();
  installStreamLimit(app, 1);
  const progress = { pushed: 0, overflows: 0, isDone: false };
  app.get('/live', async (request, reply) => {
    const sse = openSse(request, reply, undefined, { retryMs: 3_000, isCountedPerClient: false });
    const stream = createLiveStream({
      sse,
      principal: {} as Principal,
      cursors: new Map([['logs:shop', 5]]),
      maxQueuedChars,
      onOverflow: () => {
        progress.overflows += 1;
      },
    });
    const running = stream.run();
    const sink = stream.sinkFor('logs:shop');
    for (let n = 6; n < 6 + count && !sse.signal.aborted; n += 1) {
      sink.push('log', { topic: 'logs:shop', line }, n);
      progress.pushed += 1;
      if (pace === 'waits-for-room') await sink.hasRoom();
      else if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (!sse.signal.aborted) stream.pushControl('end-of-test', {});
    await running.finally(() => {
      progress.isDone = true;
    });
    return reply;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address !== null ? address.port : 0, progress };
}

describe('a live stream', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('writes every event with the id of every cursor, after a retry hint', async () => {
    const server = await startServer(200, 'waits-for-room');
    app = server.app;
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${server.port}/live`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: end-of-test')) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    controller.abort();
    expect(text.startsWith(': stream open\nretry: 3000\n\n')).toBe(true);
    const ids = [...text.matchAll(/^id: (.*)$/gm)].map((match) => match[1]);
    expect(ids.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, n) => `v1;logs:shop=${n + 6}`));
    expect(server.progress.overflows).toBe(0);
  });

  it('drops a client that takes nothing once its queue is full, instead of growing', async () => {
    const server = await startServer(50_000, 'as-fast-as-it-can');
    app = server.app;
    const socket = connect(server.port, '127.0.0.1');
    socket.pause();
    socket.write('GET /live HTTP/1.1\r\nhost: test\r\n\r\n');
    await waitFor(async () => expect(server.progress.isDone).toBe(true));
    socket.destroy();
    expect(server.progress.overflows).toBe(1);
    // Dropped long before the 50 MB it was to be sent.
    expect(server.progress.pushed).toBeLessThan(50_000);
  });
});
