/**
 * `/v1/kv/<key>`: get, recurse, keys (with a separator), raw, put with flags, CAS, lock acquire/release, delete and
 * recursive delete. Values are the request's bytes as sent; a key is the decoded path tail.
 */
import { catalogKeyIssue } from '@slipway/contract';
import type { KvEntry, KvPutRequest } from '@slipway/core';
import { blockingRead } from './blocking-read.js';
import { badRequest } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { parseIndex, type CatalogQuery } from './catalog-query.js';
import { entryListAnswer, singleEntryAnswer } from './catalog-mappers.js';
import { json, notFound, route, type CatalogAnswer, type CatalogRequest, type CatalogRoute } from './catalog-route.js';

/** Consul's `Conflicting flags: <query>` (Go's `url.Values.Encode`: keys sorted). */
function conflictingFlags(query: CatalogQuery): never {
  const sorted = new URLSearchParams([...query.params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  throw badRequest(`Conflicting flags: ${sorted.toString()}`);
}

/** Keys are any non-empty text, except a leading `/` or a `..` segment (the rule of `catalogKeyIssue`). */
function checkKeyName(key: string): void {
  if (key === '') throw badRequest('Missing key name');
  if (catalogKeyIssue(key) !== undefined) throw badRequest(`Invalid key name: ${JSON.stringify(key.slice(0, 128))}`);
}

function optionalIndex(query: CatalogQuery, name: string, message: string): number | undefined {
  if (!query.has(name)) return undefined;
  return parseIndex(query.get(name) ?? '', message);
}

export function kvRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  const { catalog } = env;
  const count = (operation: string): void => env.metrics?.kvOperation(operation);
  const blocking = { onWaiting: (delta: 1 | -1) => env.metrics?.blockingWaiters(delta) };

  async function get(request: CatalogRequest): Promise<CatalogAnswer> {
    const { query, tail: key, authority } = request;
    if (query.has('keys')) {
      count('keys');
      const separator = query.get('separator') ?? query.get('seperator');
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'prefix', prefix: key }],
        () => catalog.kvKeys(key, separator === '' ? undefined : separator),
        blocking,
      );
      const keys = listed.value.filter((name) => authority.canSeeKey(name));
      if (keys.length === 0 && key !== '') return notFound(listed.index);
      return json(keys, listed.index);
    }
    if (query.has('recurse')) {
      count('list');
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'prefix', prefix: key }],
        () => catalog.kvList(key),
        blocking,
      );
      const entries = listed.value.filter((entry) => authority.canSeeKey(entry.key));
      if (entries.length === 0) return notFound(listed.index);
      return { kind: 'json-bytes', bytes: entryListAnswer(entries), index: listed.index };
    }
    if (key === '') throw badRequest('Missing key name');
    request.require({ kind: 'key', key }, 'read');
    count('get');
    const found = await blockingRead<KvEntry | undefined>(
      catalog,
      request,
      [{ kind: 'key', key }],
      () => catalog.kvGet(key),
      blocking,
    );
    const entry = found.value;
    if (entry === undefined) return notFound(found.index);
    if (query.has('raw')) return { kind: 'raw', bytes: entry.value ?? new Uint8Array(), index: found.index };
    return { kind: 'json-bytes', bytes: singleEntryAnswer(entry), index: found.index };
  }

  async function put(request: CatalogRequest): Promise<CatalogAnswer> {
    const { query, tail: key } = request;
    checkKeyName(key);
    if (query.has('cas') && (query.has('acquire') || query.has('release'))) conflictingFlags(query);
    if (query.has('acquire') && query.has('release')) conflictingFlags(query);
    const flags = optionalIndex(query, 'flags', 'Invalid flags');
    const cas = optionalIndex(query, 'cas', 'Invalid cas index');
    request.require({ kind: 'key', key }, 'write');
    if (query.has('acquire') || query.has('release')) request.require({ kind: 'session' }, 'write');
    const putRequest: KvPutRequest = {
      key,
      value: request.body.length === 0 ? null : new Uint8Array(request.body),
      ...(flags === undefined ? {} : { flags }),
      ...(cas === undefined ? {} : { cas }),
    };
    const acquire = query.get('acquire');
    const release = query.get('release');
    if (acquire !== undefined) {
      if (acquire === '') throw badRequest('Missing session');
      putRequest.acquire = acquire;
    }
    if (release !== undefined) {
      if (release === '') throw badRequest('Missing session');
      putRequest.release = release;
    }
    count(acquire !== undefined ? 'acquire' : release !== undefined ? 'release' : cas !== undefined ? 'cas' : 'put');
    const done = await catalog.kvPut(putRequest);
    return json(done.value);
  }

  async function remove(request: CatalogRequest): Promise<CatalogAnswer> {
    const { query, tail: key } = request;
    const isRecursive = query.has('recurse');
    if (isRecursive && query.has('cas')) conflictingFlags(query);
    if (!isRecursive) checkKeyName(key);
    const cas = optionalIndex(query, 'cas', 'Invalid cas index');
    request.require(isRecursive ? { kind: 'key-prefix', prefix: key } : { kind: 'key', key }, 'write');
    count('delete');
    const done = await catalog.kvDelete({
      key,
      ...(isRecursive ? { isRecursive } : {}),
      ...(cas === undefined ? {} : { cas }),
    });
    return json(done.value);
  }

  return [route(['GET'], '/v1/kv/', get), route(['PUT'], '/v1/kv/', put), route(['DELETE'], '/v1/kv/', remove)];
}
