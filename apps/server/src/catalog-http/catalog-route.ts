/**
 * A catalog API route and what its handler receives and answers. Routes are matched by the decoded path (exact, or
 * a prefix whose tail is the handler's argument, as Consul's mux does), so `%2F` in a key never splits a route.
 */
import type { CatalogAccessLevel, CatalogAuthority, CatalogResource } from '@slipway/core';
import type { CatalogQuery } from './catalog-query.js';

export type CatalogMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface CatalogRequest {
  readonly method: CatalogMethod;
  readonly query: CatalogQuery;
  /** The decoded path after a prefix route's prefix (empty for an exact route). */
  readonly tail: string;
  /** The raw body (empty when none was sent). */
  readonly body: Buffer;
  readonly authority: CatalogAuthority;
  /** Aborted when the client goes away (a blocking query stops waiting). */
  readonly signal: AbortSignal;
  /** Refuses with 403 `Permission denied` unless the request's token may. */
  require(resource: CatalogResource, access: CatalogAccessLevel): void;
}

/** What a handler answers; `index` adds the query-meta headers (never 0). */
export type CatalogAnswer =
  | { kind: 'json'; value: unknown; index?: number; status?: number }
  /** JSON already serialized (a cached answer); `?pretty` re-indents it. */
  | { kind: 'json-bytes'; bytes: Buffer; index: number }
  | { kind: 'raw'; bytes: Uint8Array; index: number }
  | { kind: 'empty'; status?: number; index?: number }
  | { kind: 'text'; text: string; status?: number };

export interface CatalogRoute {
  /** `/v1/kv/` with `isPrefix`, or an exact path. */
  readonly path: string;
  readonly isPrefix: boolean;
  readonly methods: readonly CatalogMethod[];
  handle(request: CatalogRequest): Promise<CatalogAnswer> | CatalogAnswer;
}

export const json = (value: unknown, index?: number): CatalogAnswer =>
  index === undefined ? { kind: 'json', value } : { kind: 'json', value, index };
export const empty = (index?: number): CatalogAnswer =>
  index === undefined ? { kind: 'empty' } : { kind: 'empty', index };
export const notFound = (index?: number): CatalogAnswer =>
  index === undefined ? { kind: 'empty', status: 404 } : { kind: 'empty', status: 404, index };

/** Shorthand for a route's declaration. */
export function route(methods: readonly CatalogMethod[], path: string, handle: CatalogRoute['handle']): CatalogRoute {
  return { path, isPrefix: path.endsWith('/'), methods, handle };
}

/** Finds the route of a decoded path: an exact one first, then the longest prefix. */
export function matchRoute(
  routes: readonly CatalogRoute[],
  path: string,
): { routes: CatalogRoute[]; tail: string } | undefined {
  const exact = routes.filter((candidate) => !candidate.isPrefix && candidate.path === path);
  if (exact.length > 0) return { routes: exact, tail: '' };
  let best: { routes: CatalogRoute[]; tail: string } | undefined;
  let bestLength = -1;
  for (const candidate of routes) {
    if (!candidate.isPrefix) continue;
    const bare = candidate.path.slice(0, -1);
    let tail: string | undefined;
    if (path.startsWith(candidate.path)) tail = path.slice(candidate.path.length);
    else if (path === bare) tail = '';
    if (tail === undefined) continue;
    if (candidate.path.length > bestLength) {
      best = { routes: [candidate], tail };
      bestLength = candidate.path.length;
    } else if (candidate.path.length === bestLength && best !== undefined) {
      best.routes.push(candidate);
    }
  }
  return best;
}
