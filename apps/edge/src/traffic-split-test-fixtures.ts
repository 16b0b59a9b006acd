/** Test support for traffic splits: upstreams that count what they serve, split routes, and a keep-alive client. */
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { RouteEntry, RouteSplit, Upstream } from '@slipway/contract';
import { removeDir, startTestEdge, type TestEdge, type TestEdgeOptions } from './edge-test-harness.js';

export interface ReleaseUpstream {
  readonly name: string;
  readonly releaseNumber: number;
  /** Requests answered so far. */
  readonly served: number;
  asUpstream(): Upstream;
  close(): Promise<void>;
}

/** A real HTTP server of release `releaseNumber`: answers 200 with its name as the body and counts the requests. */
export async function startReleaseUpstream(name: string, releaseNumber: number): Promise<ReleaseUpstream> {
  let served = 0;
  const server = createServer((_req, res) => {
    served += 1;
    res.writeHead(200, { 'content-type': 'text/plain', 'x-release': String(releaseNumber) });
    res.end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    name,
    releaseNumber,
    get served() {
      return served;
    },
    asUpstream: () => ({ instanceId: name, host: '127.0.0.1', port, releaseNumber, weight: 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const splitHost = 'split.test';

/** A route of `splitHost` over `upstreams`, split by release as `weights` (release number → percent) says. */
export function splitRoute(
  upstreams: readonly Upstream[],
  releases: RouteSplit['releases'],
  stickyCookie: string | null = null,
): RouteEntry {
  return {
    host: splitHost,
    pathPrefix: '/',
    app: 'shop',
    environment: 'production',
    process: 'web',
    timeoutMs: null,
    upstreams: [...upstreams],
    split: { releases, stickyCookie },
  };
}

export interface SplitResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** The upstream's name (or the router's own answer). */
  readonly body: string;
}

export interface KeepAliveClient {
  get(headers?: Record<string, string>): Promise<SplitResponse>;
  close(): void;
}

/** Requests to the edge over at most `connections` kept-alive connections. */
export function keepAliveClient(port: number, connections: number): KeepAliveClient {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    get: (headers = {}) =>
      new Promise((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/', agent, headers: { host: splitHost, ...headers } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

/** Runs `count` calls of `one`, `concurrency` at a time; resolves with the results in order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  one: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await one(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** What a test started, closed after it in reverse order. */
export function createCleanups(): {
  add<T extends { close(): unknown }>(thing: T): T;
  edge(options: TestEdgeOptions): Promise<TestEdge>;
  run(): Promise<void>;
} {
  const cleanups: (() => unknown)[] = [];
  return {
    add(thing) {
      cleanups.push(() => thing.close());
      return thing;
    },
    async edge(options) {
      const started = await startTestEdge(options);
      cleanups.push(async () => {
        await started.close();
        await removeDir(started.stateDir);
      });
      return started;
    },
    async run() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}
