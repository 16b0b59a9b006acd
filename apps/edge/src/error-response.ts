/**
 * The router's own answers (no route, no upstream, bad gateway, timeouts, refusals of malformed requests and of
 * connections over the caps) as complete HTTP/1.1 responses with small HTML or plain-text pages.
 */
import { STATUS_CODES } from 'node:http';

export type EdgeErrorKind =
  | 'no-route'
  | 'no-upstream'
  | 'cold-start-full'
  | 'cold-start-timeout'
  | 'bad-gateway'
  | 'gateway-timeout'
  | 'bad-request'
  | 'head-too-large'
  | 'head-timeout'
  | 'body-timeout'
  | 'body-incomplete'
  | 'too-many-connections'
  | 'too-many-client-connections'
  | 'not-implemented'
  | 'version-not-supported';

export interface EdgeErrorContext {
  /** Normalised host of the request (may be empty). */
  readonly host: string;
  readonly accept: string | undefined;
  readonly requestId: string;
}

interface ErrorPage {
  readonly statusCode: number;
  readonly title: string;
  readonly text: (host: string) => string;
  readonly retryAfterSeconds?: number;
}

const pages: Record<EdgeErrorKind, ErrorPage> = {
  'no-route': {
    statusCode: 404,
    title: 'No app here',
    text: (host) =>
      host === ''
        ? 'No app is routed for requests without a Host header.'
        : `No app is routed for ${host} (or for this path of it).`,
  },
  'no-upstream': {
    statusCode: 503,
    title: 'App unavailable',
    text: (host) =>
      `The app routed for ${host || 'this host'} has no healthy instance right now. Try again in a few seconds.`,
    retryAfterSeconds: 5,
  },
  'cold-start-full': {
    statusCode: 503,
    title: 'App starting',
    text: (host) =>
      `The app routed for ${host || 'this host'} is starting (it was scaled to zero while idle) and as many requests as the router holds are already waiting for it. Try again in a few seconds.`,
    retryAfterSeconds: 5,
  },
  'cold-start-timeout': {
    statusCode: 503,
    title: 'App starting',
    text: (host) =>
      `The app routed for ${host || 'this host'} is starting (it was scaled to zero while idle) and did not come up within the time the router holds a request. Try again in a few seconds.`,
    retryAfterSeconds: 5,
  },
  'bad-gateway': {
    statusCode: 502,
    title: 'Bad gateway',
    text: (host) => `The app routed for ${host || 'this host'} could not be reached.`,
  },
  'gateway-timeout': {
    statusCode: 504,
    title: 'Gateway timeout',
    text: (host) => `The app routed for ${host || 'this host'} did not answer in time.`,
  },
  'bad-request': {
    statusCode: 400,
    title: 'Bad request',
    text: () => 'The request is not valid HTTP/1.1 (or is ambiguous about where it ends), so the router refused it.',
  },
  'head-too-large': {
    statusCode: 431,
    title: 'Request header fields too large',
    text: () => 'The request line and header fields together exceed the 16 KiB the router accepts.',
  },
  'head-timeout': {
    statusCode: 408,
    title: 'Request timeout',
    text: () => 'The request head did not arrive in time.',
  },
  'body-timeout': {
    statusCode: 408,
    title: 'Request timeout',
    text: () => 'The request body stopped arriving, so the router gave up on it.',
  },
  'body-incomplete': {
    statusCode: 400,
    title: 'Bad request',
    text: () => 'The connection ended before the request body was complete.',
  },
  'too-many-connections': {
    statusCode: 503,
    title: 'Too many connections',
    text: () => 'The router has as many client connections open as it accepts. Try again in a few seconds.',
    retryAfterSeconds: 5,
  },
  'too-many-client-connections': {
    statusCode: 429,
    title: 'Too many connections',
    text: () => 'Your address has as many connections open to the router as it accepts; reuse or close one.',
    retryAfterSeconds: 5,
  },
  'not-implemented': {
    statusCode: 501,
    title: 'Not implemented',
    text: () => 'The router accepts request bodies with Content-Length or Transfer-Encoding: chunked only.',
  },
  'version-not-supported': {
    statusCode: 505,
    title: 'HTTP version not supported',
    text: () => 'The router speaks HTTP/1.0 and HTTP/1.1.',
  },
};

/** The error kind of a malformed request head's status (see `HeadError`). */
export function headErrorKind(status: 400 | 501 | 505): EdgeErrorKind {
  return status === 501 ? 'not-implemented' : status === 505 ? 'version-not-supported' : 'bad-request';
}

export interface RenderedError {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function renderError(kind: EdgeErrorKind, context: EdgeErrorContext): RenderedError {
  const page = pages[kind];
  const text = page.text(context.host);
  const isHtml = context.accept?.includes('text/html') === true;
  const body = isHtml
    ? htmlPage(page.statusCode, page.title, text, context.requestId)
    : `${page.statusCode} ${page.title}: ${text}\n`;
  const headers: Record<string, string> = {
    'content-type': isHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'x-request-id': context.requestId,
  };
  if (page.retryAfterSeconds !== undefined) headers['retry-after'] = String(page.retryAfterSeconds);
  return { statusCode: page.statusCode, headers, body };
}

/** The whole response, head and body; `isClosing` adds `Connection: close`. A HEAD request gets the head only. */
export function errorResponseText(
  kind: EdgeErrorKind,
  context: EdgeErrorContext,
  isClosing: boolean,
  isHeadRequest: boolean,
): { readonly statusCode: number; readonly text: string } {
  const rendered = renderError(kind, context);
  let head = `HTTP/1.1 ${rendered.statusCode} ${STATUS_CODES[rendered.statusCode] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(rendered.headers)) head += `${name}: ${value}\r\n`;
  if (isClosing) head += 'connection: close\r\n';
  return { statusCode: rendered.statusCode, text: isHeadRequest ? `${head}\r\n` : `${head}\r\n${rendered.body}` };
}

function htmlPage(statusCode: number, title: string, text: string, requestId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${statusCode} ${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}small{color:#777}</style></head>
<body><h1>${title}</h1><p>${escapeHtml(text)}</p><p><small>Slipway edge router · ${statusCode} · request ${escapeHtml(requestId)}</small></p></body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
