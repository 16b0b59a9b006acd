/**
 * KV writes into a draft, with Consul's rules (state/kvs.go): a write that changes nothing takes no index; a create
 * sets CreateIndex = ModifyIndex; an update keeps CreateIndex, the session and LockIndex; a delete leaves a tombstone
 * so the index a watcher of that key or a prefix of it sees rises; CAS, acquire and release as the reference says.
 */
import { kvMaxValueBytes, type KvDeleteRequest, type KvPutRequest } from './catalog.js';
import type { CatalogDraft } from './catalog-draft.js';
import type { KvEntry } from './catalog-records.js';
import { catalogRefusal } from './catalog-errors.js';
import { topicKeys } from './catalog-topics.js';

/** What KV writes need beyond the draft: the time, and the lock-delays in force. */
export interface KvWriteContext {
  nowMs(): number;
  /** Until when a key may not be acquired (a lock-delay), if one is in force. */
  lockDelayUntilMs(key: string): number | undefined;
}

interface EntryContent {
  value: Uint8Array | null;
  flags: number;
  session: string | null;
  lockIndex: number;
}

/** Writes a key's content; the same content writes nothing. Answers the entry as it now is. */
export function writeEntry(draft: CatalogDraft, key: string, given: EntryContent): KvEntry {
  const content = given.value !== null && given.value.byteLength === 0 ? { ...given, value: null } : given;
  const existing = draft.kv.get(key);
  if (existing && sameContent(existing, content)) return existing;
  const index = draft.writeIndex();
  const entry: KvEntry = {
    key,
    value: content.value,
    flags: content.flags,
    createIndex: existing ? existing.createIndex : index,
    modifyIndex: index,
    lockIndex: content.lockIndex,
    session: content.session,
  };
  draft.kv.set(key, entry);
  draft.tombstones.delete(key);
  draft.touch(topicKeys.key(key));
  return entry;
}

/** Deletes a key, leaving a tombstone; a missing key writes nothing. */
export function deleteEntry(draft: CatalogDraft, key: string, nowMs: number): void {
  if (!draft.kv.get(key)) return;
  const index = draft.writeIndex();
  draft.kv.delete(key);
  draft.tombstones.set(key, { key, modifyIndex: index, deletedAtMs: nowMs });
  draft.touch(topicKeys.key(key));
}

export function assertWritableKey(key: string): void {
  if (key === '') throw catalogRefusal('Missing key name', 400);
}

export function assertValue(value: Uint8Array | null, flags: number | undefined): void {
  if (value !== null && value.byteLength > kvMaxValueBytes) {
    throw catalogRefusal(`Value exceeds ${kvMaxValueBytes} byte limit`, 413);
  }
  if (flags !== undefined && (!Number.isSafeInteger(flags) || flags < 0)) throw catalogRefusal('Invalid flags', 400);
}

/** `PUT /v1/kv/<key>` with its `cas`, `acquire` and `release` variants. */
export function putKey(draft: CatalogDraft, request: KvPutRequest, context: KvWriteContext): boolean {
  assertWritableKey(request.key);
  assertValue(request.value, request.flags);
  const modes = [request.cas, request.acquire, request.release].filter((mode) => mode !== undefined);
  if (modes.length > 1) throw catalogRefusal('Conflicting flags', 400);
  const existing = draft.kv.get(request.key);
  const flags = request.flags ?? 0;
  if (request.acquire !== undefined) return lockKey(draft, request.key, request.value, flags, request.acquire, context);
  if (request.release !== undefined) return unlockKey(draft, request.key, request.value, flags, request.release);
  if (request.cas !== undefined && !casHolds(existing, request.cas)) return false;
  writeEntry(draft, request.key, {
    value: request.value,
    flags,
    session: existing?.session ?? null,
    lockIndex: existing?.lockIndex ?? 0,
  });
  return true;
}

/** `DELETE /v1/kv/<key>` with `recurse` or `cas`. */
export function deleteKey(draft: CatalogDraft, request: KvDeleteRequest, nowMs: number): boolean {
  if (request.isRecursive === true) {
    if (request.cas !== undefined) throw catalogRefusal('Conflicting flags', 400);
    for (const key of draft.kv.keysWithPrefix(request.key)) deleteEntry(draft, key, nowMs);
    return true;
  }
  assertWritableKey(request.key);
  const existing = draft.kv.get(request.key);
  if (request.cas !== undefined) {
    if (!existing) return true;
    if (existing.modifyIndex !== request.cas) return false;
  }
  deleteEntry(draft, request.key, nowMs);
  return true;
}

/** CAS: 0 holds only for a missing key; N only for an existing key at ModifyIndex N. */
export function casHolds(existing: KvEntry | undefined, cas: number): boolean {
  return cas === 0 ? existing === undefined : existing !== undefined && existing.modifyIndex === cas;
}

/**
 * Acquires a key's lock for a session (creating the key if needed). False while another session holds it or during
 * its lock-delay; the holder acquiring again only updates the value. LockIndex counts new acquisitions.
 */
export function lockKey(
  draft: CatalogDraft,
  key: string,
  value: Uint8Array | null,
  flags: number,
  sessionId: string,
  context: KvWriteContext,
): boolean {
  assertWritableKey(key);
  if (!draft.sessions.get(sessionId)) throw catalogRefusal(`invalid session "${sessionId}"`, 500);
  const existing = draft.kv.get(key);
  if (existing?.session === sessionId) {
    writeEntry(draft, key, { value, flags, session: sessionId, lockIndex: existing.lockIndex });
    return true;
  }
  if (existing?.session) return false;
  const delayUntilMs = context.lockDelayUntilMs(key);
  if (delayUntilMs !== undefined && delayUntilMs > context.nowMs()) return false;
  writeEntry(draft, key, { value, flags, session: sessionId, lockIndex: (existing?.lockIndex ?? 0) + 1 });
  return true;
}

/** Releases a key's lock held by the session, writing the value; false when the session does not hold it. */
export function unlockKey(
  draft: CatalogDraft,
  key: string,
  value: Uint8Array | null,
  flags: number,
  sessionId: string,
): boolean {
  assertWritableKey(key);
  const existing = draft.kv.get(key);
  if (!existing || existing.session !== sessionId) return false;
  writeEntry(draft, key, { value, flags, session: null, lockIndex: existing.lockIndex });
  return true;
}

function sameContent(entry: KvEntry, content: EntryContent): boolean {
  return (
    entry.flags === content.flags &&
    entry.session === content.session &&
    entry.lockIndex === content.lockIndex &&
    sameBytes(entry.value, content.value)
  );
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
