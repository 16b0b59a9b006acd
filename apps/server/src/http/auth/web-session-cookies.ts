/**
 * The dashboard's session in cookies, so no token is ever readable by the page's JavaScript:
 * - `slipway_access`: the 15-minute access token; `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure` over TLS;
 * - `slipway_refresh`: the single-use refresh token; the same flags, `Path=/api/v1/auth/web` (sent to nothing else).
 *
 * A request authenticated by the access cookie that changes something (any method but GET and HEAD) must also carry
 * `X-Slipway-CSRF: 1`: a page of another origin cannot send a custom header without a CORS preflight, which the API
 * refuses (docs/dashboard.md). `SameSite=Strict` already keeps the cookies off cross-site requests; the header is the
 * second wall. An `Authorization` header, when present, wins over the cookie (the CLI and API tokens).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError, type SessionTokens } from '@slipway/contract';

export const accessCookieName = 'slipway_access';
export const refreshCookieName = 'slipway_refresh';
export const refreshCookiePath = '/api/v1/auth/web';
export const csrfHeaderName = 'x-slipway-csrf';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request's `Authorization` value: its own header, or `Bearer <access cookie>` (with the CSRF header check). */
export function authorizationOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined && header !== '') return header;
  const cookie = sessionCookieOf(request, accessCookieName);
  if (cookie === undefined) return undefined;
  requireCsrfHeader(request);
  return `Bearer ${cookie}`;
}

/** A session cookie's value: undefined when absent or empty (a cleared cookie). */
export function sessionCookieOf(request: FastifyRequest, name: string): string | undefined {
  // `cookies` is absent on an app without the cookie plugin (the hooks' own unit tests).
  const value = (request.cookies as FastifyRequest['cookies'] | undefined)?.[name];
  return value === '' ? undefined : value;
}

/** Errors: `CSRF_HEADER_MISSING` on a state-changing request without `X-Slipway-CSRF: 1`. */
export function requireCsrfHeader(request: FastifyRequest): void {
  if (safeMethods.has(request.method)) return;
  if (request.headers[csrfHeaderName] === '1') return;
  throw new SlipwayError(
    'CSRF_HEADER_MISSING',
    'a request authenticated by the session cookie must carry the header X-Slipway-CSRF: 1',
  );
}

/** Sets both cookies from freshly issued tokens; each expires with its token. */
export function setSessionCookies(reply: FastifyReply, tokens: SessionTokens, isTls: boolean, nowMs: number): void {
  const common = { httpOnly: true, sameSite: 'strict', secure: isTls } as const;
  void reply.setCookie(accessCookieName, tokens.accessToken, {
    ...common,
    path: '/',
    maxAge: secondsUntil(tokens.accessTokenExpiresAt, nowMs),
  });
  void reply.setCookie(refreshCookieName, tokens.refreshToken, {
    ...common,
    path: refreshCookiePath,
    maxAge: secondsUntil(tokens.refreshTokenExpiresAt, nowMs),
  });
}

export function clearSessionCookies(reply: FastifyReply, isTls: boolean): void {
  const common = { httpOnly: true, sameSite: 'strict', secure: isTls } as const;
  void reply.clearCookie(accessCookieName, { ...common, path: '/' });
  void reply.clearCookie(refreshCookieName, { ...common, path: refreshCookiePath });
}

function secondsUntil(isoTime: string, nowMs: number): number {
  return Math.max(0, Math.floor((Date.parse(isoTime) - nowMs) / 1000));
}
