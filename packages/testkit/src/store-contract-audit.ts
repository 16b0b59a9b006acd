/** Store contract, audit part: chained records keyed by seq, filters, the refused second writer, pruning's checkpoint. */
import { describe, expect, it } from 'vitest';
import { auditGenesisHash, sealAuditRecord, type AuditEntry, type AuditRecord, type Store } from '@slipway/core';
import { rejection, t0 } from './store-contract-fixtures.js';

const alice = {
  kind: 'user',
  userId: 'usr_a',
  name: 'alice',
  credentialKind: 'session',
  credentialId: 'ses_a',
} as const;
const anonymous = {
  kind: 'anonymous',
  userId: null,
  name: 'anonymous',
  credentialKind: null,
  credentialId: null,
} as const;

const entry = (atMs: number, action: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  atMs,
  kind: 'request',
  actor: alice,
  action,
  target: { kind: 'app', id: 'web' },
  sourceIp: '127.0.0.1',
  requestId: `req_${atMs}`,
  outcome: 'success',
  errorCode: null,
  details: { status: 200, path: '/api/v1/apps/:app' },
  ...over,
});

/** Appends sealed records 1…n, each linked to the one before. */
async function appendChain(store: Store, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let previousHash = auditGenesisHash;
  for (const [index, item] of entries.entries()) {
    const record = sealAuditRecord(index + 1, previousHash, item);
    await store.audit.insert(record);
    records.push(record);
    previousHash = record.hash;
  }
  return records;
}

/** Registers the audit tests; `store` returns the migrated, seeded store of the running test. */
export function describeAuditContract(store: () => Store): void {
  describe('audit records', () => {
    it('round-trips records and finds the last by seq', async () => {
      expect(await store().audit.findLast()).toBeUndefined();
      const records = await appendChain(store(), [
        entry(t0, 'apps.create'),
        entry(t0 + 1, 'auth.login.failed', {
          kind: 'event',
          actor: anonymous,
          target: null,
          sourceIp: null,
          requestId: null,
          outcome: 'failed',
          errorCode: 'UNAUTHENTICATED',
          details: { username: 'bob' },
        }),
      ]);
      expect(await store().audit.findLast()).toEqual(records[1]);
      expect(await store().audit.list({ limit: 10 })).toEqual(records);
    });

    it('refuses a second record with a seq already taken, so the chain cannot fork', async () => {
      const [first] = await appendChain(store(), [entry(t0, 'apps.create')]);
      const fork = sealAuditRecord(1, auditGenesisHash, entry(t0 + 5, 'apps.delete'));
      expect((await rejection(store().audit.insert(fork))).code).toBe('VERSION_CONFLICT');
      expect(await store().audit.list({ limit: 10 })).toEqual([first]);
    });

    it('filters by time, actor (name, user id or credential id), exact action or prefix, and after a seq', async () => {
      await appendChain(store(), [
        entry(t0, 'apps.create'),
        entry(t0 + 10, 'auth.login.succeeded', { kind: 'event' }),
        entry(t0 + 20, 'auth.logout', { actor: anonymous }),
        entry(t0 + 30, 'authz.other'),
        entry(t0 + 40, 'apps.delete'),
      ]);
      const seqs = async (filter: Parameters<Store['audit']['list']>[0]) =>
        (await store().audit.list(filter)).map((record) => record.seq);
      expect(await seqs({ sinceMs: t0 + 10, untilMs: t0 + 40, limit: 10 })).toEqual([2, 3, 4]);
      expect(await seqs({ actor: 'alice', limit: 10 })).toEqual([1, 2, 4, 5]);
      expect(await seqs({ actor: 'usr_a', limit: 10 })).toEqual([1, 2, 4, 5]);
      expect(await seqs({ actor: 'ses_a', limit: 2 })).toEqual([1, 2]);
      expect(await seqs({ action: 'apps.delete', limit: 10 })).toEqual([5]);
      expect(await seqs({ action: 'auth.', limit: 10 })).toEqual([2, 3]);
      expect(await seqs({ afterSeq: 3, limit: 10 })).toEqual([4, 5]);
      expect(await seqs({ order: 'newest-first', limit: 2 })).toEqual([5, 4]);
      expect(await seqs({ order: 'newest-first', beforeSeq: 4, limit: 2 })).toEqual([3, 2]);
      expect(await seqs({ order: 'newest-first', actor: 'alice', limit: 3 })).toEqual([5, 4, 2]);
      expect(await store().audit.findLastSeqBefore(t0 + 25)).toBe(3);
      expect(await store().audit.findLastSeqBefore(t0)).toBeUndefined();
    });

    it('prunes a prefix and keeps the last pruned record as the checkpoint, replacing an older one', async () => {
      const records = await appendChain(store(), [
        entry(t0, 'a.one'),
        entry(t0 + 1, 'a.two'),
        entry(t0 + 2, 'a.three'),
      ]);
      expect(await store().audit.findCheckpoint()).toBeUndefined();
      expect(await store().audit.prune({ seq: 1, hash: records[0]!.hash, prunedAtMs: t0 + 100 })).toBe(1);
      expect(await store().audit.prune({ seq: 2, hash: records[1]!.hash, prunedAtMs: t0 + 200 })).toBe(1);
      expect(await store().audit.findCheckpoint()).toEqual({ seq: 2, hash: records[1]!.hash, prunedAtMs: t0 + 200 });
      expect(await store().audit.list({ limit: 10 })).toEqual([records[2]]);
    });
  });
}
