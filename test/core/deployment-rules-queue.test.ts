/**
 * A push whose environment is busy (a deployment still runs there) is queued under its rule, over real adapters
 * (SQLite): the newest queued commit deploys once the running deployment ends; a newer push replaces it, a direct
 * deploy or a disabled rule drops it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addDeploymentRule,
  handleGitEvent,
  listDeploymentRules,
  retryDeferredFirings,
  setDeploymentRuleEnabled,
} from '@slipway/core';
import type { CoreHarness } from './core-harness.js';
import {
  commitA,
  commitB,
  commitC,
  commitD,
  commitE,
  createRulesFixture,
  type RulesFixture,
} from './deployment-rules-fixtures.js';

describe('deployment rules: a push to a busy environment', () => {
  let fixture: RulesFixture;
  let harness: CoreHarness;
  const push = (ref: string, after: string) => fixture.push(ref, after);
  const deploymentsOf = (environment: string) => fixture.deploymentsOf(environment);

  beforeEach(async () => {
    fixture = await createRulesFixture();
    harness = fixture.harness;
  });

  afterEach(async () => {
    await harness.close();
  });

  it('queues a push whose environment is busy: the newest queued commit deploys when the running deployment ends', async () => {
    const { deps } = harness;
    await addDeploymentRule(deps, 'shop', { repository: 'shop-code', refPattern: 'refs/heads/main' });
    const blocking = await handleGitEvent(deps, push('refs/heads/main', commitA));
    expect(blocking.outcome).toBe('deployed');
    const queued = await handleGitEvent(deps, push('refs/heads/main', commitB));
    expect(queued.outcome).toBe('waiting');
    expect(queued.reason).toContain('DEPLOYMENT_IN_PROGRESS');
    expect(queued.reason).toContain('queued');
    const ruleId = (await listDeploymentRules(deps, 'shop'))[0]?.id ?? '';
    expect(await harness.store.deploymentRules.findFiring(ruleId, commitB)).toBeUndefined();
    // A newer push replaces the queued one: only the newest commit deploys.
    expect((await handleGitEvent(deps, push('refs/heads/main', commitC))).outcome).toBe('waiting');
    expect((await listDeploymentRules(deps, 'shop'))[0]?.queued).toMatchObject({ commit: commitC });
    // Still busy: the retry leaves it queued.
    expect((await retryDeferredFirings(deps)).deployed).toEqual([]);
    expect(await harness.store.deploymentRules.listDeferredFirings()).toHaveLength(1);

    await harness.runToEnd(blocking.deploymentIds?.[0] ?? '');
    const retried = await retryDeferredFirings(deps);
    expect(retried.deployed).toMatchObject([{ ruleId, commit: commitC }]);
    expect(await harness.store.deploymentRules.listDeferredFirings()).toEqual([]);
    expect((await listDeploymentRules(deps, 'shop'))[0]).toMatchObject({ queued: null, lastDeployedCommit: commitC });
    expect((await retryDeferredFirings(deps)).deployed).toEqual([]);
    const commits = (await deploymentsOf('production')).map((d) => d.source.kind === 'repository' && d.source.commit);
    expect(commits.sort()).toEqual([commitA, commitC].sort());
  });

  it('drops a queued push once a newer push deploys first, and one whose rule was disabled', async () => {
    const { deps } = harness;
    await addDeploymentRule(deps, 'shop', { repository: 'shop-code', refPattern: 'refs/heads/main' });
    const blocking = await handleGitEvent(deps, push('refs/heads/main', commitA));
    expect((await handleGitEvent(deps, push('refs/heads/main', commitB))).outcome).toBe('waiting');
    await harness.runToEnd(blocking.deploymentIds?.[0] ?? '');
    // The environment is free before the retry ran: the newer push deploys and the queued one goes.
    const newer = await handleGitEvent(deps, push('refs/heads/main', commitC));
    expect(newer.outcome).toBe('deployed');
    expect(await harness.store.deploymentRules.listDeferredFirings()).toEqual([]);
    await harness.runToEnd(newer.deploymentIds?.[0] ?? '');

    const busy = await handleGitEvent(deps, push('refs/heads/main', commitD));
    expect((await handleGitEvent(deps, push('refs/heads/main', commitE))).outcome).toBe('waiting');
    const [rule] = await listDeploymentRules(deps, 'shop');
    await setDeploymentRuleEnabled(deps, { owner: 'shop', rule: String(rule?.position), isEnabled: false });
    await harness.runToEnd(busy.deploymentIds?.[0] ?? '');
    expect((await retryDeferredFirings(deps)).deployed).toEqual([]);
    expect(await harness.store.deploymentRules.listDeferredFirings()).toEqual([]);
    expect(await harness.store.deploymentRules.findFiring(rule?.id ?? '', commitE)).toBeUndefined();
  });
});
