/**
 * The catalog's HTTP check (Consul's): one request with the definition's method, headers and body; 2xx is passing,
 * 429 warning, anything else critical. Redirects are followed (at most 10, as Go's client does); the output is
 * Consul's `HTTP GET <url>: 200 OK Output: <body>` with at most the first 4 KiB of the body read.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { checkOutputMaxBytes, type CheckRunResult, type RunnableCheckDefinition } from '@slipway/core';
import { abortedText, boundOutput, createRunDeadline, describeError, displayUrl } from './check-output.js';

type HttpCheckDefinition = Extract<RunnableCheckDefinition, { type: 'http' }>;

const maxRedirects = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

interface HttpAnswer {
  status: number;
  statusText: string;
  location: string | undefined;
  body: string;
}

function headersOf(definition: HttpCheckDefinition, body: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'user-agent': 'Consul Health Check',
    accept: 'text/plain, text/*, */*',
    connection: 'close',
  };
  for (const [name, values] of Object.entries(definition.header)) {
    if (values.length === 0) continue;
    headers[name.toLowerCase()] = values.length === 1 ? values[0] : values;
  }
  if (body !== '') headers['content-length'] = String(Buffer.byteLength(body));
  return headers;
}

/** One request and the first 4 KiB of its answer; rejects on a socket error or when `signal` aborts. */
function requestOnce(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: string,
  definition: HttpCheckDefinition,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const send = isHttps ? httpsRequest : httpRequest;
    const auth =
      url.username === '' && url.password === ''
        ? undefined
        : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const req = send({
      host,
      port: url.port === '' ? (isHttps ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      agent: false,
      signal,
      ...(auth === undefined ? {} : { auth }),
      ...(isHttps ? { rejectUnauthorized: !definition.tlsSkipVerify } : {}),
      // SNI carries names only (RFC 6066 §3).
      ...(isHttps && isIP(host) === 0 ? { servername: host } : {}),
    });
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        res.removeAllListeners('data');
        res.destroy();
        const location = res.headers.location;
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          location: typeof location === 'string' ? location : undefined,
          body: Buffer.concat(chunks).subarray(0, checkOutputMaxBytes).toString('utf8'),
        });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough for the output: the rest of the body is not read.
        if (size >= checkOutputMaxBytes) finish();
      });
      res.once('end', finish);
      res.once('error', reject);
    });
    req.end(body === '' ? undefined : body);
  });
}

function statusOf(httpStatus: number): CheckRunResult['status'] {
  if (httpStatus >= 200 && httpStatus < 300) return 'passing';
  return httpStatus === 429 ? 'warning' : 'critical';
}

export async function runHttpCheck(definition: HttpCheckDefinition, signal?: AbortSignal): Promise<CheckRunResult> {
  const method = definition.method === '' ? 'GET' : definition.method.toUpperCase();
  const shown = displayUrl(definition.url);
  let url: URL;
  try {
    url = new URL(definition.url);
  } catch {
    return { status: 'critical', output: `HTTP ${method} ${shown}: invalid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { status: 'critical', output: `HTTP ${method} ${shown}: unsupported protocol ${url.protocol}` };
  const deadline = createRunDeadline(definition.timeoutMs, signal);
  let currentMethod = method;
  let body = definition.body;
  const originHost = url.host;
  try {
    for (let redirects = 0; ; redirects += 1) {
      const headers = headersOf(definition, body);
      // Credentials go only to the host they were given for (Go drops them on a redirect elsewhere too).
      if (url.host !== originHost) {
        delete headers.authorization;
        delete headers.cookie;
      }
      const answer = await requestOnce(url, currentMethod, headers, body, definition, deadline.signal);
      if (redirectStatuses.has(answer.status) && answer.location !== undefined && redirects < maxRedirects) {
        const next = new URL(answer.location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') return finalAnswer(answer);
        url = next;
        if (answer.status !== 307 && answer.status !== 308 && currentMethod !== 'HEAD') {
          currentMethod = 'GET';
          body = '';
        }
        continue;
      }
      return finalAnswer(answer);
    }
  } catch (error) {
    const why = deadline.signal.aborted ? abortedText(deadline, definition.timeoutMs) : describeError(error);
    return { status: 'critical', output: boundOutput(`HTTP ${currentMethod} ${displayUrl(url.href)}: ${why}`) };
  } finally {
    deadline.dispose();
  }

  function finalAnswer(answer: HttpAnswer): CheckRunResult {
    const statusLine = `${answer.status} ${answer.statusText}`.trim();
    return {
      status: statusOf(answer.status),
      output: boundOutput(`HTTP ${currentMethod} ${displayUrl(url.href)}: ${statusLine} Output: ${answer.body}`),
    };
  }
}
