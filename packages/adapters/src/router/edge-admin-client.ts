/** Talks to the edge router's admin API over its unix socket (`GET /status`, `PUT /table`, `PUT /tls`, `GET /inflight`, `GET /metrics`, `GET /wakes`). */
import { request } from 'node:http';
import {
  edgeMetricsSchema,
  handoverAnswerSchema,
  inFlightAnswerSchema,
  maxWakeWaitMs,
  routerStatusSchema,
  wakesAnswerSchema,
  SlipwayError,
  type EdgeMetrics,
  type EdgeTlsState,
  type HandoverRequest,
  type RouterStatus,
  type RoutingTable,
  type WakeRequest,
} from '@slipway/contract';

export interface EdgeAdminClient {
  /** The router's status, or `undefined` when nothing (sane) answers on the socket. */
  findStatus(): Promise<RouterStatus | undefined>;
  /** Errors: `UNAVAILABLE` when the router cannot be reached or fails to apply; `VALIDATION_FAILED` when it refuses the table. */
  putTable(table: RoutingTable): Promise<void>;
  /** Per-host certificates and ACME challenges (`PUT /tls`). Errors as `putTable`. */
  putTls(state: EdgeTlsState): Promise<void>;
  /** Requests in flight per instance id. Errors: `UNAVAILABLE` when the router cannot be reached or answers nonsense. */
  inFlight(instanceIds: readonly string[]): Promise<Record<string, number>>;
  /** The router's traffic counters. Errors: `UNAVAILABLE` when the router cannot be reached or answers nonsense. */
  metrics(): Promise<EdgeMetrics>;
  /** Process types whose requests the router holds (`GET /wakes`), waiting up to `waitMs`. Errors: `UNAVAILABLE`. */
  wakes(waitMs: number, signal?: AbortSignal): Promise<WakeRequest[]>;
  /**
   * Graceful restart (`POST /handover`), to a successor with `args` as its flags when given (else the running
   * router's); resolves with the successor's pid once it serves. Errors: `UNAVAILABLE`.
   */
  handOver(args?: readonly string[]): Promise<number>;
}

export interface EdgeAdminClientOptions {
  socketPath: string;
  /** Bounds each admin call, including the router's fsync of the table (default 10 s). */
  requestTimeoutMs?: number;
}

interface AdminAnswer {
  statusCode: number;
  text: string;
}

export function createEdgeAdminClient(options: EdgeAdminClientOptions): EdgeAdminClient {
  const { socketPath } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;

  function call(
    method: string,
    path: string,
    body?: string,
    timeoutMs = requestTimeoutMs,
    signal?: AbortSignal,
  ): Promise<AdminAnswer> {
    return new Promise((resolve, reject) => {
      const headers =
        body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = request({ socketPath, method, path, headers, agent: false, timeout: timeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async function findStatus(): Promise<RouterStatus | undefined> {
    try {
      const answer = await call('GET', '/status');
      if (answer.statusCode !== 200) return undefined;
      const parsed = routerStatusSchema.safeParse(JSON.parse(answer.text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  function putTable(table: RoutingTable): Promise<void> {
    return put('/table', JSON.stringify(table), 'routing table');
  }

  function putTls(state: EdgeTlsState): Promise<void> {
    return put('/tls', JSON.stringify(state), 'TLS state');
  }

  async function put(path: string, body: string, what: string): Promise<void> {
    let answer: AdminAnswer;
    try {
      answer = await call('PUT', path, body);
    } catch (error) {
      throw new SlipwayError(
        'UNAVAILABLE',
        `The edge router does not answer on ${socketPath} (${(error as Error).message}); is it running? slipwayd starts it on boot.`,
        { cause: error },
      );
    }
    if (answer.statusCode === 200) return;
    const refusal = errorOf(answer.text);
    if (answer.statusCode === 400) {
      throw new SlipwayError(
        'VALIDATION_FAILED',
        refusal?.message ?? `The edge router refused the ${what}.`,
        refusal?.details === undefined ? {} : { details: refusal.details },
      );
    }
    throw new SlipwayError(
      'UNAVAILABLE',
      `The edge router failed to apply the ${what} (HTTP ${answer.statusCode}: ${refusal?.message ?? answer.text.slice(0, 200)}).`,
      {
        details: { statusCode: answer.statusCode },
      },
    );
  }

  async function inFlight(instanceIds: readonly string[]): Promise<Record<string, number>> {
    if (instanceIds.length === 0) return {};
    const query = new URLSearchParams({ ids: instanceIds.join(',') }).toString();
    let answer: AdminAnswer;
    try {
      answer = await call('GET', `/inflight?${query}`);
    } catch (error) {
      throw new SlipwayError(
        'UNAVAILABLE',
        `The edge router does not answer on ${socketPath} (${(error as Error).message}).`,
        {
          cause: error,
        },
      );
    }
    const parsed = answer.statusCode === 200 ? inFlightAnswerSchema.safeParse(parseJson(answer.text)) : undefined;
    if (parsed?.success !== true) {
      throw new SlipwayError(
        'UNAVAILABLE',
        `The edge router did not report requests in flight (HTTP ${answer.statusCode}: ${answer.text.slice(0, 200)}).`,
      );
    }
    return parsed.data.inFlight;
  }

  /** A GET whose answer must match `schema`; `what` names it in the error. */
  async function getParsed<T>(
    path: string,
    schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
    what: string,
    timeoutMs = requestTimeoutMs,
    signal?: AbortSignal,
  ): Promise<T> {
    let answer: AdminAnswer;
    try {
      answer = await call('GET', path, undefined, timeoutMs, signal);
    } catch (error) {
      throw new SlipwayError(
        'UNAVAILABLE',
        `The edge router does not answer on ${socketPath} (${(error as Error).message}).`,
        { cause: error },
      );
    }
    const parsed = answer.statusCode === 200 ? schema.safeParse(parseJson(answer.text)) : undefined;
    if (parsed?.success !== true) {
      throw new SlipwayError(
        'UNAVAILABLE',
        `The edge router did not report ${what} (HTTP ${answer.statusCode}: ${answer.text.slice(0, 200)}).`,
      );
    }
    return parsed.data;
  }

  function metrics(): Promise<EdgeMetrics> {
    return getParsed('/metrics', edgeMetricsSchema, 'its traffic counters');
  }

  async function wakes(waitMs: number, signal?: AbortSignal): Promise<WakeRequest[]> {
    const wait = Math.max(0, Math.min(maxWakeWaitMs, Math.round(waitMs)));
    // The router answers within `waitMs`; the deadline leaves it the usual time beyond.
    const answer = await getParsed(
      `/wakes?waitMs=${wait}`,
      wakesAnswerSchema,
      'the routes holding requests',
      wait + requestTimeoutMs,
      signal,
    );
    return answer.wakes;
  }

  async function handOver(args?: readonly string[]): Promise<number> {
    let answer: AdminAnswer;
    const body = args === undefined ? undefined : JSON.stringify({ args: [...args] } satisfies HandoverRequest);
    try {
      // The successor may take seconds to boot on a busy machine; the router bounds the handover itself (30 s).
      answer = await call('POST', '/handover', body, Math.max(requestTimeoutMs, 45_000));
    } catch (error) {
      throw new SlipwayError(
        'UNAVAILABLE',
        `The edge router does not answer on ${socketPath} (${(error as Error).message}).`,
        { cause: error },
      );
    }
    const parsed = answer.statusCode === 200 ? handoverAnswerSchema.safeParse(parseJson(answer.text)) : undefined;
    if (parsed?.success !== true) {
      throw new SlipwayError(
        'UNAVAILABLE',
        `The edge router did not hand over (HTTP ${answer.statusCode}: ${errorOf(answer.text)?.message ?? answer.text.slice(0, 200)}).`,
      );
    }
    return parsed.data.pid;
  }

  return { findStatus, putTable, putTls, inFlight, metrics, wakes, handOver };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorOf(text: string): { message: string; details?: Record<string, unknown> } | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; details?: unknown } };
    const message = body.error?.message;
    if (typeof message !== 'string') return undefined;
    const details = body.error?.details;
    return typeof details === 'object' && details !== null
      ? { message, details: details as Record<string, unknown> }
      : { message };
  } catch {
    return undefined;
  }
}
