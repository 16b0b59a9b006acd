/**
 * The audit log's hash chain: the canonical form of a record (a JSON array of its fields in a fixed order), its hash
 * (SHA-256 hex of that form, which includes the previous hash), and the walk that finds the first broken link.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from './audit-records.js';

/** The anchor of a chain nothing was ever pruned from: the hash the first record (seq 1) links to. */
export const auditGenesisHash = createHash('sha256').update('slipway audit log genesis v1').digest('hex');

/** Fixed field order, so the same record always gives the same bytes; `details` keys are sorted. */
export function canonicalAuditForm(seq: number, prevHash: string, entry: AuditEntry): string {
  const { actor, target } = entry;
  return JSON.stringify([
    'v1',
    seq,
    prevHash,
    entry.atMs,
    entry.kind,
    [actor.kind, actor.userId, actor.name, actor.credentialKind, actor.credentialId],
    entry.action,
    target === null ? null : [target.kind, target.id],
    entry.sourceIp,
    entry.requestId,
    entry.outcome,
    entry.errorCode,
    sortKeys(entry.details),
  ]);
}

/** Seals an entry as record `seq`, linked to `prevHash`. */
export function sealAuditRecord(seq: number, prevHash: string, entry: AuditEntry): AuditRecord {
  const hash = createHash('sha256')
    .update(canonicalAuditForm(seq, prevHash, entry))
    .digest('hex');
  return { ...entry, seq, prevHash, hash };
}

export interface ChainLink {
  readonly seq: number;
  readonly hash: string;
}

export type ChainCheck = { readonly isValid: true } | { readonly isValid: false; readonly reason: string };

/**
 * Checks one record against the link before it: the seq follows on, the record names the previous hash, and its own
 * hash matches its content. A modified record fails the last test, a deleted one the first, a reordered one the
 * second.
 */
export function checkAuditLink(previous: ChainLink, record: AuditRecord): ChainCheck {
  if (record.seq !== previous.seq + 1) {
    return {
      isValid: false,
      reason: `sequence gap: record ${record.seq} follows ${previous.seq} (a record is missing or was moved)`,
    };
  }
  if (record.prevHash !== previous.hash) {
    return {
      isValid: false,
      reason: `broken link: the record does not name the hash of record ${previous.seq} (a record was replaced, removed or reordered)`,
    };
  }
  if (sealAuditRecord(record.seq, record.prevHash, record).hash !== record.hash) {
    return { isValid: false, reason: 'content changed: the record no longer matches its hash' };
  }
  return { isValid: true };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
