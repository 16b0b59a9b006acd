/**
 * Store contract, deployment-rules part: rules per app or stack in position order, updates of their counters, removal
 * with their firings (and with their app or repository), and a (rule, commit) firing that is recorded only once.
 */
import { describe, expect, it } from 'vitest';
import type { DeploymentRuleRecord, GitRepositoryRecord, Store } from '@slipway/core';
import { api, production, project, staging, t0, web } from './store-contract-fixtures.js';

const repository: GitRepositoryRecord = {
  id: 'repo_01',
  projectId: project.id,
  name: 'shop',
  provider: 'github',
  url: 'https://git.example.com/acme/shop.git',
  authKind: 'none',
  publicKey: null,
  credential: null,
  createdAtMs: t0,
  updatedAtMs: t0,
};

const commitA = 'a'.repeat(40);
const commitB = 'b'.repeat(40);

const rule = (id: string, position: number, over: Partial<DeploymentRuleRecord> = {}): DeploymentRuleRecord => ({
  id,
  target: { kind: 'app', id: web.id },
  repositoryId: repository.id,
  position,
  refPattern: 'refs/heads/main',
  event: 'push',
  environmentId: production.id,
  isEnabled: true,
  triggerCount: 0,
  lastDeployedCommit: null,
  lastDeployedRef: null,
  lastTriggeredAtMs: null,
  createdAtMs: t0,
  updatedAtMs: t0,
  ...over,
});

/** Registers the deployment-rule tests; `store` returns the migrated, seeded store of the running test. */
export function describeDeploymentRuleContract(store: () => Store): void {
  describe('deployment rules', () => {
    const seed = async (): Promise<void> => {
      await store().gitRepositories.insert(repository);
      await store().deploymentRules.insert(
        rule('rul_02', 2, { refPattern: 'refs/heads/release/*', environmentId: staging.id }),
      );
      await store().deploymentRules.insert(rule('rul_01', 1));
      await store().deploymentRules.insert(
        rule('rul_03', 1, { target: { kind: 'app', id: api.id }, event: 'tag', refPattern: 'refs/tags/v*' }),
      );
      await store().deploymentRules.insert(
        rule('rul_04', 1, { target: { kind: 'stack', id: 'stk_01' }, environmentId: null, isEnabled: false }),
      );
    };

    it('round-trips rules and lists a target’s rules by position', async () => {
      await seed();
      expect(await store().deploymentRules.findById('rul_02')).toEqual(
        rule('rul_02', 2, { refPattern: 'refs/heads/release/*', environmentId: staging.id }),
      );
      expect((await store().deploymentRules.listByTarget({ kind: 'app', id: web.id })).map((r) => r.id)).toEqual([
        'rul_01',
        'rul_02',
      ]);
      expect(await store().deploymentRules.listByTarget({ kind: 'stack', id: 'stk_01' })).toEqual([
        rule('rul_04', 1, { target: { kind: 'stack', id: 'stk_01' }, environmentId: null, isEnabled: false }),
      ]);
      expect((await store().deploymentRules.listByRepository(repository.id)).map((r) => r.id)).toEqual([
        'rul_01',
        'rul_02',
        'rul_03',
        'rul_04',
      ]);
      expect(await store().deploymentRules.list()).toHaveLength(4);
      expect(await store().deploymentRules.findById('rul_99')).toBeUndefined();
    });

    it('updates what changes and keeps the target, the repository and the creation time', async () => {
      await seed();
      const updated = rule('rul_01', 3, {
        isEnabled: false,
        triggerCount: 7,
        lastDeployedCommit: commitA,
        lastDeployedRef: 'refs/heads/main',
        lastTriggeredAtMs: t0 + 5,
        updatedAtMs: t0 + 5,
      });
      await store().deploymentRules.update({ ...updated, target: { kind: 'app', id: api.id }, createdAtMs: 1 });
      expect(await store().deploymentRules.findById('rul_01')).toEqual(updated);
    });

    it('records a (rule, commit) firing once, and a second one changes nothing', async () => {
      await seed();
      const firing = {
        ruleId: 'rul_01',
        commit: commitA,
        ref: 'refs/heads/main',
        origin: 'github',
        deploymentIds: ['dep_01'],
        firedAtMs: t0,
      };
      expect(await store().deploymentRules.insertFiring(firing)).toBe(true);
      expect(
        await store().deploymentRules.insertFiring({ ...firing, deploymentIds: ['dep_02'], origin: 'reconcile' }),
      ).toBe(false);
      expect(await store().deploymentRules.findFiring('rul_01', commitA)).toEqual(firing);
      expect(await store().deploymentRules.findFiring('rul_01', commitB)).toBeUndefined();
      // An implicit rule has no row, and still records its firings.
      expect(await store().deploymentRules.insertFiring({ ...firing, ruleId: 'hosted-default:app_01:env_01' })).toBe(
        true,
      );
    });

    it('queues one firing per key: a newer one replaces it, and removal checks the commit or the time', async () => {
      await seed();
      const queued = {
        firingKey: 'rul_01',
        target: { kind: 'rule', ruleId: 'rul_01' } as const,
        ref: 'refs/heads/main',
        commit: commitA,
        origin: 'github',
        reason: 'DEPLOYMENT_IN_PROGRESS: busy',
        deferredAtMs: t0,
      };
      const rules = store().deploymentRules;
      await rules.deferFiring(queued);
      await rules.deferFiring({
        ...queued,
        firingKey: 'stack-default:stk_01',
        target: { kind: 'stack', stackId: 'stk_01' },
      });
      await rules.deferFiring({ ...queued, commit: commitB, deferredAtMs: t0 + 5 });
      expect(await rules.listDeferredFirings()).toEqual([
        { ...queued, firingKey: 'stack-default:stk_01', target: { kind: 'stack', stackId: 'stk_01' } },
        { ...queued, commit: commitB, deferredAtMs: t0 + 5 },
      ]);
      // The older commit's retry removes nothing: a newer push replaced it.
      await rules.deleteDeferredFiring('rul_01', commitA);
      expect(await rules.listDeferredFirings()).toHaveLength(2);
      await rules.deleteDeferredFiringQueuedBy('rul_01', t0 + 4);
      expect(await rules.listDeferredFirings()).toHaveLength(2);
      await rules.deleteDeferredFiringQueuedBy('rul_01', t0 + 5);
      await rules.deleteDeferredFiring('stack-default:stk_01', commitA);
      expect(await rules.listDeferredFirings()).toEqual([]);
      // Removing a rule removes what it had queued.
      await rules.deferFiring(queued);
      await rules.delete('rul_01');
      expect(await rules.listDeferredFirings()).toEqual([]);
    });

    it('removes a rule with its firings, a target’s rules, and an app’s or a repository’s rules with them', async () => {
      await seed();
      const firing = {
        ruleId: 'rul_01',
        commit: commitA,
        ref: 'refs/heads/main',
        origin: 'github',
        deploymentIds: [],
        firedAtMs: t0,
      };
      await store().deploymentRules.insertFiring(firing);
      expect(await store().deploymentRules.delete('rul_01')).toBe(true);
      expect(await store().deploymentRules.delete('rul_01')).toBe(false);
      expect(await store().deploymentRules.findFiring('rul_01', commitA)).toBeUndefined();
      await store().deploymentRules.deleteByTarget({ kind: 'stack', id: 'stk_01' });
      await store().deploymentRules.deleteByTarget({ kind: 'stack', id: 'stk_01' });
      expect(await store().deploymentRules.listByTarget({ kind: 'stack', id: 'stk_01' })).toEqual([]);
      await store().apps.delete(api.id);
      expect(await store().deploymentRules.findById('rul_03')).toBeUndefined();
      await store().gitRepositories.delete(repository.id);
      expect(await store().deploymentRules.list()).toEqual([]);
    });
  });
}
