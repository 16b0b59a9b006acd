/** Store contract, notifications part: targets with and without sealed parts, the outbox's due order, attempts. */
import { describe, expect, it } from 'vitest';
import type { DeliveryEvent, NotificationDeliveryRecord, NotificationTargetRecord, Store } from '@slipway/core';
import { production, project, rejection, staging, t0, web } from './store-contract-fixtures.js';

const webhookTarget: NotificationTargetRecord = {
  id: 'ntf_01',
  projectId: project.id,
  environmentId: production.id,
  kind: 'webhook',
  destination: 'https://hooks.example.com',
  events: ['deployment.failed', 'rollout.aborted'],
  sealed: {
    dataKeyId: 'dk_n1',
    wrappedKey: 'd3JhcHBlZA==',
    masterKeyId: 'mk_1',
    nonce: 'bm9uY2U=',
    ciphertext: 'Y3Q=',
  },
  createdAtMs: t0,
};
const emailTarget: NotificationTargetRecord = {
  id: 'ntf_02',
  projectId: project.id,
  environmentId: null,
  kind: 'email',
  destination: 'ops@example.com',
  events: ['deployment.succeeded'],
  sealed: null,
  createdAtMs: t0 + 1,
};

const event = (id: string): DeliveryEvent => ({
  id,
  kind: 'deployment.failed',
  projectId: project.id,
  environmentId: production.id,
  appId: web.id,
  app: web.name,
  environment: production.name,
  deploymentId: 'dep_01',
  releaseNumber: 3,
  message: 'Deployment dep_01 of web in production failed in rollout: HEALTH_CHECK_FAILED: no answer',
  atMs: t0,
});

const delivery = (id: string, over: Partial<NotificationDeliveryRecord> = {}): NotificationDeliveryRecord => ({
  id,
  targetId: webhookTarget.id,
  targetKind: 'webhook',
  destination: webhookTarget.destination,
  projectId: project.id,
  event: event(`evt_${id}`),
  state: 'pending',
  attempts: 0,
  nextAttemptAtMs: t0,
  createdAtMs: t0,
  updatedAtMs: t0,
  ...over,
});

/** Registers the notification tests; `store` returns the migrated, seeded store of the running test. */
export function describeNotificationContract(store: () => Store): void {
  describe('notifications', () => {
    it('round-trips targets, lists them by project in creation order and deletes them once', async () => {
      await store().notifications.insertTarget(webhookTarget);
      await store().notifications.insertTarget(emailTarget);
      expect(await store().notifications.findTarget('ntf_01')).toEqual(webhookTarget);
      expect(await store().notifications.findTarget('ntf_02')).toEqual(emailTarget);
      expect(await store().notifications.findTarget('ntf_missing')).toBeUndefined();
      expect(await store().notifications.listTargets(project.id)).toEqual([webhookTarget, emailTarget]);
      expect(await store().notifications.listTargets()).toHaveLength(2);
      expect(await store().notifications.listTargets('prj_other')).toEqual([]);

      expect(await store().notifications.deleteTarget('ntf_01')).toBe(true);
      expect(await store().notifications.deleteTarget('ntf_01')).toBe(false);
      expect(await store().notifications.listTargets(project.id)).toEqual([emailTarget]);
    });

    it('lists due pending deliveries earliest first and finds the earliest next attempt', async () => {
      expect(await store().notifications.findNextDueAtMs()).toBeUndefined();
      await store().notifications.insertDelivery(delivery('ndl_01', { nextAttemptAtMs: t0 + 50 }));
      await store().notifications.insertDelivery(delivery('ndl_02', { nextAttemptAtMs: t0 + 10 }));
      await store().notifications.insertDelivery(
        delivery('ndl_03', { state: 'delivered', attempts: 1, nextAttemptAtMs: null }),
      );
      await store().notifications.insertDelivery(delivery('ndl_04', { nextAttemptAtMs: t0 + 5_000 }));

      expect((await store().notifications.listDue(t0 + 100, 10)).map((d) => d.id)).toEqual(['ndl_02', 'ndl_01']);
      expect((await store().notifications.listDue(t0 + 100, 1)).map((d) => d.id)).toEqual(['ndl_02']);
      expect(await store().notifications.listDue(t0, 10)).toEqual([]);
      expect(await store().notifications.findNextDueAtMs()).toBe(t0 + 10);
      expect(await store().notifications.findDelivery('ndl_01')).toEqual(
        delivery('ndl_01', { nextAttemptAtMs: t0 + 50 }),
      );

      const failed = delivery('ndl_02', { state: 'failed', attempts: 5, nextAttemptAtMs: null, updatedAtMs: t0 + 9 });
      await store().notifications.updateDelivery(failed);
      expect(await store().notifications.findDelivery('ndl_02')).toEqual(failed);
      expect(await store().notifications.findNextDueAtMs()).toBe(t0 + 50);
    });

    it('refuses a second delivery with the same id', async () => {
      await store().notifications.insertDelivery(delivery('ndl_01'));
      expect(await rejection(store().notifications.insertDelivery(delivery('ndl_01')))).toMatchObject({
        code: 'VERSION_CONFLICT',
      });
    });

    it('filters deliveries by project and state, newest first, within the limit', async () => {
      await store().notifications.insertDelivery(delivery('ndl_01', { createdAtMs: t0 }));
      await store().notifications.insertDelivery(
        delivery('ndl_02', { createdAtMs: t0 + 1, state: 'failed', nextAttemptAtMs: null }),
      );
      await store().notifications.insertDelivery(delivery('ndl_03', { createdAtMs: t0 + 2 }));
      const ids = async (filter: Parameters<Store['notifications']['listDeliveries']>[0]) =>
        (await store().notifications.listDeliveries(filter)).map((d) => d.id);
      expect(await ids({ limit: 10 })).toEqual(['ndl_03', 'ndl_02', 'ndl_01']);
      expect(await ids({ limit: 2 })).toEqual(['ndl_03', 'ndl_02']);
      expect(await ids({ state: 'failed', limit: 10 })).toEqual(['ndl_02']);
      expect(await ids({ projectId: project.id, state: 'pending', limit: 10 })).toEqual(['ndl_03', 'ndl_01']);
      expect(await ids({ projectId: 'prj_other', limit: 10 })).toEqual([]);
    });

    it('stores attempts in order, refuses a seq twice, and lists them per delivery', async () => {
      await store().notifications.insertDelivery(delivery('ndl_01'));
      await store().notifications.insertDelivery(delivery('ndl_02'));
      const attempt = (deliveryId: string, seq: number, outcome: 'delivered' | 'failed') => ({
        deliveryId,
        seq,
        atMs: t0 + seq,
        outcome,
        detail:
          outcome === 'failed' ? 'https://hooks.example.com answered HTTP 500 Internal Server Error' : 'HTTP 200 OK',
        durationMs: 12,
      });
      await store().notifications.appendAttempt(attempt('ndl_01', 1, 'failed'));
      await store().notifications.appendAttempt(attempt('ndl_01', 2, 'delivered'));
      await store().notifications.appendAttempt(attempt('ndl_02', 1, 'failed'));
      expect(await rejection(store().notifications.appendAttempt(attempt('ndl_01', 2, 'failed')))).toMatchObject({
        code: 'VERSION_CONFLICT',
      });
      expect(await store().notifications.listAttempts(['ndl_01'])).toEqual([
        attempt('ndl_01', 1, 'failed'),
        attempt('ndl_01', 2, 'delivered'),
      ]);
      expect(await store().notifications.listAttempts(['ndl_01', 'ndl_02'])).toHaveLength(3);
      expect(await store().notifications.listAttempts([])).toEqual([]);
    });

    it('lists sealed targets wrapped by another master key and re-wraps one only while it is wrapped by the expected key', async () => {
      await store().notifications.insertTarget(webhookTarget);
      await store().notifications.insertTarget(emailTarget);
      expect(await store().notifications.listTargetsNotWrappedBy('mk_1', 10)).toEqual([]);
      expect((await store().notifications.listTargetsNotWrappedBy('mk_2', 10)).map((t) => t.id)).toEqual(['ntf_01']);

      const wrapped = { wrappedKey: 'bmV3', masterKeyId: 'mk_2' };
      expect(await store().notifications.rewrapTarget('ntf_01', 'mk_0', wrapped)).toBe(false);
      expect(await store().notifications.rewrapTarget('ntf_01', 'mk_1', wrapped)).toBe(true);
      expect(await store().notifications.rewrapTarget('ntf_01', 'mk_1', wrapped)).toBe(false);
      expect((await store().notifications.findTarget('ntf_01'))?.sealed).toEqual({
        ...webhookTarget.sealed,
        ...wrapped,
      });
      expect(await store().notifications.listTargetsNotWrappedBy('mk_2', 10)).toEqual([]);
    });

    it('keeps a target for all environments apart from one for a single environment', async () => {
      await store().notifications.insertTarget({ ...webhookTarget, environmentId: staging.id });
      await store().notifications.insertTarget(emailTarget);
      const [first, second] = await store().notifications.listTargets(project.id);
      expect(first?.environmentId).toBe(staging.id);
      expect(second?.environmentId).toBeNull();
    });
  });
}
