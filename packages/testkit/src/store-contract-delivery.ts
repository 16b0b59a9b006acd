/** Store contract, delivery part: desired states (optimistic version) and rollout records (version, controls). */
import { describe, expect, it } from 'vitest';
import type { DesiredStateRecord, RolloutRecord, Store } from '@slipway/core';
import { production, rejection, staging, t0, web } from './store-contract-fixtures.js';

const desired = (over: Partial<DesiredStateRecord> = {}): DesiredStateRecord => ({
  appId: web.id,
  environmentId: production.id,
  targets: [
    { releaseId: 'rel_01', releaseNumber: 1, scale: { web: 2 }, weight: 90, matches: [], isPreview: false },
    {
      releaseId: 'rel_02',
      releaseNumber: 2,
      scale: { web: 1, worker: 1 },
      weight: 10,
      matches: [{ header: 'x-canary', value: 'yes', kind: 'exact' }],
      isPreview: true,
    },
  ],
  stickyCookie: 'slipway-release',
  version: 0,
  updatedAtMs: t0,
  ...over,
});

export const rolloutRecord = (id: string, over: Partial<RolloutRecord> = {}): RolloutRecord => ({
  id,
  deploymentId: `dep_${id}`,
  appId: web.id,
  environmentId: production.id,
  releaseId: 'rel_02',
  stableReleaseId: 'rel_01',
  strategy: 'rolling',
  phase: 'progressing',
  pauseReason: null,
  message: null,
  failureCode: null,
  stepIndex: 0,
  stepStartedAtMs: t0,
  gateState: null,
  control: { promote: null, pause: false, abort: false, by: null },
  deadlineAtMs: t0 + 600_000,
  pausedAtMs: null,
  createdAtMs: t0,
  updatedAtMs: t0,
  finishedAtMs: null,
  version: 1,
  ...over,
});

/** Registers the delivery tests; `store` returns the migrated, seeded store of the running test. */
export function describeDeliveryContract(store: () => Store): void {
  describe('desired states', () => {
    it('writes a first desired state at version 1, then replaces it only at the version read', async () => {
      expect(await store().desiredStates.find(web.id, production.id)).toBeUndefined();
      const first = await store().desiredStates.put(desired());
      expect(first.version).toBe(1);
      expect(await store().desiredStates.find(web.id, production.id)).toEqual(first);

      const next = await store().desiredStates.put({ ...first, targets: [], updatedAtMs: t0 + 5 });
      expect(next).toMatchObject({ version: 2, targets: [] });
      expect((await rejection(store().desiredStates.put({ ...first, updatedAtMs: t0 + 9 }))).code).toBe(
        'VERSION_CONFLICT',
      );
      expect((await rejection(store().desiredStates.put(desired()))).code).toBe('VERSION_CONFLICT');
      expect(await store().desiredStates.find(web.id, production.id)).toEqual(next);
    });

    it('keeps one desired state per app environment and deletes it idempotently', async () => {
      await store().desiredStates.put(desired());
      await store().desiredStates.put(desired({ environmentId: staging.id, targets: [], stickyCookie: null }));
      await store().desiredStates.delete(web.id, production.id);
      await store().desiredStates.delete(web.id, production.id);
      expect(await store().desiredStates.find(web.id, production.id)).toBeUndefined();
      expect((await store().desiredStates.find(web.id, staging.id))?.targets).toEqual([]);
      expect(await store().desiredStates.listScopes()).toEqual([{ appId: web.id, environmentId: staging.id }]);
    });
  });

  it("deletes an app's desired states and rollouts with the app", async () => {
    await store().desiredStates.put(desired());
    await store().rollouts.insert(rolloutRecord('rol_01'));
    await store().apps.delete(web.id);
    expect(await store().desiredStates.find(web.id, production.id)).toBeUndefined();
    expect(await store().rollouts.findById('rol_01')).toBeUndefined();
  });

  describe('rollouts', () => {
    it('round-trips a rollout, found by id and by deployment', async () => {
      const record = rolloutRecord('rol_01', { gateState: { startedAtMs: t0, measurements: [1, 2] } });
      await store().rollouts.insert(record);
      expect(await store().rollouts.findById('rol_01')).toEqual(record);
      expect(await store().rollouts.findByDeployment('dep_rol_01')).toEqual(record);
      expect(await store().rollouts.findById('rol_missing')).toBeUndefined();
      expect((await rejection(store().rollouts.insert(record))).code).toBe('VERSION_CONFLICT');
    });

    it('finds the active rollout of an app environment and lists them newest first', async () => {
      await store().rollouts.insert(rolloutRecord('rol_01', { phase: 'healthy', finishedAtMs: t0 + 1 }));
      await store().rollouts.insert(
        rolloutRecord('rol_02', { phase: 'paused', pauseReason: 'step', createdAtMs: t0 + 2 }),
      );
      await store().rollouts.insert(rolloutRecord('rol_03', { environmentId: staging.id, createdAtMs: t0 + 3 }));
      expect((await store().rollouts.findActive(web.id, production.id))?.id).toBe('rol_02');
      expect((await store().rollouts.listActive()).map((r) => r.id)).toEqual(['rol_02', 'rol_03']);
      expect((await store().rollouts.list(web.id, production.id, 10)).map((r) => r.id)).toEqual(['rol_02', 'rol_01']);
      expect((await store().rollouts.list(web.id, production.id, 1)).map((r) => r.id)).toEqual(['rol_02']);
      await store().rollouts.update(
        rolloutRecord('rol_02', { phase: 'aborted', failureCode: 'ROLLOUT_ABORTED', createdAtMs: t0 + 2 }),
      );
      expect(await store().rollouts.findActive(web.id, production.id)).toBeUndefined();
    });

    it('updates only at the version read, and names a missing rollout', async () => {
      await store().rollouts.insert(rolloutRecord('rol_01'));
      const next = await store().rollouts.update(rolloutRecord('rol_01', { stepIndex: 2 }));
      expect(next.version).toBe(2);
      expect(await store().rollouts.findById('rol_01')).toEqual(next);
      expect((await rejection(store().rollouts.update(rolloutRecord('rol_01', { stepIndex: 3 })))).code).toBe(
        'VERSION_CONFLICT',
      );
      expect((await rejection(store().rollouts.update(rolloutRecord('rol_missing')))).code).toBe('ROLLOUT_NOT_FOUND');
    });

    it('merges a control request without conflicting, and makes the next stale write conflict instead of losing it', async () => {
      await store().rollouts.insert(rolloutRecord('rol_01'));
      const read = await store().rollouts.findById('rol_01');
      const asked = await store().rollouts.requestControl('rol_01', { pause: true, by: 'alice' }, t0 + 1);
      const again = await store().rollouts.requestControl('rol_01', { promote: 'full' }, t0 + 2);
      expect(asked?.control).toEqual({ promote: null, pause: true, abort: false, by: 'alice' });
      expect(again?.control).toEqual({ promote: 'full', pause: true, abort: false, by: 'alice' });
      expect(await store().rollouts.requestControl('rol_missing', { abort: true }, t0)).toBeUndefined();
      if (read === undefined) throw new Error('no rollout read');
      expect((await rejection(store().rollouts.update({ ...read, stepIndex: 1 }))).code).toBe('VERSION_CONFLICT');
      expect((await store().rollouts.findById('rol_01'))?.control.promote).toBe('full');
    });
  });
}
