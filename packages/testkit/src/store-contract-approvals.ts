/**
 * Store contract, environments and approvals part: strategy overrides and approval policies per app environment,
 * approval requests (one per gate key, settled once), decisions (one per request and user), a deployment's author,
 * and deleting one app environment with everything under it.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRequestRecord, Store } from '@slipway/core';
import {
  api,
  appEnvironment,
  deployment,
  instance,
  phase,
  production,
  rejection,
  release,
  route,
  staging,
  t0,
  web,
} from './store-contract-fixtures.js';

const request = (id: string, over: Partial<ApprovalRequestRecord> = {}): ApprovalRequestRecord => ({
  id,
  appId: web.id,
  environmentId: production.id,
  deploymentId: 'dep_01',
  purpose: 'deployment',
  gateKey: `deployment:${over.deploymentId ?? 'dep_01'}:${id}`,
  releaseId: 'rel_01',
  releaseNumber: 1,
  ref: 'refs/heads/main',
  commit: 'abc123',
  requestedBy: 'alice',
  rules: {
    requiredApprovals: 2,
    approvers: [{ kind: 'role', id: 'admin' }],
    preventSelfApproval: true,
    waitTimerMs: 0,
    timeoutMs: 3_600_000,
  },
  state: 'pending',
  reason: null,
  createdAtMs: t0,
  notBeforeMs: t0,
  expiresAtMs: t0 + 3_600_000,
  decidedAtMs: null,
  ...over,
});

/** Registers the environments-and-approvals tests; `store` returns the migrated, seeded store of the running test. */
export function describeApprovalContract(store: () => Store): void {
  describe('environments and approvals', () => {
    const seed = async (): Promise<void> => {
      await store().appEnvironments.insert(appEnvironment());
      await store().releases.insert(release('rel_01', 1));
      await store().deployments.insert(deployment('dep_01', { releaseId: 'rel_01', requestedBy: 'alice' }));
    };

    it("keeps a deployment's author, and writes it only once", async () => {
      await seed();
      expect((await store().deployments.findById('dep_01'))?.requestedBy).toBe('alice');
      const { requestedBy: _author, ...withoutAuthor } = deployment('dep_01', {
        releaseId: 'rel_01',
        state: 'running',
      });
      await store().deployments.update(withoutAuthor);
      expect((await store().deployments.findById('dep_01'))?.requestedBy).toBe('alice');
      await store().deployments.insert(deployment('dep_02'));
      expect((await store().deployments.findById('dep_02'))?.requestedBy).toBeUndefined();
    });

    it('puts, replaces and deletes (idempotently) an environment strategy and an approval policy', async () => {
      await seed();
      const strategy = {
        appId: web.id,
        environmentId: production.id,
        strategy: { type: 'recreate' as const, progressDeadlineSeconds: 600 },
        updatedAtMs: t0,
      };
      await store().environmentStrategies.put(strategy);
      await store().environmentStrategies.put({ ...strategy, updatedAtMs: t0 + 1 });
      expect(await store().environmentStrategies.find(web.id, production.id)).toEqual({
        ...strategy,
        updatedAtMs: t0 + 1,
      });
      expect(await store().environmentStrategies.find(web.id, staging.id)).toBeUndefined();
      await store().environmentStrategies.delete(web.id, production.id);
      await store().environmentStrategies.delete(web.id, production.id);
      expect(await store().environmentStrategies.find(web.id, production.id)).toBeUndefined();

      const policy = {
        appId: web.id,
        environmentId: production.id,
        requiredApprovals: 2,
        approvers: [
          { kind: 'user' as const, id: 'bob' },
          { kind: 'role' as const, id: 'admin' as const },
        ],
        preventSelfApproval: true,
        waitTimerMs: 300_000,
        timeoutMs: 72 * 3_600_000,
        refPatterns: ['refs/heads/release/*'],
        updatedAtMs: t0,
      };
      await store().approvalPolicies.put(policy);
      expect(await store().approvalPolicies.find(web.id, production.id)).toEqual(policy);
      await store().approvalPolicies.put({ ...policy, preventSelfApproval: false, approvers: [] });
      expect(await store().approvalPolicies.find(web.id, production.id)).toEqual({
        ...policy,
        preventSelfApproval: false,
        approvers: [],
      });
      await store().approvalPolicies.delete(web.id, production.id);
      await store().approvalPolicies.delete(web.id, production.id);
      expect(await store().approvalPolicies.find(web.id, production.id)).toBeUndefined();
    });

    it('stores one request per gate key, lists them newest first by filter, and settles a pending one only once', async () => {
      await seed();
      await store().approvalRequests.insert(request('apr_01', { gateKey: 'deployment:dep_01' }));
      const duplicate = await rejection(
        store().approvalRequests.insert(request('apr_02', { gateKey: 'deployment:dep_01' })),
      );
      expect(duplicate.code).toBe('VALIDATION_FAILED');
      expect(duplicate.details).toMatchObject({ conflict: 'gateKey' });
      await store().approvalRequests.insert(
        request('apr_03', {
          gateKey: 'rollout:rol_01:2',
          purpose: 'rollout-step',
          createdAtMs: t0 + 5,
          ref: null,
          commit: null,
          requestedBy: null,
          releaseNumber: null,
          releaseId: null,
        }),
      );
      expect(await store().approvalRequests.findById('apr_01')).toEqual(
        request('apr_01', { gateKey: 'deployment:dep_01' }),
      );
      expect(await store().approvalRequests.findByGateKey('rollout:rol_01:2')).toMatchObject({
        id: 'apr_03',
        ref: null,
      });
      expect(await store().approvalRequests.findById('apr_02')).toBeUndefined();
      const ids = (records: ApprovalRequestRecord[]) => records.map((r) => r.id);
      expect(ids(await store().approvalRequests.list({}, 10))).toEqual(['apr_03', 'apr_01']);
      expect(ids(await store().approvalRequests.list({ appId: api.id }, 10))).toEqual([]);
      expect(
        ids(
          await store().approvalRequests.list(
            { appId: web.id, environmentId: production.id, deploymentId: 'dep_01' },
            1,
          ),
        ),
      ).toEqual(['apr_03']);
      expect(ids(await store().approvalRequests.list({ states: [] }, 10))).toEqual([]);

      expect(
        await store().approvalRequests.settle('apr_01', {
          state: 'approved',
          reason: 'approved by bob',
          decidedAtMs: t0 + 9,
        }),
      ).toBe(true);
      expect(
        await store().approvalRequests.settle('apr_01', {
          state: 'rejected',
          reason: 'too late',
          decidedAtMs: t0 + 10,
        }),
      ).toBe(false);
      expect(await store().approvalRequests.findById('apr_01')).toMatchObject({
        state: 'approved',
        reason: 'approved by bob',
        decidedAtMs: t0 + 9,
      });
      expect(ids(await store().approvalRequests.list({ states: ['pending'] }, 10))).toEqual(['apr_03']);
      expect(
        await store().approvalRequests.settle('apr_missing', { state: 'expired', reason: null, decidedAtMs: t0 }),
      ).toBe(false);
    });

    it('keeps one decision per request and user, in the order they were made', async () => {
      await seed();
      await store().approvalRequests.insert(request('apr_01'));
      const decision = {
        requestId: 'apr_01',
        actorUserId: 'usr_b',
        actor: 'bob',
        decision: 'approve' as const,
        comment: null,
        atMs: t0 + 2,
      };
      await store().approvalDecisions.insert(decision);
      await store().approvalDecisions.insert({
        ...decision,
        actorUserId: 'usr_c',
        actor: 'carol',
        decision: 'reject',
        comment: 'not today',
        atMs: t0 + 1,
      });
      const again = await rejection(store().approvalDecisions.insert({ ...decision, decision: 'reject' }));
      expect(again.code).toBe('VALIDATION_FAILED');
      expect(again.details).toMatchObject({ conflict: 'actor' });
      expect(await store().approvalDecisions.listByRequest('apr_01')).toEqual([
        { ...decision, actorUserId: 'usr_c', actor: 'carol', decision: 'reject', comment: 'not today', atMs: t0 + 1 },
        decision,
      ]);
      expect(await store().approvalDecisions.listByRequest('apr_none')).toEqual([]);
    });

    it('deletes one app environment with everything under it, leaving the app in its other environments', async () => {
      await seed();
      await store().phases.append(phase('dep_01', 1));
      await store().instances.insert(instance('ins_01', { releaseId: 'rel_01' }));
      await store().routes.replaceForApp(web.id, production.id, [route('rte_01')]);
      await store().approvalRequests.insert(request('apr_01'));
      await store().approvalDecisions.insert({
        requestId: 'apr_01',
        actorUserId: 'usr_b',
        actor: 'bob',
        decision: 'approve',
        comment: null,
        atMs: t0,
      });
      await store().approvalPolicies.put({
        appId: web.id,
        environmentId: production.id,
        requiredApprovals: 1,
        approvers: [],
        preventSelfApproval: true,
        waitTimerMs: 0,
        timeoutMs: 1,
        refPatterns: [],
        updatedAtMs: t0,
      });
      await store().environmentStrategies.put({
        appId: web.id,
        environmentId: production.id,
        strategy: { type: 'recreate', progressDeadlineSeconds: 600 },
        updatedAtMs: t0,
      });
      const kept = { appId: web.id, environmentId: staging.id };
      await store().appEnvironments.insert(appEnvironment(kept));
      await store().releases.insert(release('rel_s1', 1, kept));
      await store().deployments.insert(deployment('dep_s1', kept));

      await store().transaction((tx) => tx.appEnvironments.delete(web.id, production.id));
      await store().appEnvironments.delete(web.id, production.id);

      expect(await store().appEnvironments.find(web.id, production.id)).toBeUndefined();
      expect(await store().releases.findById('rel_01')).toBeUndefined();
      expect(await store().deployments.findById('dep_01')).toBeUndefined();
      expect(await store().phases.list('dep_01')).toEqual([]);
      expect(await store().instances.list({ appId: web.id, environmentId: production.id })).toEqual([]);
      expect(await store().routes.listByApp(web.id, production.id)).toEqual([]);
      expect(await store().approvalRequests.findById('apr_01')).toBeUndefined();
      expect(await store().approvalDecisions.listByRequest('apr_01')).toEqual([]);
      expect(await store().approvalPolicies.find(web.id, production.id)).toBeUndefined();
      expect(await store().environmentStrategies.find(web.id, production.id)).toBeUndefined();
      expect(await store().appEnvironments.find(web.id, staging.id)).toEqual(appEnvironment(kept));
      expect(await store().releases.findById('rel_s1')).toBeDefined();
      expect(await store().deployments.findById('dep_s1')).toBeDefined();
      expect(await store().releases.nextNumber(web.id, production.id)).toBe(1);
    });

    it('deletes an environment no app environment uses any more', async () => {
      await store().environments.delete(staging.id);
      await store().environments.delete(staging.id);
      expect(await store().environments.findById(staging.id)).toBeUndefined();
      expect((await store().environments.listByProject(production.projectId)).map((e) => e.name)).toEqual([
        'production',
      ]);
    });
  });
}
