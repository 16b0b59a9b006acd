/**
 * Secure headers on every answer of the API (and of a dashboard served from it), and CORS closed by default:
 * - every answer: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
 *   `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`, `Referrer-Policy: no-referrer`,
 *   `Cache-Control: no-store` (answers carry credentials, secrets' names, logs: never cached), no `X-Powered-By`;
 * - over TLS, `Strict-Transport-Security`;
 * - CORS: no `Access-Control-Allow-*` header unless the request's `Origin` is in the allow-list (`corsOrigins`); a
 *   preflight (`OPTIONS`) from any other origin is refused with `403 CORS_ORIGIN_NOT_ALLOWED`, one from an allowed
 *   origin is answered `204` with the allow headers.
 */
import type { FastifyInstance } from 'fastify';
import { SlipwayError } from '@slipway/contract';

export interface SecureHeadersOptions {
  /** Origins (`https://dash.example.com`, exact match) a browser may call the API from; empty: none. */
  readonly corsOrigins: readonly string[];
  /** Whether the API is served over TLS (HSTS is sent only then: browsers ignore it over plain HTTP). */
  readonly isTls: boolean;
}

/** One year, as browsers' HSTS preload lists expect; subdomains are not included (apps live on them). */
const hstsMaxAgeSeconds = 31_536_000;

/** How long a browser may cache an allowed preflight. */
const preflightMaxAgeSeconds = 600;

const allowedMethods = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const allowedHeaders = 'authorization, content-type, last-event-id';

export const secureHeaders: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
};

/** Installs the headers and the CORS rule; register before the auth hooks, so a preflight needs no credential. */
export function installSecureHeaders(app: FastifyInstance, options: SecureHeadersOptions): void {
  const origins = new Set(options.corsOrigins);
  app.addHook('onRequest', async (request, reply) => {
    // On the raw response, so answers written outside Fastify's reply (event streams) carry them too.
    const raw = reply.raw;
    for (const [name, value] of Object.entries(secureHeaders)) raw.setHeader(name, value);
    if (options.isTls) raw.setHeader('strict-transport-security', `max-age=${hstsMaxAgeSeconds}`);
    const origin = request.headers.origin;
    const isAllowedOrigin = origin !== undefined && origins.has(origin);
    if (origins.size > 0) raw.setHeader('vary', 'Origin');
    if (isAllowedOrigin) {
      raw.setHeader('access-control-allow-origin', origin);
      raw.setHeader('access-control-expose-headers', 'x-request-id, retry-after, www-authenticate');
    }
    if (request.method !== 'OPTIONS') return;
    if (!isAllowedOrigin) {
      throw new SlipwayError(
        'CORS_ORIGIN_NOT_ALLOWED',
        origin === undefined
          ? 'OPTIONS is answered only to a browser preflight from an allowed origin'
          : `cross-origin requests from ${JSON.stringify(origin.slice(0, 200))} are not allowed (see corsOrigins)`,
      );
    }
    raw.setHeader('access-control-allow-methods', allowedMethods);
    raw.setHeader('access-control-allow-headers', allowedHeaders);
    raw.setHeader('access-control-max-age', String(preflightMaxAgeSeconds));
    await reply.status(204).send();
  });
}
