/** The persistence of the audit log: chained records and the pruning checkpoint; part of the `Store` port. */
import type { AuditCheckpoint, AuditFilter, AuditRecord } from '../audit/audit-records.js';

export interface AuditRepository {
  /**
   * Stores a sealed record. Errors: `VERSION_CONFLICT` when its seq is taken (a second writer raced this one: the
   * chain never forks).
   */
  insert(record: AuditRecord): Promise<void>;
  /** The record with the highest seq. */
  findLast(): Promise<AuditRecord | undefined>;
  /** Records matching the filter in seq order, at most `filter.limit`. */
  list(filter: AuditFilter): Promise<AuditRecord[]>;
  /** The highest seq of the records stored before `beforeMs` (`atMs < beforeMs`). */
  findLastSeqBefore(beforeMs: number): Promise<number | undefined>;
  /** The checkpoint the oldest kept record links to, when records were pruned. */
  findCheckpoint(): Promise<AuditCheckpoint | undefined>;
  /** Deletes every record with seq ≤ `checkpoint.seq` and stores `checkpoint` in place of the previous one. */
  prune(checkpoint: AuditCheckpoint): Promise<number>;
}
