/**
 * The CLI's client of the catalog's Consul-compatible HTTP API (docs/catalog.md): reads with their `X-Consul-Index`,
 * blocking reads (`?index=&wait=`), writes; every call under a deadline, the token in `X-Consul-Token` only, and the
 * catalog's plain-text refusals turned into coded errors.
 */
import { SlipwayError, type ErrorCode, type TokenSource } from '@slipway/contract';

export interface CatalogClientOptions {
  /** `http://host:port` of the catalog. */
  baseUrl: string;
  token?: TokenSource | undefined;
  fetch?: typeof fetch | undefined;
  /** Deadline of a call that does not block. */
  timeoutMs?: number | undefined;
}

/** Query parameters: `true` is a presence flag (`?recurse`), a string or number a value; `undefined` is left out. */
export type CatalogQuery = Readonly<Record<string, string | number | true | readonly string[] | undefined>>;

export interface CatalogRead {
  /** 200, or 404 for an absent KV key (which still carries an index). */
  status: 200 | 404;
  /** `X-Consul-Index` (never 0). */
  index: number;
  body: Uint8Array;
}

export interface BlockingOptions {
  /** Wait for the result's index to pass this one (`?index=`); 0 or absent answers at once. */
  index?: number | undefined;
  /** `?wait=`: how long the catalog may hold the request. */
  waitMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface CatalogClient {
  readonly baseUrl: string;
  /** A GET; `isAbsentOk` lets a 404 through (KV reads). */
  read(path: string, query?: CatalogQuery, options?: BlockingOptions & { isAbsentOk?: boolean }): Promise<CatalogRead>;
  /** A GET answered with JSON; a 404 with `isAbsentOk` resolves `undefined`. */
  readJson<T>(
    path: string,
    query?: CatalogQuery,
    options?: BlockingOptions & { isAbsentOk?: boolean },
  ): Promise<{ index: number; value: T | undefined }>;
  /** A PUT or DELETE; resolves the parsed JSON answer (or `undefined` for an empty one). */
  write(method: 'PUT' | 'DELETE', path: string, query?: CatalogQuery, body?: Uint8Array | string): Promise<unknown>;
}

export const defaultCatalogTimeoutMs = 30_000;
/** Time over `wait` and its jitter (wait/16) a blocking read is given before it is abandoned. */
const blockingSlackMs = 5_000;

/** `a/b c` → `a/b%20c`: each segment encoded, slashes kept (the catalog decodes the whole tail). */
export function encodeCatalogPath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** Go's duration syntax for `?wait=` (the catalog reads it as Consul does). */
export function formatWaitMs(waitMs: number): string {
  return `${Math.max(1, Math.round(waitMs))}ms`;
}

function queryString(query: CatalogQuery): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (value === true) parts.push(encodeURIComponent(name));
    else if (Array.isArray(value)) {
      for (const item of value as readonly string[])
        parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(item)}`);
    } else parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

const statusCodes: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'CATALOG_PERMISSION_DENIED',
  404: 'ROUTE_NOT_FOUND',
  409: 'VERSION_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** Plain text of a refusal, bounded and on one line (it is shown as is). */
function refusalText(body: Uint8Array): string {
  const text = new TextDecoder().decode(body.subarray(0, 1024)).trim().replace(/\s+/g, ' ');
  return text === '' ? 'no reason given' : text;
}

export function createCatalogClient(options: CatalogClientOptions): CatalogClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? defaultCatalogTimeoutMs;

  const send = async (
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    query: CatalogQuery,
    init: { body?: Uint8Array | string | undefined; deadlineMs: number; signal?: AbortSignal | undefined },
  ): Promise<{ status: number; headers: Headers; body: Uint8Array }> => {
    const headers = new Headers();
    const token = await options.token?.();
    if (token !== undefined && token !== '') headers.set('x-consul-token', token);
    const signals = [AbortSignal.timeout(init.deadlineMs)];
    if (init.signal !== undefined) signals.push(init.signal);
    const url = `${baseUrl}${path}${queryString(query)}`;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        signal: AbortSignal.any(signals),
      });
      const body = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      if (init.signal?.aborted === true) throw new SlipwayError('INTERRUPTED', 'stopped');
      const isTimeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new SlipwayError(
        'UNAVAILABLE',
        isTimeout
          ? `the catalog at ${baseUrl} did not answer within ${Math.round(init.deadlineMs / 1000)}s`
          : `the catalog at ${baseUrl} cannot be reached (${cause})`,
      );
    }
  };

  const refuse = (status: number, body: Uint8Array, path: string): never => {
    const code = statusCodes[status] ?? (status >= 500 ? 'UNAVAILABLE' : 'VALIDATION_FAILED');
    throw new SlipwayError(code, `the catalog refused ${path}: ${status} ${refusalText(body)}`, {
      details: { status },
    });
  };

  const read: CatalogClient['read'] = async (path, query = {}, blocking = {}) => {
    const isBlocking = blocking.index !== undefined && blocking.index > 0;
    const waitMs = blocking.waitMs ?? 5 * 60_000;
    const fullQuery: CatalogQuery = isBlocking
      ? { ...query, index: blocking.index, wait: formatWaitMs(waitMs) }
      : query;
    const answer = await send('GET', path, fullQuery, {
      deadlineMs: isBlocking ? waitMs + waitMs / 16 + blockingSlackMs : timeoutMs,
      signal: blocking.signal,
    });
    if (answer.status !== 200 && !(answer.status === 404 && blocking.isAbsentOk === true)) {
      return refuse(answer.status, answer.body, path);
    }
    const index = Number(answer.headers.get('x-consul-index') ?? '');
    return {
      status: answer.status === 200 ? 200 : 404,
      index: Number.isSafeInteger(index) && index > 0 ? index : 1,
      body: answer.body,
    };
  };

  return {
    baseUrl,
    read,
    async readJson<T>(
      path: string,
      query: CatalogQuery = {},
      blocking: BlockingOptions & { isAbsentOk?: boolean } = {},
    ) {
      const answer = await read(path, query, blocking);
      if (answer.status === 404) return { index: answer.index, value: undefined };
      try {
        return { index: answer.index, value: JSON.parse(new TextDecoder().decode(answer.body)) as T };
      } catch {
        throw new SlipwayError('UNAVAILABLE', `the catalog answered ${path} with something that is not JSON`);
      }
    },
    async write(method, path, query = {}, body) {
      const answer = await send(method, path, query, { body, deadlineMs: timeoutMs });
      if (answer.status !== 200) return refuse(answer.status, answer.body, path);
      const text = new TextDecoder().decode(answer.body).trim();
      if (text === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    },
  };
}
