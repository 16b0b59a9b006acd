/**
 * Test support: a real git server over HTTP on loopback (`git http-backend` behind a small node:http bridge) that
 * asks for Basic authentication, and records every Authorization header and request line it saw.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpTestServer {
  /** `http://127.0.0.1:PORT/` — repositories are below it by their directory name under `projectRoot`. */
  readonly url: string;
  /** Every request line and Authorization header received, as `METHOD URL | authorization`. */
  readonly seen: string[];
  close(): Promise<void>;
}

function serveCgi(request: IncomingMessage, response: ServerResponse, projectRoot: string): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      REMOTE_USER: 'test',
      ...(request.headers['git-protocol'] === undefined
        ? {}
        : { GIT_PROTOCOL: String(request.headers['git-protocol']) }),
    },
  });
  request.pipe(cgi.stdin);
  const chunks: Buffer[] = [];
  cgi.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  cgi.on('close', () => {
    const output = Buffer.concat(chunks);
    const end = output.indexOf('\r\n\r\n');
    const head = output.subarray(0, end).toString('latin1');
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'status') status = Number.parseInt(value, 10);
      else if (name !== '') headers[name] = value;
    }
    response.writeHead(status, headers).end(output.subarray(end + 4));
  });
}

/** Serves `projectRoot`'s repositories to a client sending `username:password`; 401 to anyone else. */
export async function startGitHttpTestServer(
  projectRoot: string,
  credentials: { username: string; password: string },
): Promise<GitHttpTestServer> {
  const seen: string[] = [];
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const server = createServer((request, response) => {
    seen.push(`${request.method ?? ''} ${request.url ?? ''} | ${request.headers.authorization ?? ''}`);
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    serveCgi(request, response, projectRoot);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
