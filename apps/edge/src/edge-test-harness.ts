/** Test support for the edge router: an in-process router on a free port, real upstream servers, and raw clients. */
import { mkdtemp, rm } from 'node:fs/promises';
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouteEntry, RoutingTable, Upstream } from '@slipway/contract';
import { edgeStateFiles, startEdge, type RunningEdge, type StartEdgeOptions } from './start-edge.js';

export interface TestEdge {
  readonly port: number;
  readonly stateDir: string;
  readonly edge: RunningEdge;
  /** PUTs any body (valid or not) to the admin socket. */
  putTable(table: unknown): Promise<TestResponse>;
  admin(method: string, path: string): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestEdgeOptions extends Pick<
  StartEdgeOptions,
  'accessLogFile' | 'passiveHealth' | 'clientTimeouts' | 'clientLimits' | 'log' | 'trustedProxies'
> {
  stateDir?: string;
  table?: RoutingTable;
}

export async function startTestEdge(options: TestEdgeOptions = {}): Promise<TestEdge> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'slipway-edge-')));
  const edge = await startEdge({
    listen: { host: '127.0.0.1', port: 0 },
    stateDir,
    shutdownGraceMs: 500,
    ...(options.accessLogFile === undefined ? {} : { accessLogFile: options.accessLogFile }),
    ...(options.passiveHealth === undefined ? {} : { passiveHealth: options.passiveHealth }),
    ...(options.clientTimeouts === undefined ? {} : { clientTimeouts: options.clientTimeouts }),
    ...(options.trustedProxies === undefined ? {} : { trustedProxies: options.trustedProxies }),
    ...(options.clientLimits === undefined ? {} : { clientLimits: options.clientLimits }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const port = Number(edge.address.split(':').at(-1));
  const socketPath = edgeStateFiles(stateDir).adminSocket;
  const admin = (method: string, path: string, body?: string): Promise<TestResponse> =>
    send({ socketPath, method, path, ...(body === undefined ? {} : { body }) });
  const testEdge: TestEdge = {
    port,
    stateDir,
    edge,
    putTable: (table) => admin('PUT', '/table', typeof table === 'string' ? table : JSON.stringify(table)),
    admin: (method, path) => admin(method, path),
    close: () => edge.close(),
  };
  if (options.table !== undefined) {
    const answer = await testEdge.putTable(options.table);
    if (answer.statusCode !== 200) throw new Error(`table refused: ${answer.body}`);
  }
  return testEdge;
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export interface TestUpstream {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  /** TCP connections accepted so far. */
  readonly connectionCount: number;
  readonly requests: IncomingMessage[];
  asUpstream(weight?: number): Upstream;
  close(): Promise<void>;
}

/** A real HTTP server; by default it answers `{ name, method, url, headers }` as JSON. */
export async function startUpstream(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestUpstream> {
  const requests: IncomingMessage[] = [];
  let connectionCount = 0;
  const server = createServer((req, res) => {
    requests.push(req);
    if (handler !== undefined) return handler(req, res);
    const body = JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  server.on('connection', () => {
    connectionCount += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    name,
    port,
    server,
    get connectionCount() {
      return connectionCount;
    },
    requests,
    asUpstream: (weight = 1) => ({ instanceId: name, host: '127.0.0.1', port, releaseNumber: 1, weight }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function routeTo(
  host: string,
  pathPrefix: string,
  upstreams: Upstream[],
  timeoutMs: number | null = null,
): RouteEntry {
  return {
    host,
    pathPrefix,
    app: host.replace(/[^a-z0-9]/g, '-'),
    environment: 'production',
    process: 'web',
    timeoutMs,
    upstreams,
  };
}

export interface TestResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface SendOptions {
  port?: number;
  socketPath?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request on a fresh connection (no client-side pooling), body read whole. */
export function send(options: SendOptions): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...(options.socketPath === undefined
          ? { host: '127.0.0.1', port: options.port }
          : { socketPath: options.socketPath }),
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The upstream's echo (see `startUpstream`) of a request that went through the router. */
export function echoOf(response: TestResponse): {
  name: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
} {
  return JSON.parse(response.body) as { name: string; method: string; url: string; headers: IncomingHttpHeaders };
}
