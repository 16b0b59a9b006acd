/** The router's own answers (no route, no upstream, bad gateway, timeout) as small HTML or plain-text pages. */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type EdgeErrorKind = 'no-route' | 'no-upstream' | 'bad-gateway' | 'gateway-timeout';

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
};

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

export function sendError(res: ServerResponse, kind: EdgeErrorKind, context: EdgeErrorContext): void {
  const rendered = renderError(kind, context);
  res.writeHead(rendered.statusCode, rendered.headers);
  res.end(rendered.body);
}

/** For upgrade requests, where there is no ServerResponse: writes a complete response and closes the socket. */
export function writeErrorToSocket(socket: Socket, kind: EdgeErrorKind, context: EdgeErrorContext): void {
  if (socket.destroyed) return;
  const rendered = renderError(kind, context);
  let head = `HTTP/1.1 ${rendered.statusCode} ${STATUS_CODES[rendered.statusCode] ?? ''}\r\nconnection: close\r\n`;
  for (const [name, value] of Object.entries(rendered.headers)) head += `${name}: ${value}\r\n`;
  socket.end(`${head}\r\n${rendered.body}`);
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
