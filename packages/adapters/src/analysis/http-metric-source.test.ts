import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { httpMetricSchema, SlipwayError } from '@slipway/contract';
import type { MetricQueryVars } from '@slipway/core';
import { describeMetricSource } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureHttpMetric } from './http-metric-source.js';
import { createMetricSource } from './metric-source.js';

const vars: MetricQueryVars = { app: 'hello world', environment: 'production', release: 7, stableRelease: 6 };
const seenQueries: string[] = [];
let server: Server;
let baseUrl: string;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/number': (_req, res) => res.end(' 0.995\n'),
  '/value': (req, res) => res.end(decodeURIComponent((req.url ?? '').slice('/value/'.length))),
  '/json': (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { result: [{ value: [1700000000, '0.42'] }], total: 12 } }));
  },
  '/json-empty': (_req, res) => res.end(JSON.stringify({ data: { result: [] } })),
  '/json-null': (_req, res) => res.end(JSON.stringify({ data: { total: null } })),
  '/nan': (_req, res) => res.end('NaN'),
  '/text': (_req, res) => res.end('<html>hello</html>'),
  '/fail': (_req, res) => {
    res.statusCode = 500;
    res.end('boom with a secret inside');
  },
  '/redirect': (_req, res) => {
    res.statusCode = 302;
    res.setHeader('location', '/number');
    res.end();
  },
  // Never answers: the request must give up at its deadline.
  '/slow': () => undefined,
  // Streams 1 MiB with no content-length: the reader must stop at its bound.
  '/huge': (_req, res) => {
    const chunk = Buffer.alloc(16 * 1024, '1');
    let sent = 0;
    const write = (): void => {
      while (sent < 64 && res.write(chunk)) sent += 1;
      if (sent >= 64) res.end();
      else res.once('drain', write);
    };
    write();
  },
  '/huge-declared': (_req, res) => {
    res.setHeader('content-length', String(1024 * 1024));
    res.end(Buffer.alloc(1024 * 1024, '1'));
  },
  '/vars': (req, res) => {
    seenQueries.push(req.url ?? '');
    res.end('1');
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = path.startsWith('/value/') ? routes['/value'] : routes[path];
    if (route === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function provider(path: string, extra: Record<string, unknown> = {}) {
  return httpMetricSchema.parse({ type: 'http', url: `${baseUrl}${path}`, timeoutSeconds: 1, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<SlipwayError> {
  const error: unknown = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlipwayError);
  return error as SlipwayError;
}

const signal = new AbortController().signal;

describeMetricSource('http', {
  setup: () => ({
    source: createMetricSource(),
    fixtures: {
      answering: (value) => provider(`/value/${value}`),
      answeringRelease: () => provider('/value/{{release}}'),
      noData: () => provider('/json-null', { jsonPath: 'data.total' }),
      hanging: () => provider('/slow'),
      failing: () => provider('/fail'),
    },
  }),
});

describe('the http metric source', () => {
  it('reads a bare number', async () => {
    await expect(measureHttpMetric(provider('/number'), vars, signal)).resolves.toBe(0.995);
  });

  it('reads the number at a JSON path, a numeric string included', async () => {
    await expect(measureHttpMetric(provider('/json', { jsonPath: 'data.total' }), vars, signal)).resolves.toBe(12);
    await expect(
      measureHttpMetric(provider('/json', { jsonPath: '$.data.result[0].value[1]' }), vars, signal),
    ).resolves.toBe(0.42);
  });

  it('answers no data for an empty result, a JSON null and NaN', async () => {
    const source = createMetricSource();
    await expect(source.measure(provider('/json-empty', { jsonPath: 'data.result[0]' }), vars, signal)).resolves.toBe(
      null,
    );
    await expect(source.measure(provider('/json-null', { jsonPath: 'data.total' }), vars, signal)).resolves.toBe(null);
    await expect(source.measure(provider('/nan'), vars, signal)).resolves.toBe(null);
  });

  it('refuses an answer that is not a number, or has nothing at the path', async () => {
    const notNumber = await failure(measureHttpMetric(provider('/text'), vars, signal));
    expect(notNumber.code).toBe('METRIC_PROVIDER_FAILED');
    const missing = await failure(measureHttpMetric(provider('/json', { jsonPath: 'data.count' }), vars, signal));
    expect(missing.message).toContain('no value at data.count');
  });

  it('fails on a 500 without echoing the body, and does not follow redirects', async () => {
    const error = await failure(measureHttpMetric(provider('/fail'), vars, signal));
    expect(error.code).toBe('METRIC_PROVIDER_FAILED');
    expect(error.message).toBe(`${baseUrl} answered HTTP 500`);
    expect((await failure(measureHttpMetric(provider('/redirect'), vars, signal))).code).toBe('METRIC_PROVIDER_FAILED');
  });

  it('stops reading a body over 64 KiB, streamed or declared', async () => {
    for (const path of ['/huge', '/huge-declared']) {
      const error = await failure(measureHttpMetric(provider(path), vars, signal));
      expect(error.code).toBe('METRIC_PROVIDER_FAILED');
      expect(error.message).toContain('more than 64 KiB');
    }
  });

  it('fails on an unreachable provider, naming only its origin', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/metric?token=abc`;
    const error = await failure(measureHttpMetric(httpMetricSchema.parse({ type: 'http', url }), vars, signal));
    expect(error.code).toBe('METRIC_PROVIDER_FAILED');
    expect(error.message).not.toContain('token');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('fills the placeholders in, URL-encoded', async () => {
    const url = `${baseUrl}/vars?app={{app}}&env={{environment}}&r={{release}}&s={{stableRelease}}`;
    await measureHttpMetric(httpMetricSchema.parse({ type: 'http', url }), vars, signal);
    expect(seenQueries.at(-1)).toBe('/vars?app=hello%20world&env=production&r=7&s=6');
  });
});
