import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Clock,
  auditGenesisHash,
  checkAuditLink,
  sealAuditRecord,
  createAuditLog,
  type AuditLog,
  type AuditEntry,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const dayMs = 24 * 3_600_000;
const anonymous = {
  kind: 'anonymous',
  userId: null,
  name: 'anonymous',
  credentialKind: null,
  credentialId: null,
} as const;

const entry = (atMs: number, action = 'apps.create', details: Record<string, unknown> = {}): AuditEntry => ({
  atMs,
  kind: 'request',
  actor: anonymous,
  action,
  target: null,
  sourceIp: '127.0.0.1',
  requestId: null,
  outcome: 'success',
  errorCode: null,
  details,
});

describe('audit log', () => {
  let harness: CoreHarness;
  let nowMs: number;
  let log: AuditLog;
  const clock: Clock = { nowMs: () => nowMs, sleep: async () => undefined };

  beforeEach(async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
    nowMs = 1_800_000_000_000;
    log = createAuditLog({ store: harness.store, clock, logger: harness.deps.logger });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('numbers concurrent appends 1…n, each linked to the one before, and verifies the chain', async () => {
    const records = await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(entry(nowMs + i))));
    expect(records.map((record) => record.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const stored = await log.list({ limit: 100 });
    expect(stored[0]?.prevHash).toBe(auditGenesisHash);
    for (let i = 1; i < stored.length; i += 1) expect(stored[i]?.prevHash).toBe(stored[i - 1]?.hash);
    expect(await log.verify()).toEqual({
      isValid: true,
      checked: 40,
      anchor: { seq: 0, hash: auditGenesisHash },
      lastSeq: 40,
    });
  });

  it('finds a modified, a missing and a reordered record by the link check', () => {
    const first = sealAuditRecord(1, auditGenesisHash, entry(1));
    const second = sealAuditRecord(2, first.hash, entry(2));
    const third = sealAuditRecord(3, second.hash, entry(3));
    expect(checkAuditLink({ seq: 0, hash: auditGenesisHash }, first)).toEqual({ isValid: true });
    expect(checkAuditLink(first, { ...second, action: 'apps.delete' })).toMatchObject({ isValid: false });
    const gap = checkAuditLink(first, third);
    const moved = checkAuditLink(first, { ...third, seq: 2 });
    expect(gap.isValid ? '' : gap.reason).toContain('sequence gap');
    expect(moved.isValid ? '' : moved.reason).toContain('broken link');
  });

  it('prunes records older than the retention and still verifies from the checkpoint, and appends after it', async () => {
    for (let day = 0; day < 5; day += 1) await log.append(entry(nowMs + day * dayMs));
    nowMs += 5 * dayMs;
    expect(await log.prune(2.5 * dayMs)).toBe(3);
    const afterPrune = await log.verify();
    expect(afterPrune).toMatchObject({ isValid: true, checked: 2, lastSeq: 5, anchor: { seq: 3 } });
    await log.append(entry(nowMs));
    expect(await log.verify()).toMatchObject({ isValid: true, checked: 3, lastSeq: 6 });
    expect(await log.prune(100 * dayMs)).toBe(0);
  });

  it('appends after pruning everything by linking to the checkpoint', async () => {
    await log.append(entry(nowMs));
    nowMs += 2 * dayMs;
    expect(await log.prune(dayMs)).toBe(1);
    expect(await log.verify()).toMatchObject({ isValid: true, checked: 0, lastSeq: null, anchor: { seq: 1 } });
    expect((await log.append(entry(nowMs))).seq).toBe(2);
    expect(await log.verify()).toMatchObject({ isValid: true, checked: 1, lastSeq: 2 });
  });
});
