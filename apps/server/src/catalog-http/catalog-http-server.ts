/**
 * The catalog's Consul-compatible HTTP API: a Fastify instance of its own (not Slipway's API), where every body is
 * read raw and bounded (KV values are bytes whatever their Content-Type), routes are matched on the percent-decoded
 * path, refusals are plain text with Consul's codes, and reads carry the query-meta headers, 404s included.
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { kvMaxValueBytes, type CatalogAccess, type CatalogAuthority } from '@slipway/core';
import { catalogRefusalOf, CatalogHttpError, permissionDenied } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { parseCatalogQuery, tokenOf } from './catalog-query.js';
import { createRequestBodyBudget, limitRequestBodies, type RequestBodyBudget } from './request-body-budget.js';
import { matchRoute, type CatalogAnswer, type CatalogMethod, type CatalogRoute } from './catalog-route.js';

/** The reason a request's signal aborts (made once: an abort otherwise builds an exception with its stack). */
const requestOver = new Error('catalog request over');

/** Limits of a request to the catalog API; sizes in bytes. */
export const catalogRequestLimits = {
  /** Any body but a snapshot's: a KV value's limit (512 KiB), over which a PUT answers 413. */
  bodyBytes: kvMaxValueBytes,
  /** A snapshot restored with `PUT /v1/snapshot`. */
  snapshotBytes: 256 * 1024 * 1024,
  headerBytes: 16 * 1024,
  urlBytes: 8192,
  /**
   * An idle keep-alive connection is closed after this long (Node's default). Longer would suit Go clients, which keep
   * theirs for 90 s, but would hold slipwayd's stop for as long on a connection that went idle after the stop began.
   */
  keepAliveMs: 5_000,
  /**
   * The request line and headers must arrive within this long, and the whole request (its body too) within
   * `requestMs`; a blocking query is not cut by either, as its request has arrived when it starts waiting.
   */
  headersMs: 60_000,
  requestMs: 300_000,
} as const;

const methods: readonly CatalogMethod[] = ['GET', 'PUT', 'POST', 'DELETE'];

export interface CatalogHttpServerOptions {
  readonly env: CatalogHttpEnv;
  readonly access: CatalogAccess;
  readonly routes: readonly CatalogRoute[];
  /** Routes whose bodies may exceed `bodyBytes` (the snapshot's), by exact path, with their limit. */
  readonly largeBodyPaths?: Readonly<Record<string, number>>;
  /** Request bodies held at once over every connection (default: `createRequestBodyBudget()`'s 64 MiB). */
  readonly bodyBudget?: RequestBodyBudget;
}

function sendAnswer(reply: FastifyReply, answer: CatalogAnswer, isPretty: boolean): FastifyReply {
  if ('index' in answer && answer.index !== undefined) {
    // Consul's setIndex: an index is never 0, or watchers of node-consul error out and Go clients busy-loop.
    void reply.header('x-consul-index', String(Math.max(1, answer.index)));
    void reply.header('x-consul-knownleader', 'true');
    void reply.header('x-consul-lastcontact', '0');
  }
  switch (answer.kind) {
    case 'json': {
      const text = isPretty ? JSON.stringify(answer.value, null, 4) : JSON.stringify(answer.value);
      return (
        reply
          .status(answer.status ?? 200)
          .header('content-type', 'application/json')
          // A Buffer, so that Fastify adds no charset: clients compare the type with Consul's exact header.
          .send(Buffer.from(text, 'utf8'))
      );
    }
    case 'json-bytes':
      return reply
        .status(200)
        .header('content-type', 'application/json')
        .send(
          isPretty ? Buffer.from(JSON.stringify(JSON.parse(answer.bytes.toString('utf8')), null, 4)) : answer.bytes,
        );
    case 'raw':
      return reply
        .status(200)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', 'sandbox')
        .type('text/plain')
        .send(Buffer.from(answer.bytes.buffer, answer.bytes.byteOffset, answer.bytes.byteLength));
    case 'empty':
      return reply.status(answer.status ?? 200).send();
    case 'text':
      return reply
        .status(answer.status ?? 200)
        .type('text/plain; charset=utf-8')
        .send(answer.text);
  }
}

/**
 * Answers a request Node could not parse (malformed, headers too large, too slow) in plain text, then closes the
 * connection. Fastify's own handler answers JSON and logs the error at trace with its raw bytes, the request line's
 * `?token=` and the token headers included: this one logs nothing of the request.
 */
function refuseUnparsable(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const text = `${status} ${STATUS_CODES[status] ?? ''}`;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${text}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/** The refusals Fastify's router makes before any handler runs (a broken percent-encoding), in plain text. */
function refuseUnroutable(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const refusal =
    error.code === 'FST_ERR_BAD_URL'
      ? new CatalogHttpError(400, 'invalid URL escape in path')
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new CatalogHttpError(414, 'URI Too Long')
        : new CatalogHttpError(400, 'Bad Request');
  void sendRefusal(reply, refusal);
}

function sendRefusal(reply: FastifyReply, refusal: CatalogHttpError): FastifyReply {
  if (refusal.allow !== undefined) void reply.header('allow', refusal.allow);
  return reply.status(refusal.statusCode).type('text/plain; charset=utf-8').send(refusal.message);
}

/** Fastify's own refusals (a body over its limit, a broken Content-Length) in Consul's plain text. */
function refusalOfFramework(error: FastifyError, request: FastifyRequest): CatalogHttpError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const length = request.headers['content-length'];
    const size = length === undefined ? '' : `(${length} bytes)`;
    return new CatalogHttpError(
      413,
      `Request body${size} too large, max size: ${catalogRequestLimits.bodyBytes} bytes`,
    );
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new CatalogHttpError(error.statusCode, error.message);
  }
  return undefined;
}

export function createCatalogHttpServer(options: CatalogHttpServerOptions): FastifyInstance {
  const { env, access, routes } = options;
  const app = Fastify({
    // Fastify applies its own timeout options only to a server it creates: this one's are set here.
    serverFactory: (handler) => {
      const server = createServer(
        {
          maxHeaderSize: catalogRequestLimits.headerBytes,
          headersTimeout: catalogRequestLimits.headersMs,
          requestTimeout: catalogRequestLimits.requestMs,
        },
        handler,
      );
      server.keepAliveTimeout = catalogRequestLimits.keepAliveMs;
      return server;
    },
    clientErrorHandler: refuseUnparsable,
    frameworkErrors: refuseUnroutable,
    loggerInstance: env.logger,
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    bodyLimit: catalogRequestLimits.bodyBytes,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: catalogRequestLimits.urlBytes },
  });
  // Every body is bytes: a KV value as sent, a JSON document decoded by its handler. No parser guesses by type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = catalogRefusalOf(error) ?? refusalOfFramework(error, request);
    if (refusal !== undefined) return sendRefusal(reply, refusal);
    request.log.error(
      { err: error, method: request.method, path: request.url.split('?')[0] },
      'catalog request failed',
    );
    return sendRefusal(reply, new CatalogHttpError(500, 'Internal error'));
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send());
  limitRequestBodies(app, {
    budget: options.bodyBudget ?? createRequestBodyBudget(),
    largeBodyPaths: new Set(Object.keys(options.largeBodyPaths ?? {})),
    isAllowed: async (request) => {
      const query = parseCatalogQuery(request.raw.url ?? '/', env.datacenter);
      return (await access.authorize(tokenOf(request.headers, query))).isAdmin;
    },
  });
  // Closing answers every blocking query at once (with what it reads) instead of holding the close for minutes. The
  // open ones are kept in a set rather than as listeners of one shared signal: Node's addEventListener walks a
  // target's listeners on every add, which thousands of parked watchers made quadratic.
  let isClosing = false;
  const openWaits = new Set<() => void>();
  app.addHook('preClose', async () => {
    isClosing = true;
    for (const abort of [...openWaits]) abort();
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const rawUrl = request.raw.url ?? '/';
    if (rawUrl.length > catalogRequestLimits.urlBytes) throw new CatalogHttpError(414, 'URI Too Long');
    const query = parseCatalogQuery(rawUrl, env.datacenter);
    if (query.path === '/') {
      return reply.status(200).type('text/plain; charset=utf-8').send('Consul Agent');
    }
    const matched = matchRoute(routes, query.path);
    if (matched === undefined) return reply.status(404).send();
    const allowed = [...new Set(matched.routes.flatMap((candidate) => candidate.methods))];
    if (request.method === 'OPTIONS')
      return reply
        .status(200)
        .header('allow', ['OPTIONS', ...allowed].join(','))
        .send();
    const method = request.method as CatalogMethod;
    const chosen = matched.routes.find((candidate) => candidate.methods.includes(method));
    if (chosen === undefined) {
      throw new CatalogHttpError(405, `method ${request.method} not allowed`, ['OPTIONS', ...allowed].join(','));
    }
    const authority: CatalogAuthority = await access.authorize(tokenOf(request.headers, query));
    // Only a blocking read asks for the signal: the listeners are set up for it alone.
    let gone: AbortController | undefined;
    const signalOf = (): AbortSignal => {
      if (gone !== undefined) return gone.signal;
      const controller = new AbortController();
      gone = controller;
      const abort = (): void => {
        openWaits.delete(abort);
        controller.abort(requestOver);
      };
      reply.raw.once('close', abort);
      if (isClosing) abort();
      else openWaits.add(abort);
      return controller.signal;
    };
    const answer = await chosen.handle({
      method,
      query,
      tail: matched.tail,
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      authority,
      get signal() {
        return signalOf();
      },
      require(resource, level) {
        if (!authority.can(resource, level)) throw permissionDenied();
      },
    });
    return sendAnswer(reply, answer, query.isPretty);
  };

  for (const [path, limitBytes] of Object.entries(options.largeBodyPaths ?? {})) {
    app.route({ method: [...methods, 'OPTIONS'], url: path, bodyLimit: limitBytes, handler: handle });
  }
  app.route({ method: [...methods, 'OPTIONS', 'HEAD', 'PATCH'], url: '/*', handler: handle });
  app.route({ method: [...methods, 'OPTIONS', 'HEAD', 'PATCH'], url: '/', handler: handle });
  return app;
}
