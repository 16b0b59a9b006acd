/**
 * Size limits of a request beyond the body (whose limit Fastify enforces): the URL's length and the number of query
 * parameters, checked before anything else reads them; and the Fastify/Node limits set when the app is built
 * (header size, parameter length), whose refusals are answered in the error model too.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError, type ErrorBody } from '@slipway/contract';
import { sendError } from './error-handler.js';
import { secureHeaders } from './secure-headers.js';

/** The limits of a request; all sizes in bytes (UTF-8 as sent). */
export const requestLimits = {
  /** A JSON body (an archive upload has its own limit, `maxArchiveBytes`). */
  jsonBodyBytes: 1024 * 1024,
  /** The request line and all headers together, as Node counts them (`maxHeaderSize`). */
  headerBytes: 16 * 1024,
  /** The path and query string. */
  urlBytes: 4096,
  /** Parameters in the query string. */
  queryParams: 32,
  /** One path parameter (`:app`, `:id`, `:name`); longer ones answer 404 ROUTE_NOT_FOUND. */
  paramBytes: 256,
  /** Event streams (deployment events, followed logs) open at once from one client address. */
  streamsPerClient: 16,
} as const;

export function installRequestLimits(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.length > requestLimits.urlBytes) {
      throw new SlipwayError(
        'URL_TOO_LONG',
        `the URL is ${request.url.length} bytes long; the limit is ${requestLimits.urlBytes}`,
      );
    }
    const queryStart = request.url.indexOf('?');
    if (queryStart === -1) return;
    const params = request.url
      .slice(queryStart + 1)
      .split('&')
      .filter((part) => part !== '').length;
    if (params > requestLimits.queryParams) {
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `the query string has ${params} parameters; the limit is ${requestLimits.queryParams}`,
      );
    }
  });
}

/**
 * Answers the refusals Fastify's router makes before any hook runs (a path parameter over the limit, a URL whose
 * percent-encoding is broken) in the error model, with the secure headers the hooks would have set.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of Object.entries(secureHeaders)) void reply.header(name, value);
  void reply.header('x-request-id', String(request.id));
  const refusal =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new SlipwayError('URL_TOO_LONG', `a path parameter is longer than ${requestLimits.paramBytes} bytes`)
      : error.code === 'FST_ERR_BAD_URL'
        ? new SlipwayError('VALIDATION_FAILED', 'the URL is malformed (invalid percent-encoding)')
        : new SlipwayError('VALIDATION_FAILED', 'the request cannot be routed');
  void sendError(reply, request, refusal);
}

const reasons: Readonly<Record<string, { status: string; body: Omit<ErrorBody['error'], 'requestId'> }>> = {
  HPE_HEADER_OVERFLOW: {
    status: '431 Request Header Fields Too Large',
    body: {
      code: 'HEADERS_TOO_LARGE',
      message: `the request line and headers exceed ${requestLimits.headerBytes} bytes`,
    },
  },
};

/**
 * Answers a request Node refused before Fastify saw it (malformed, or headers too large) with a coded error body,
 * then closes the connection: after a parse error the stream cannot be trusted.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code === undefined ? undefined : reasons[error.code];
  const status = known?.status ?? '400 Bad Request';
  const body: ErrorBody = {
    error: {
      ...(known?.body ?? { code: 'VALIDATION_FAILED', message: 'the request is not valid HTTP/1.1' }),
      requestId: `req_${randomBytes(8).toString('hex')}`,
    },
  };
  const text = JSON.stringify(body);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // The same secure headers as every other answer, from the one map.
  const headers = Object.entries(secureHeaders)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\n${headers}\r\n${text}`,
  );
}
