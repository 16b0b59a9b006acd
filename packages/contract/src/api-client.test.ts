// The contract does no I/O itself, but its client is only proven against a real socket (the layering lint spares tests).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from './api-client.js';
import type { AppView, DeploymentEvent, DeploymentView } from './resources.js';
import { SlipwayError } from './slipway-error.js';

interface Seen {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Handler = (seen: Seen, res: ServerResponse) => unknown;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://x'),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      seen.push(request);
      void Promise.resolve(handler(request, res)).catch((error: unknown) => res.destroy(error as Error));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const app: AppView = {
  id: 'app_1',
  name: 'web',
  project: 'default',
  createdAt: '2026-01-01T00:00:00.000Z',
  environments: [
    { name: 'production', currentRelease: 3, scale: { web: 2 }, routes: [], instances: { total: 2, healthy: 2 } },
  ],
};

const deployment: DeploymentView = {
  id: 'dep_1',
  app: 'web',
  environment: 'production',
  kind: 'deploy',
  state: 'pending',
  phase: null,
  source: { kind: 'archive', fileName: 'site.tar.gz', sizeBytes: 4 },
  releaseNumber: null,
  previousReleaseNumber: 3,
  failure: null,
  phases: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
};

describe('createApiClient', () => {
  it('parses a successful answer with the contract schema', async () => {
    const server = await serve((_, res) => json(res, 200, { apps: [app] }));
    const client = createApiClient({ baseUrl: server.url });
    await expect(client.apps.list()).resolves.toEqual({ apps: [app] });
    expect(server.seen[0]?.url.pathname).toBe('/api/v1/apps');
  });

  it('sends the environment as a query parameter, the body as JSON and the token as a bearer', async () => {
    const server = await serve((_, res) => json(res, 200, { processes: { web: 3 } }));
    const client = createApiClient({ baseUrl: `${server.url}/`, token: 's3cret' });
    await client.apps.scale('web', { processes: { web: 3 } }, { environment: 'staging' });
    const seen = server.seen[0];
    expect(seen?.method).toBe('PUT');
    expect(seen?.url.pathname).toBe('/api/v1/apps/web/scale');
    expect(seen?.url.searchParams.get('environment')).toBe('staging');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['authorization']).toBe('Bearer s3cret');
    expect(JSON.parse(seen?.body.toString() ?? '')).toEqual({ processes: { web: 3 } });
  });

  it('turns a coded error body into a SlipwayError with its code, details, request id and status', async () => {
    const server = await serve((_, res) =>
      json(res, 404, {
        error: { code: 'APP_NOT_FOUND', message: 'no app "nope"', details: { app: 'nope' }, requestId: 'req-9' },
      }),
    );
    const error = await createApiClient({ baseUrl: server.url })
      .apps.get('nope')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlipwayError);
    expect(error).toMatchObject({
      code: 'APP_NOT_FOUND',
      message: 'no app "nope"',
      details: { app: 'nope', requestId: 'req-9', status: 404 },
    });
  });

  it('reports an error answer without a Slipway body by its HTTP status', async () => {
    const server = await serve((_, res) => res.writeHead(502).end('bad gateway'));
    await expect(createApiClient({ baseUrl: server.url }).status()).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { status: 502 },
    });
  });

  it('rejects a 2xx answer that does not match the schema as INTERNAL, naming the path of the mismatch', async () => {
    const server = await serve((_, res) => json(res, 200, { apps: [{ ...app, name: 42 }] }));
    await expect(createApiClient({ baseUrl: server.url }).apps.list()).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('apps.0.name') as string,
    });
  });

  it('turns a refused connection into UNAVAILABLE with a hint to start slipwayd', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const error = await createApiClient({ baseUrl: url })
      .apps.list()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect((error as Error).message).toBe(`cannot reach slipwayd at ${url}: ECONNREFUSED — is it running? (npm start)`);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => createApiClient({ baseUrl: 'localhost:7070' })).toThrow(SlipwayError);
  });

  it('resolves a 204 delete without a body', async () => {
    const server = await serve((_, res) => res.writeHead(204).end());
    await expect(createApiClient({ baseUrl: server.url }).apps.delete('web')).resolves.toBeUndefined();
    expect(server.seen[0]?.method).toBe('DELETE');
  });

  it('uploads an archive as the raw body with the gzip content type and the file name', async () => {
    const server = await serve((_, res) =>
      json(res, 202, { deployment, eventsUrl: '/api/v1/deployments/dep_1/events' }),
    );
    const client = createApiClient({ baseUrl: server.url });
    const bytes = new Uint8Array([0x1f, 0x8b, 0x08, 0x00]);
    const answer = await client.deployments.create(
      'web',
      { archive: bytes, fileName: 'site.tar.gz' },
      { environment: 'production' },
    );
    expect(answer.deployment.id).toBe('dep_1');
    const seen = server.seen[0];
    expect(seen?.headers['content-type']).toBe('application/gzip');
    expect(seen?.url.searchParams.get('fileName')).toBe('site.tar.gz');
    expect([...(seen?.body ?? [])]).toEqual([...bytes]);
  });

  it('streams an archive given as a ReadableStream', async () => {
    const server = await serve((_, res) => json(res, 202, { deployment, eventsUrl: '/x' }));
    const archive = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2]));
        controller.enqueue(new Uint8Array([3]));
        controller.close();
      },
    });
    await createApiClient({ baseUrl: server.url }).deployments.create('web', { archive, fileName: 'a.tar.gz' });
    expect([...(server.seen[0]?.body ?? [])]).toEqual([1, 2, 3]);
    expect(server.seen[0]?.headers['content-type']).toBe('application/gzip');
  });

  it('iterates deployment events written across chunk boundaries, resuming after the given sequence', async () => {
    const events: DeploymentEvent[] = [
      { type: 'phase', seq: 4, at: '2026-01-01T00:00:00.000Z', phase: 'build', state: 'running', detail: null },
      { type: 'log', seq: 5, at: '2026-01-01T00:00:01.000Z', line: 'npm ci — done ✓' },
      { type: 'state', seq: 6, at: '2026-01-01T00:00:02.000Z', state: 'succeeded', failure: null },
    ];
    const server = await serve(async (_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const text =
        ': hello\n\nevent: ping\ndata: {}\n\n' +
        events.map((e) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += 17) {
        res.write(bytes.subarray(i, i + 17));
        await sleep(1);
      }
      res.end();
    });
    const seen: DeploymentEvent[] = [];
    for await (const event of createApiClient({ baseUrl: server.url }).deployments.events('dep_1', { after: 3 }))
      seen.push(event);
    expect(seen).toEqual(events);
    expect(server.seen[0]?.url.searchParams.get('after')).toBe('3');
    expect(server.seen[0]?.headers['accept']).toBe('text/event-stream');
  });

  it('rejects with UNAVAILABLE when the event stream breaks mid-way, after yielding what arrived', async () => {
    const server = await serve(async (_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `id: 1\nevent: log\ndata: ${JSON.stringify({ type: 'log', seq: 1, at: '2026-01-01T00:00:00.000Z', line: 'a' })}\n\n`,
      );
      await sleep(20);
      res.destroy();
    });
    const seqs: number[] = [];
    const iterate = async () => {
      for await (const event of createApiClient({ baseUrl: server.url }).deployments.events('dep_1'))
        seqs.push(event.seq);
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(seqs).toEqual([1]);
  });

  it('rejects a malformed event as INTERNAL, not as a broken connection', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('id: 1\nevent: phase\ndata: {"type":"phase","seq":"one"}\n\n');
    });
    const iterate = async () => {
      for await (const _ of createApiClient({ baseUrl: server.url }).deployments.events('dep_1')) break;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('keeps an error code newer than the client as INTERNAL with the original code in the details', async () => {
    const server = await serve((_, res) =>
      json(res, 409, { error: { code: 'QUOTA_EXCEEDED', message: 'too many apps', requestId: 'r2' } }),
    );
    await expect(createApiClient({ baseUrl: server.url }).apps.create({ name: 'web' })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'too many apps',
      details: { unknownCode: 'QUOTA_EXCEEDED', requestId: 'r2', status: 409 },
    });
  });

  it('rejects the event iteration with the coded error when the deployment does not exist', async () => {
    const server = await serve((_, res) =>
      json(res, 404, { error: { code: 'DEPLOYMENT_NOT_FOUND', message: 'no deployment', requestId: 'r1' } }),
    );
    const iterate = async () => {
      for await (const _ of createApiClient({ baseUrl: server.url }).deployments.events('dep_x')) break;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND', details: { requestId: 'r1' } });
  });

  it('follows log lines until the caller aborts, then ends quietly', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `event: log\ndata: ${JSON.stringify({ instanceId: 'i1', process: 'web', stream: 'stdout', line: 'one', time: '2026-12-06T10:00:00.000Z' })}\n\n`,
      );
    });
    const controller = new AbortController();
    const lines: string[] = [];
    for await (const line of createApiClient({ baseUrl: server.url }).logs.follow('web', {
      tail: 10,
      signal: controller.signal,
    })) {
      lines.push(line.line);
      controller.abort();
    }
    expect(lines).toEqual(['one']);
    expect(server.seen[0]?.url.searchParams.get('follow')).toBe('true');
    expect(server.seen[0]?.url.searchParams.get('tail')).toBe('10');
  });
});
