/**
 * The answer of a route in maintenance (the app stopped, or `slipway maintenance on`): 503 with `Retry-After` and a
 * page, the app's own when it set one, else a small one of the router's. Built once per table, not per request.
 */
import { STATUS_CODES } from 'node:http';
import type { Maintenance } from '@slipway/contract';

export interface MaintenanceAnswer {
  readonly statusCode: 503;
  /** The head's fields after the status line, each ending in CRLF, without the request id or `Connection`. */
  readonly fields: string;
  readonly body: string;
}

const statusLine = `HTTP/1.1 503 ${STATUS_CODES[503] ?? 'Service Unavailable'}\r\n`;

export function maintenanceAnswer(maintenance: Maintenance, app: string): MaintenanceAnswer {
  const body = maintenance.page ?? defaultPage(app, maintenance.retryAfterSeconds);
  const fields =
    'content-type: text/html; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'cache-control: no-store\r\n' +
    `retry-after: ${maintenance.retryAfterSeconds}\r\n`;
  return { statusCode: 503, fields, body };
}

/** The whole response; `isClosing` adds `Connection: close`, a HEAD request gets the head only. */
export function maintenanceResponseText(
  answer: MaintenanceAnswer,
  requestId: string,
  isClosing: boolean,
  isHeadRequest: boolean,
): string {
  const head = `${statusLine}${answer.fields}x-request-id: ${requestId}\r\n${isClosing ? 'connection: close\r\n' : ''}\r\n`;
  return isHeadRequest ? head : head + answer.body;
}

function defaultPage(app: string, retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.round(retryAfterSeconds / 60));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Down for maintenance</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}small{color:#777}</style></head>
<body><h1>Down for maintenance</h1><p>${escapeHtml(app)} is down for maintenance. Please try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.</p><p><small>Slipway edge router · 503</small></p></body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
