/**
 * The dashboard's KV edits: put and delete, always with a CAS index, so an edit made on a value someone has changed
 * since it was read is refused (`KV_CAS_CONFLICT`, naming the key's index now) rather than silently overwriting it.
 * Decided by the caller's catalog authority, as the Consul API decides its writes.
 */
import {
  SlipwayError,
  base64Value,
  catalogKeyIssue,
  catalogValueMaxBytes,
  type CatalogKvEntryView,
} from '@slipway/contract';
import type { CatalogAuthority } from './catalog-access.js';
import { catalogDenied, kvEntryView, kvKeyNotFound } from './catalog-browse.js';
import type { Catalog } from './catalog.js';

export type CatalogKvEditor = Pick<Catalog, 'kvGet' | 'kvPut' | 'kvDelete'>;

function assertKeyName(key: string): void {
  const issue = catalogKeyIssue(key);
  if (issue !== undefined) {
    throw new SlipwayError('VALIDATION_FAILED', `the key ${issue}`, { details: { issues: [{ path: 'key', issue }] } });
  }
}

function tooLarge(sizeBytes: number): SlipwayError {
  return new SlipwayError(
    'KV_VALUE_TOO_LARGE',
    `the value is ${sizeBytes} bytes; a catalog value may have at most ${catalogValueMaxBytes}`,
    { details: { sizeBytes, maxBytes: catalogValueMaxBytes } },
  );
}

/** The bytes of a value as sent. Errors: `KV_VALUE_TOO_LARGE`, `VALIDATION_FAILED` for base64 that is not. */
function valueBytes(value: string, encoding: 'utf8' | 'base64'): Uint8Array {
  if (encoding === 'utf8') {
    const bytes = new TextEncoder().encode(value);
    if (bytes.byteLength > catalogValueMaxBytes) throw tooLarge(bytes.byteLength);
    return bytes;
  }
  // Measured on the text first: a huge value costs no decoding to refuse.
  const sizeBytes = Math.floor((value.length * 3) / 4) - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
  if (sizeBytes > catalogValueMaxBytes) throw tooLarge(sizeBytes);
  const decoded = base64Value.safeParse(value);
  if (!decoded.success) {
    const issue = decoded.error.issues[0]?.message ?? 'is not base64';
    throw new SlipwayError('VALIDATION_FAILED', `the value ${issue}`, {
      details: { issues: [{ path: 'value', issue }] },
    });
  }
  return decoded.data;
}

function casConflict(catalog: CatalogKvEditor, key: string, cas: number): SlipwayError {
  const now = catalog.kvGet(key).value;
  const message =
    now === undefined
      ? `"${key}" was deleted since it was read (at index ${cas})`
      : cas === 0
        ? `"${key}" already exists (index ${now.modifyIndex})`
        : `"${key}" changed since it was read: its index is ${now.modifyIndex}, the edit was made on ${cas}`;
  return new SlipwayError('KV_CAS_CONFLICT', message, {
    details: { key, cas, modifyIndex: now?.modifyIndex ?? null },
  });
}

/**
 * Writes a key if its ModifyIndex is still `cas` (0: only if absent); keeps its flags. Answers the entry as stored.
 * Errors: `VALIDATION_FAILED`, `CATALOG_PERMISSION_DENIED`, `KV_VALUE_TOO_LARGE`, `KV_CAS_CONFLICT`.
 */
export async function putCatalogKv(
  catalog: CatalogKvEditor,
  authority: CatalogAuthority,
  body: { key: string; value: string; encoding: 'utf8' | 'base64'; cas: number },
): Promise<CatalogKvEntryView> {
  const { key, cas } = body;
  assertKeyName(key);
  if (!authority.can({ kind: 'key', key }, 'write')) throw catalogDenied(authority, 'write', `key "${key}"`);
  const value = valueBytes(body.value, body.encoding);
  const flags = catalog.kvGet(key).value?.flags;
  const done = await catalog.kvPut({ key, value, cas, ...(flags === undefined ? {} : { flags }) });
  if (!done.value) throw casConflict(catalog, key, cas);
  const stored = catalog.kvGet(key).value;
  // Deleted between the write and this read: the write happened, and the page reads it again when told.
  if (stored === undefined) throw kvKeyNotFound(key);
  return kvEntryView(stored, authority);
}

/** Deletes a key if its ModifyIndex is still `cas`. Errors: `CATALOG_PERMISSION_DENIED`, `KV_KEY_NOT_FOUND`, `KV_CAS_CONFLICT`. */
export async function deleteCatalogKv(
  catalog: CatalogKvEditor,
  authority: CatalogAuthority,
  query: { key: string; cas: number },
): Promise<void> {
  const { key, cas } = query;
  if (!authority.can({ kind: 'key', key }, 'write')) throw catalogDenied(authority, 'write', `key "${key}"`);
  if (catalog.kvGet(key).value === undefined) throw kvKeyNotFound(key);
  const done = await catalog.kvDelete({ key, cas });
  if (!done.value) throw casConflict(catalog, key, cas);
}
