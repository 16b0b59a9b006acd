/** Test support: a real HTTP server on a loopback port that answers slipwayd's routes with canned bodies and records each request. */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { DeploymentEvent } from '@slipway/contract';

export interface CannedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A JSON answer, or a handler for anything else (event streams, dropped connections). */
export type CannedRoute =
  { status?: number; json?: unknown } | ((request: CannedRequest, res: ServerResponse) => unknown);

export interface CannedApiServer {
  url: string;
  requests: CannedRequest[];
  close(): Promise<void>;
}

/** Routes are keyed `METHOD /path` (no query); anything else gets slipwayd's 404 body. */
export async function startCannedApiServer(routes: Record<string, CannedRoute>): Promise<CannedApiServer> {
  const requests: CannedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://canned');
      const request: CannedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const route = routes[`${request.method} ${request.path}`];
      if (route === undefined) {
        writeJson(res, 404, {
          error: {
            code: 'ROUTE_NOT_FOUND',
            message: `no route ${request.method} ${request.path}`,
            requestId: 'req-canned',
          },
        });
      } else if (typeof route === 'function') {
        void Promise.resolve(route(request, res)).catch((error: unknown) =>
          res.destroy(error instanceof Error ? error : undefined),
        );
      } else if (route.json === undefined) {
        res.writeHead(route.status ?? 204).end();
      } else {
        writeJson(res, route.status ?? 200, route.json);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('canned server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts an event stream and writes the events as slipwayd does (`id`, `event`, `data`); the caller ends or drops it. */
export function writeDeploymentEvents(res: ServerResponse, events: readonly DeploymentEvent[]): void {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events) res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}
