/**
 * The audit log's use cases: append (one transaction per record, and one append at a time in this process, so the
 * chain never forks), list, verify the whole chain from its anchor, and prune by age leaving a checkpoint that keeps
 * verification working.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { auditGenesisHash, checkAuditLink, sealAuditRecord, type ChainLink } from './audit-chain.js';
import type { AuditEntry, AuditFilter, AuditRecord } from './audit-records.js';

export interface AuditVerification {
  readonly isValid: boolean;
  readonly checked: number;
  readonly anchor: ChainLink;
  readonly lastSeq: number | null;
  readonly brokenAt?: { readonly seq: number; readonly reason: string };
}

export interface AuditLog {
  /** Seals and stores the entry as the next record. Errors: those of the store (the caller logs them). */
  append(entry: AuditEntry): Promise<AuditRecord>;
  list(filter: AuditFilter): Promise<AuditRecord[]>;
  /** Walks every stored record from the anchor (the genesis value, or the pruning checkpoint). */
  verify(): Promise<AuditVerification>;
  /** Deletes records older than `retentionMs`; returns how many. The last one deleted becomes the checkpoint. */
  prune(retentionMs: number): Promise<number>;
}

const verifyPageSize = 500;

export function createAuditLog(deps: { store: Store; clock: Clock; logger: Logger }): AuditLog {
  const { store, clock } = deps;
  let tail: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };

  const anchorOf = async (): Promise<ChainLink> => {
    const checkpoint = await store.audit.findCheckpoint();
    return checkpoint === undefined
      ? { seq: 0, hash: auditGenesisHash }
      : { seq: checkpoint.seq, hash: checkpoint.hash };
  };

  return {
    append: (entry) =>
      serialized(() =>
        store.transaction(async (tx) => {
          const last = await tx.audit.findLast();
          const checkpoint = last === undefined ? await tx.audit.findCheckpoint() : undefined;
          const previous: ChainLink = last ?? checkpoint ?? { seq: 0, hash: auditGenesisHash };
          const record = sealAuditRecord(previous.seq + 1, previous.hash, entry);
          await tx.audit.insert(record);
          return record;
        }),
      ),

    list: (filter) => store.audit.list(filter),

    async verify() {
      const anchor = await anchorOf();
      let previous: ChainLink = anchor;
      let checked = 0;
      for (;;) {
        const page = await store.audit.list({ afterSeq: previous.seq, limit: verifyPageSize });
        // Read by seq, not by position: a record moved below the last one read would be skipped, so each page
        // starts right after the previous record and a gap is reported by the link check.
        for (const record of page) {
          const check = checkAuditLink(previous, record);
          if (!check.isValid) {
            return {
              isValid: false,
              checked,
              anchor,
              lastSeq: previous.seq,
              brokenAt: { seq: record.seq, reason: check.reason },
            };
          }
          checked += 1;
          previous = record;
        }
        if (page.length < verifyPageSize) break;
      }
      const hidden = await store.audit.list({ limit: 1 });
      const first = hidden[0];
      if (first !== undefined && first.seq <= anchor.seq) {
        // A record at or below the anchor: the checkpoint was moved, or a record was renumbered below it.
        return {
          isValid: false,
          checked,
          anchor,
          lastSeq: previous.seq === anchor.seq ? null : previous.seq,
          brokenAt: {
            seq: first.seq,
            reason: `record ${first.seq} lies at or before the chain's anchor (${anchor.seq})`,
          },
        };
      }
      return { isValid: true, checked, anchor, lastSeq: previous.seq === anchor.seq ? null : previous.seq };
    },

    prune: (retentionMs) =>
      serialized(() =>
        store.transaction(async (tx) => {
          const nowMs = clock.nowMs();
          const throughSeq = await tx.audit.findLastSeqBefore(nowMs - retentionMs);
          if (throughSeq === undefined) return 0;
          const last = (await tx.audit.list({ afterSeq: throughSeq - 1, limit: 1 }))[0];
          if (last === undefined || last.seq !== throughSeq) return 0;
          const pruned = await tx.audit.prune({ seq: last.seq, hash: last.hash, prunedAtMs: nowMs });
          deps.logger.info({ pruned, checkpointSeq: last.seq }, 'audit log pruned');
          return pruned;
        }),
      ),
  };
}
