/** The router's admin API on a unix socket: `PUT /table`, `GET /table`, `PUT /tls`, `GET /status`, `GET /inflight`, `GET /metrics`, `GET /wakes`, `POST /handover`, coded JSON errors. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  ErrorBody,
  EdgeMetrics,
  HandoverAnswer,
  HandoverRequest,
  ErrorCode,
  InFlightAnswer,
  RouterStatus,
  RoutingTable,
  WakeRequest,
  WakesAnswer,
} from '@slipway/contract';
import { isSlipwayError, SlipwayError } from './slipway-error.js';
import type { EdgeLog } from './edge-log.js';
import { checkRoutingTable } from './table-validator.js';
import { maxWakeWaitMs } from './wake-signals.js';

export interface AdminServerOptions {
  readonly currentTable: () => RoutingTable;
  /** Persists then serves the table; resolves once both are done. */
  readonly applyTable: (table: RoutingTable) => Promise<void>;
  /** Checks, persists then serves a TLS state (`EdgeTlsState`); resolves with the hosts that have a certificate. */
  readonly applyTls: (state: unknown) => Promise<number>;
  readonly status: () => RouterStatus;
  /** Requests in flight per instance id, draining upstreams included; 0 for unknown ids. */
  readonly inFlight: (instanceIds: readonly string[]) => Promise<Record<string, number>>;
  readonly metrics: () => Promise<EdgeMetrics>;
  /** Process types whose requests are held (scale to zero), waiting up to `waitMs` for one. */
  readonly wakes: (waitMs: number) => Promise<WakeRequest[]>;
  /** Graceful restart, with the successor's flags when given: resolves with its pid once it serves. */
  readonly handOver: (args?: readonly string[]) => Promise<number>;
  readonly log: EdgeLog;
  /** Bodies above this are refused with 413 (default 32 MiB, a table of many thousand routes). */
  readonly maxBodyBytes?: number;
}

/** 256 flags of up to 4 KiB each, as the request schema bounds them. */
const maxHandoverBodyBytes = 1024 * 1024;

const statusOfCode: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  ROUTE_NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

export function createAdminServer(options: AdminServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const { log } = options;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (path === '/table' && req.method === 'PUT') {
      const table = parseTable(await readBody(req, maxBodyBytes));
      await options.applyTable(table);
      log.info({ routes: table.routes.length }, 'routing table applied');
      return sendJson(res, 200, { routes: table.routes.length });
    }
    if (path === '/table' && req.method === 'GET') return sendJson(res, 200, options.currentTable());
    if (path === '/tls' && req.method === 'PUT') {
      const hosts = await options.applyTls(parseJson(await readBody(req, maxBodyBytes), 'TLS state'));
      log.info({ hosts }, 'tls state applied');
      return sendJson(res, 200, { hosts });
    }
    if (path === '/status' && req.method === 'GET') return sendJson(res, 200, options.status());
    if (path === '/inflight' && req.method === 'GET') {
      const ids = idsOf(new URLSearchParams(url.slice(path.length)));
      const answer: InFlightAnswer = { inFlight: await options.inFlight(ids) };
      return sendJson(res, 200, answer);
    }
    if (path === '/metrics' && req.method === 'GET') return sendJson(res, 200, await options.metrics());
    if (path === '/wakes' && req.method === 'GET') {
      const answer: WakesAnswer = { wakes: await options.wakes(waitMsOf(new URLSearchParams(url.slice(path.length)))) };
      return sendJson(res, 200, answer);
    }
    if (path === '/handover' && req.method === 'POST') {
      const { args } = parseHandoverRequest(await readBody(req, maxHandoverBodyBytes));
      const answer: HandoverAnswer = { pid: await options.handOver(args) };
      return sendJson(res, 200, answer);
    }
    throw new SlipwayError(
      'ROUTE_NOT_FOUND',
      `No admin route ${req.method ?? ''} ${path}; there are PUT /table, GET /table, PUT /tls, GET /status, GET /inflight, GET /metrics, GET /wakes and POST /handover.`,
    );
  }

  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const requestId = headerValue(req.headers['x-request-id']) ?? randomUUID();
      if (isSlipwayError(error)) {
        const body: ErrorBody = {
          error: {
            code: error.code,
            message: error.message,
            requestId,
            ...(error.details === undefined ? {} : { details: error.details }),
          },
        };
        sendJson(res, statusOfCode[error.code] ?? 500, body);
        return;
      }
      log.error({ requestId, err: error }, 'admin request failed');
      const body: ErrorBody = {
        error: { code: 'INTERNAL', message: 'The edge router failed to handle this request; see its log.', requestId },
      };
      sendJson(res, 500, body);
    });
  });
}

/** No body is a restart with the running flags; a body names the successor's (`{ "args": [...] }`). */
function parseHandoverRequest(text: string): HandoverRequest {
  if (text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SlipwayError('VALIDATION_FAILED', `The handover request is not valid JSON: ${(error as Error).message}`);
  }
  // By hand, as `handoverRequestSchema` has it: the edge does not load zod (see table-validator.ts).
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const { args, ...rest } = json as { args?: unknown };
    if (Object.keys(rest).length === 0 && args === undefined) return {};
    if (
      Object.keys(rest).length === 0 &&
      Array.isArray(args) &&
      args.length <= 256 &&
      args.every((arg): arg is string => typeof arg === 'string' && arg.length <= 4_096)
    ) {
      return { args };
    }
  }
  throw new SlipwayError(
    'VALIDATION_FAILED',
    'The handover request takes no body, or { "args": ["--listen", "HOST:PORT", …] } (at most 256 flags of 4,096 characters): the successor\'s flags.',
  );
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SlipwayError('VALIDATION_FAILED', `The ${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function parseTable(text: string): RoutingTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SlipwayError('VALIDATION_FAILED', `The routing table is not valid JSON: ${(error as Error).message}`);
  }
  const checked = checkRoutingTable(json);
  if (checked.isValid) return checked.table;
  const { issues } = checked;
  const first = issues[0];
  const summary = first === undefined ? 'invalid' : `${first.path}: ${first.message}`;
  throw new SlipwayError(
    'VALIDATION_FAILED',
    `The routing table is invalid (${issues.length} issue(s); first ${summary}); the previous table is kept.`,
    { details: { issues } },
  );
}

/** `?waitMs=N`: 0 to 60,000 (default 0, answer at once). */
function waitMsOf(query: URLSearchParams): number {
  const text = query.get('waitMs') ?? '0';
  const waitMs = /^[0-9]{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(waitMs <= maxWakeWaitMs))
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `GET /wakes takes waitMs from 0 to ${maxWakeWaitMs}: /wakes?waitMs=25000.`,
    );
  return waitMs;
}

/** `?ids=a,b` (repeated `ids` are merged); at least one id is required. */
function idsOf(query: URLSearchParams): string[] {
  const ids = query
    .getAll('ids')
    .flatMap((value) => value.split(','))
    .filter((id) => id !== '');
  if (ids.length === 0)
    throw new SlipwayError('VALIDATION_FAILED', 'GET /inflight needs instance ids: /inflight?ids=<id>[,<id>…].');
  return ids;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new SlipwayError('PAYLOAD_TOO_LARGE', `The routing table exceeds ${maxBytes} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
