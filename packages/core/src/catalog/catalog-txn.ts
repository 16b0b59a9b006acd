/**
 * `PUT /v1/txn`'s KV half, with Consul's semantics (state/txn.go): the operations run in order, each seeing the
 * ones before it; every failing operation is reported with its position and Consul's words, and then nothing is
 * written. Results: a `get` answers the entry with its value, `get-tree` every entry under the prefix, a write or a
 * check the entry without its value, a delete nothing.
 */
import { kvMaxValueBytes, txnMaxOperations, type TxnKvOp, type TxnResult } from './catalog.js';
import type { CatalogDraft } from './catalog-draft.js';
import type { KvEntry } from './catalog-records.js';
import { catalogRefusal } from './catalog-errors.js';
import { casHolds, deleteEntry, lockKey, unlockKey, writeEntry, type KvWriteContext } from './kv-writes.js';

/** Refuses a transaction before it runs: too many operations, or a value over the limit (Consul answers 413). */
export function assertTxnAdmissible(ops: readonly TxnKvOp[]): void {
  if (ops.length > txnMaxOperations) {
    throw catalogRefusal(`Transaction contains too many operations (${ops.length} > ${txnMaxOperations})`, 413);
  }
  for (const op of ops) {
    if (!('value' in op) || op.value === null || op.value.byteLength <= kvMaxValueBytes) continue;
    throw catalogRefusal(
      `Value for key "${op.key}" is too large (${op.value.byteLength} > ${kvMaxValueBytes} bytes)`,
      413,
    );
  }
}

/** Runs the transaction in the draft; on any error, takes back everything it wrote and answers the errors. */
export function runTxn(draft: CatalogDraft, ops: readonly TxnKvOp[], context: KvWriteContext): TxnResult {
  const mark = draft.mark();
  const results: KvEntry[] = [];
  const errors: { opIndex: number; what: string }[] = [];
  ops.forEach((op, opIndex) => {
    try {
      const what = runOp(draft, op, context, results);
      if (what !== undefined) errors.push({ opIndex, what });
    } catch (error) {
      errors.push({ opIndex, what: error instanceof Error ? error.message : String(error) });
    }
  });
  if (errors.length > 0) {
    draft.rollback(mark);
    return { ok: false, errors };
  }
  return { ok: true, results, index: draft.hasWriteIndex() ? draft.writeIndex() : draft.lastIndex };
}

/** Runs one operation; answers Consul's error text when it fails. */
function runOp(draft: CatalogDraft, op: TxnKvOp, context: KvWriteContext, results: KvEntry[]): string | undefined {
  const existing = draft.kv.get(op.key);
  switch (op.verb) {
    case 'set':
      results.push(withoutValue(writeEntry(draft, op.key, contentOf(op.value, op.flags, existing))));
      return undefined;
    case 'cas':
      if (!casHolds(existing, op.index)) return `failed to set key ${quote(op.key)}, index is stale`;
      results.push(withoutValue(writeEntry(draft, op.key, contentOf(op.value, op.flags, existing))));
      return undefined;
    case 'lock':
      if (!lockKey(draft, op.key, op.value, op.flags ?? 0, op.session, context)) {
        return `failed to lock key ${quote(op.key)}, lock is already held`;
      }
      results.push(withoutValue(draft.kv.get(op.key) as KvEntry));
      return undefined;
    case 'unlock':
      if (!unlockKey(draft, op.key, op.value, op.flags ?? 0, op.session)) {
        return `failed to unlock key ${quote(op.key)}, lock isn't held, or is held by another session`;
      }
      results.push(withoutValue(draft.kv.get(op.key) as KvEntry));
      return undefined;
    case 'get':
      if (!existing) return `key ${quote(op.key)} doesn't exist`;
      results.push(existing);
      return undefined;
    case 'get-tree':
      for (const key of draft.kv.keysWithPrefix(op.key)) results.push(draft.kv.get(key) as KvEntry);
      return undefined;
    case 'check-index':
      if (!existing) return `key ${quote(op.key)} doesn't exist`;
      if (existing.modifyIndex !== op.index) return `current modify index ${existing.modifyIndex} != ${op.index}`;
      results.push(withoutValue(existing));
      return undefined;
    case 'check-session':
      if (!existing) return `key ${quote(op.key)} doesn't exist`;
      if (existing.session !== op.session)
        return `current session ${quote(existing.session ?? '')} != ${quote(op.session)}`;
      results.push(withoutValue(existing));
      return undefined;
    case 'check-not-exists':
      if (existing) return `key ${quote(op.key)} exists`;
      return undefined;
    case 'delete':
      deleteEntry(draft, op.key, context.nowMs());
      return undefined;
    case 'delete-tree':
      for (const key of draft.kv.keysWithPrefix(op.key)) deleteEntry(draft, key, context.nowMs());
      return undefined;
    case 'delete-cas':
      if (!existing) return undefined;
      if (existing.modifyIndex !== op.index) return `failed to delete key ${quote(op.key)}, index is stale`;
      deleteEntry(draft, op.key, context.nowMs());
      return undefined;
  }
}

function contentOf(value: Uint8Array | null, flags: number | undefined, existing: KvEntry | undefined) {
  return { value, flags: flags ?? 0, session: existing?.session ?? null, lockIndex: existing?.lockIndex ?? 0 };
}

function withoutValue(entry: KvEntry): KvEntry {
  return { ...entry, value: null };
}

/** Go's `%q` for the keys Consul quotes (JSON string escaping is the same for printable text). */
function quote(text: string): string {
  return JSON.stringify(text);
}
