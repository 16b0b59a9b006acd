/**
 * What a catalog request says besides its body: the path tail percent-decoded as a whole (clients encode `/` in keys
 * as `%2F`), presence flags (`?recurse` and `?recurse=false` both recurse), the blocking parameters (`index` as a
 * uint64 kept below 2^53, `wait` as a Go duration), the datacenter, the consistency mode, and the token.
 */
import { badRequest, CatalogHttpError } from './catalog-http-error.js';
import { parseGoDurationMs } from './go-duration.js';

/** Consul's blocking wait: 5 minutes unless asked, never more than 10 (agent/structs `MaxQueryTime`). */
export const defaultWaitMs = 5 * 60_000;
export const maxWaitMs = 10 * 60_000;

export interface CatalogQuery {
  /** The decoded path (`/v1/kv/a/x/1` for `/v1/kv/a%2Fx%2F1`). */
  readonly path: string;
  readonly params: URLSearchParams;
  /** A presence flag: true when the parameter is there, whatever its value. */
  has(name: string): boolean;
  /** The first value, or undefined. */
  get(name: string): string | undefined;
  /** `?index=N`: 0 when absent (no blocking). */
  readonly index: number;
  /** `?wait=`: the asked wait in ms, capped; the default when absent. */
  readonly waitMs: number;
  readonly isPretty: boolean;
}

const maxSafeIndex = 2 ** 53;

/** Parses a Consul index (a uint64): digits only, and below 2^53 so that it stays exact in JavaScript. */
export function parseIndex(text: string, message = 'Invalid index'): number {
  if (!/^\d{1,20}$/.test(text)) throw badRequest(message);
  const value = Number(text);
  if (value >= maxSafeIndex) throw badRequest(message);
  return value;
}

/** Go's `strconv.ParseBool`, as Consul reads `?passing` and `?enable`. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new CatalogHttpError(400, `invalid URL escape in path`);
  }
}

/** Reads a request's URL (as sent: `request.raw.url`) and refuses what Consul refuses before any handler runs. */
export function parseCatalogQuery(rawUrl: string, datacenter: string): CatalogQuery {
  const queryStart = rawUrl.indexOf('?');
  const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const params = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
  const path = decodePath(rawPath);
  const get = (name: string): string | undefined => params.get(name) ?? undefined;
  const has = (name: string): boolean => params.has(name);

  const dc = get('dc');
  if (dc !== undefined && dc !== '' && dc !== datacenter) throw new CatalogHttpError(500, 'No path to datacenter');
  if (has('stale') && has('consistent')) {
    throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  }
  const indexText = get('index');
  const index = indexText === undefined || indexText === '' ? 0 : parseIndex(indexText);
  const waitText = get('wait');
  let waitMs = defaultWaitMs;
  if (waitText !== undefined && waitText !== '') {
    const parsed = parseGoDurationMs(waitText);
    if (parsed === undefined || parsed < 0) throw badRequest('Invalid wait time');
    waitMs = Math.min(parsed, maxWaitMs);
  }
  return { path, params, has, get, index, waitMs, isPretty: has('pretty') };
}

/**
 * The token of a request: `X-Consul-Token`, then `Authorization: Bearer`, then `?token=` (Consul's order). Never
 * logged, never echoed.
 */
export function tokenOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  query: CatalogQuery,
): string | undefined {
  const header = headers['x-consul-token'];
  const consulToken = Array.isArray(header) ? header[0] : header;
  if (consulToken !== undefined && consulToken !== '') return consulToken;
  const authorization = headers.authorization;
  const auth = Array.isArray(authorization) ? authorization[0] : authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1] !== undefined) return match[1];
  }
  const fromQuery = query.get('token');
  return fromQuery === undefined || fromQuery === '' ? undefined : fromQuery;
}
