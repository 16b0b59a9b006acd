/**
 * `PUT /v1/txn`: Consul's KV transaction, all or nothing: 200 `{Results, Errors: null}` when every operation held,
 * 409 `{Results: null, Errors: [{OpIndex, What}]}` when one failed (nothing written), 413 over the operation limit.
 */
import { catalogKeyIssue } from '@slipway/contract';
import { kvMaxValueBytes, txnMaxOperations, type TxnKvOp } from '@slipway/core';
import { badRequest, CatalogHttpError } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { dirEntryOf } from './catalog-mappers.js';
import { json, route, type CatalogRequest, type CatalogRoute } from './catalog-route.js';
import { JsonFields } from './json-body.js';

const kvFields = ['Verb', 'Key', 'Value', 'Flags', 'Index', 'Session', 'Namespace', 'Partition'];
const parseFailed = (what: string): CatalogHttpError => badRequest(`Failed to parse body: ${what}`);

function valueOf(fields: JsonFields, key: string): Uint8Array | null {
  const text = fields.string('Value');
  if (text === undefined || text === '') return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw parseFailed('Value is not base64');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > kvMaxValueBytes) {
    throw new CatalogHttpError(413, `Value for key "${key}" is too large (${bytes.length} > ${kvMaxValueBytes} bytes)`);
  }
  return new Uint8Array(bytes);
}

/** One `{"KV": {...}}` operation as the engine's. */
function opOf(item: unknown): TxnKvOp {
  const wrapper = new JsonFields(item, ['KV', 'Node', 'Service', 'Check', 'Session']);
  if (!wrapper.has('KV')) throw parseFailed('only KV operations are supported');
  const kv = wrapper.object('KV', kvFields);
  if (kv === undefined) throw parseFailed('missing KV operation');
  const verb = kv.string('Verb') ?? '';
  const key = kv.string('Key') ?? '';
  const flags = kv.integer('Flags');
  const index = kv.integer('Index') ?? 0;
  const session = kv.string('Session') ?? '';
  const withFlags = flags === undefined ? {} : { flags };
  switch (verb) {
    case 'set':
      return { verb, key, value: valueOf(kv, key), ...withFlags };
    case 'cas':
      return { verb, key, value: valueOf(kv, key), ...withFlags, index };
    case 'lock':
    case 'unlock':
      return { verb, key, value: valueOf(kv, key), ...withFlags, session };
    case 'get':
    case 'get-tree':
    case 'check-not-exists':
    case 'delete':
    case 'delete-tree':
      return { verb, key };
    case 'check-index':
    case 'delete-cas':
      return { verb, key, index };
    case 'check-session':
      return { verb, key, session };
    default:
      throw parseFailed(`unknown KV verb ${JSON.stringify(verb.slice(0, 32))}`);
  }
}

/**
 * Why an operation's key is refused (Consul's `Must provide key`, or the KV routes' rule: no leading `/`, no `..`
 * segment), or undefined; a tree's prefix may be anything, the empty one included.
 */
function keyRefusal(op: TxnKvOp): string | undefined {
  if (op.verb === 'get-tree' || op.verb === 'delete-tree') return undefined;
  if (op.key === '') return 'Must provide key';
  return catalogKeyIssue(op.key) === undefined
    ? undefined
    : `Invalid key name: ${JSON.stringify(op.key.slice(0, 128))}`;
}

const isWrite = (op: TxnKvOp): boolean =>
  !['get', 'get-tree', 'check-index', 'check-session', 'check-not-exists'].includes(op.verb);

export function txnRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  async function txn(request: CatalogRequest) {
    let items: unknown;
    try {
      items = JSON.parse(request.body.toString('utf8') || 'null');
    } catch {
      throw parseFailed('the body is not valid JSON');
    }
    if (!Array.isArray(items)) throw parseFailed('the body must be a list of operations');
    if (items.length > txnMaxOperations) {
      throw new CatalogHttpError(
        413,
        `Transaction contains too many operations (${items.length} > ${txnMaxOperations})`,
      );
    }
    const ops = items.map(opOf);
    for (const op of ops) {
      const resource =
        op.verb === 'get-tree' || op.verb === 'delete-tree'
          ? { kind: 'key-prefix' as const, prefix: op.key }
          : { kind: 'key' as const, key: op.key };
      request.require(resource, isWrite(op) ? 'write' : 'read');
    }
    // A key the KV routes refuse is refused here too, as Consul's txn refuses an empty one: 409, nothing written.
    const keyErrors = ops.flatMap((op, opIndex) => {
      const what = keyRefusal(op);
      return what === undefined ? [] : [{ OpIndex: opIndex, What: what }];
    });
    if (keyErrors.length > 0) {
      return { kind: 'json' as const, status: 409, value: { Results: null, Errors: keyErrors } };
    }
    env.metrics?.kvOperation('txn');
    const result = await env.catalog.txn(ops);
    if (!result.ok) {
      return {
        kind: 'json' as const,
        status: 409,
        value: { Results: null, Errors: result.errors.map((error) => ({ OpIndex: error.opIndex, What: error.what })) },
      };
    }
    return json({ Results: result.results.map((entry) => ({ KV: dirEntryOf(entry) })), Errors: null }, result.index);
  }
  return [route(['PUT'], '/v1/txn', txn)];
}
