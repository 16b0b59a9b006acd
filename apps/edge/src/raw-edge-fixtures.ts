/**
 * Test support for the edge's HTTP/1.1 suites: real in-process routers, real upstreams (node:http or raw) and raw
 * clients, each closed after its test. Call `useRawEdgeFixtures()` once per test file.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteEntry } from '@slipway/contract';
import { afterEach } from 'vitest';
import {
  removeDir,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestEdgeOptions,
  type TestUpstream,
} from './edge-test-harness.js';
import {
  connectRawClient,
  startRawUpstream,
  type RawHttpClient,
  type RawUpstream,
  type RawUpstreamConnection,
} from './raw-http-client.js';

export interface RawEdgeFixtures {
  readonly upstream: (
    name: string,
    handler?: (req: IncomingMessage, res: ServerResponse) => void,
  ) => Promise<TestUpstream>;
  readonly rawUpstream: (
    name: string,
    onHead: (connection: RawUpstreamConnection, head: string) => void,
  ) => Promise<RawUpstream>;
  /** A router serving `routes`; its state dir (`options.stateDir` too) is removed after the test. */
  readonly edgeWith: (routes: RouteEntry[], options?: TestEdgeOptions) => Promise<TestEdge>;
  readonly client: (edge: TestEdge) => Promise<RawHttpClient>;
  /** An upstream answering `<method> <url> <body>` once the request body is complete. */
  readonly echoBody: (name: string) => Promise<TestUpstream>;
}

export function useRawEdgeFixtures(): RawEdgeFixtures {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const fixtures: RawEdgeFixtures = {
    async upstream(name, handler) {
      const started = await startUpstream(name, handler);
      cleanups.push(() => started.close());
      return started;
    },
    async rawUpstream(name, onHead) {
      const started = await startRawUpstream(name, onHead);
      cleanups.push(() => started.close());
      return started;
    },
    async edgeWith(routes, options = {}) {
      const edge = await startTestEdge({ ...options, table: { routes } });
      cleanups.push(async () => {
        await edge.close();
        await removeDir(edge.stateDir);
      });
      return edge;
    },
    async client(edge) {
      const connected = await connectRawClient(edge.port);
      cleanups.push(async () => {
        connected.socket.destroy();
      });
      return connected;
    },
    echoBody(name) {
      return fixtures.upstream(name, (req, res) => {
        let body = '';
        req.setEncoding('latin1');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
      });
    },
  };
  return fixtures;
}

/** Polls `condition` until it holds (5 s at most). */
export async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt += 1) {
    if (attempt > 250) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `Name: value` lines of a raw head, the request or status line left out. */
export function fieldsOf(head: string): string[] {
  return head.split('\r\n').slice(1);
}
