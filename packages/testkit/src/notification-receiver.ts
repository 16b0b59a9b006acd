/** A rendered notification for notifier tests, and a real HTTP receiver that keeps what it is sent. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RenderedNotification } from '@slipway/core';

export const sampleNotification: RenderedNotification = {
  payload: {
    id: 'evt_01JTEST',
    type: 'deployment.failed',
    occurredAt: '2026-12-06T12:00:00.000Z',
    project: 'default',
    environment: 'production',
    app: 'hello',
    deploymentId: 'dep_01JTEST',
    releaseNumber: 4,
    message: 'Deployment dep_01JTEST of hello in production failed in rollout: HEALTH_CHECK_FAILED: <no answer> & more',
  },
  subject: '[Slipway] Deployment failed: hello release 4 in production',
  text: 'Deployment dep_01JTEST of hello in production failed in rollout.\n\nApp: hello',
};

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Answers each request with the next status (200 once used up). */
  readonly statuses: number[];
  /** When set, requests are held without an answer (to test the deadline). */
  isHanging: boolean;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 and a free port; `close()` ends held requests too. */
export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const statuses: number[] = [];
  const held: Array<() => void> = [];
  const state = { isHanging: false };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (state.isHanging) {
        held.push(() => response.destroy());
        return;
      }
      response.statusCode = statuses.shift() ?? 200;
      response.end('answer body that is never read');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    statuses,
    get isHanging() {
      return state.isHanging;
    },
    set isHanging(value: boolean) {
      state.isHanging = value;
    },
    async close() {
      for (const release of held) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
