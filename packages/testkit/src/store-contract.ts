/**
 * The Store contract: one Vitest suite that every Store (SQLite, PostgreSQL, in-memory fakes) runs, so they agree on
 * round trips, ordering, errors, release numbering, lease fencing and transactions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '@slipway/core';
import { describeApprovalContract } from './store-contract-approvals.js';
import { describeAuditContract } from './store-contract-audit.js';
import { describeCatalogContract } from './store-contract-catalog.js';
import { describeCatalogAclContract } from './store-contract-catalog-acl.js';
import { describeGitRepositoryContract } from './store-contract-repositories.js';
import { describeDeploymentRuleContract } from './store-contract-deployment-rules.js';
import {
  api,
  appEnvironment,
  deployment,
  job,
  phase,
  production,
  project,
  rejection,
  release,
  route,
  staging,
  t0,
  web,
} from './store-contract-fixtures.js';
import { describeDeliveryContract } from './store-contract-delivery.js';
import { describeHostClaimContract } from './store-contract-hosts.js';
import { describeIdentityContract } from './store-contract-identities.js';
import { describeJobContract } from './store-contract-jobs.js';
import { describeNotificationContract } from './store-contract-notifications.js';
import { describeAlertContract } from './store-contract-alerts.js';
import { describePreviewContract } from './store-contract-previews.js';
import { describeRolloutContract } from './store-contract-rollout.js';
import { describeSecretContract } from './store-contract-secrets.js';
import { describeWebhookContract } from './store-contract-webhooks.js';
import { describeStackContract } from './store-contract-stacks.js';
import { describeMetricSampleContract } from './store-contract-metric-samples.js';

/** Registers the Store contract suite; `create` must return a fresh, empty store each time (the suite migrates it). */
export function describeStore(name: string, create: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await create();
      await store.migrate();
      await store.projects.insert(project);
      await store.environments.insert(production);
      await store.environments.insert(staging);
      await store.apps.insert(web);
      await store.apps.insert(api);
    });

    afterEach(async () => {
      await store.close();
    });

    const current = () => store;

    it('migrates idempotently, keeping what is stored', async () => {
      await store.migrate();
      expect(await store.projects.findById(project.id)).toEqual(project);
    });

    describeCatalogContract(current);
    describeRolloutContract(current);
    describeJobContract(current);
    describeSecretContract(current);
    describeIdentityContract(current);
    describeAuditContract(current);
    describeHostClaimContract(current);
    describeNotificationContract(current);
    describeAlertContract(current);
    describeApprovalContract(current);
    describeDeliveryContract(current);
    describeCatalogAclContract(current);
    describeGitRepositoryContract(current);
    describePreviewContract(current);
    describeDeploymentRuleContract(current);
    describeWebhookContract(current);
    describeStackContract(current);
    describeMetricSampleContract(current);

    describe('transactions', () => {
      it('commits every write of the work together and returns its result', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.appEnvironments.insert(appEnvironment());
          await tx.releases.insert(release('rel_01', 1));
          await tx.deployments.insert(deployment('dep_01'));
          await tx.jobs.enqueue(job('job_01', 'dep_01'));
          const event = await tx.events.append({ deploymentId: 'dep_01', type: 'log', payload: {}, atMs: t0 });
          expect(await tx.releases.nextNumber(web.id, production.id)).toBe(2);
          expect(await tx.deployments.findById('dep_01')).toEqual(deployment('dep_01'));
          return event.seq;
        });
        expect(typeof result).toBe('number');
        expect(await store.appEnvironments.find(web.id, production.id)).toEqual(appEnvironment());
        expect(await store.releases.findById('rel_01')).toEqual(release('rel_01', 1));
        await store.transaction(async (tx) => tx.releases.insert(release('rel_02', 2, { runtimePrefix: null })));
        expect((await store.releases.findById('rel_02'))?.runtimePrefix).toBeNull();
        expect(await store.jobs.findByDeployment('dep_01')).toBeDefined();
        expect(await store.events.list('dep_01', 0, 10)).toHaveLength(1);
      });

      it('rolls back every write when the work throws, and rethrows the same error', async () => {
        const boom = new Error('boom');
        const outcome = store.transaction(async (tx) => {
          await tx.apps.insert({ id: 'app_03', projectId: project.id, name: 'mobile', createdAtMs: t0 });
          await tx.releases.insert(release('rel_01', 1));
          await tx.deployments.insert(deployment('dep_01'));
          await tx.phases.append(phase('dep_01', 1));
          await tx.events.append({ deploymentId: 'dep_01', type: 'log', payload: {}, atMs: t0 });
          await tx.routes.replaceForApp(web.id, production.id, [route('rte_01')]);
          await tx.apps.delete(api.id);
          throw boom;
        });
        await expect(outcome).rejects.toBe(boom);
        expect(await store.apps.list()).toEqual([api, web]);
        expect(await store.releases.nextNumber(web.id, production.id)).toBe(1);
        expect(await store.deployments.findById('dep_01')).toBeUndefined();
        expect(await store.routes.list()).toEqual([]);
      });

      it('rolls back earlier writes when a store call inside fails', async () => {
        const outcome = store.transaction(async (tx) => {
          await tx.apps.insert({ id: 'app_03', projectId: project.id, name: 'mobile', createdAtMs: t0 });
          await tx.apps.insert({ id: 'app_04', projectId: project.id, name: 'web', createdAtMs: t0 });
        });
        expect((await rejection(outcome)).code).toBe('APP_ALREADY_EXISTS');
        expect(await store.apps.findByName('mobile')).toBeUndefined();
      });
    });
  });
}
