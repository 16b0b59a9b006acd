/**
 * Deployment rules over real adapters (SQLite): a push fires the first enabled matching rule of each app built from
 * the repository, deploying the exact commit through `insertDeployment`, once per (rule, commit). A push to a busy
 * environment: deployment-rules-queue.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addDeploymentRule,
  handleGitEvent,
  listDeploymentRules,
  moveDeploymentRule,
  removeDeploymentRule,
  setDeploymentRuleEnabled,
  testDeploymentRules,
  type GitPushEvent,
  type GitRepositoryRecord,
} from '@slipway/core';
import type { CoreHarness } from './core-harness.js';
import { codeOf, commitA, commitB, createRulesFixture, type RulesFixture } from './deployment-rules-fixtures.js';

describe('deployment rules', () => {
  let fixture: RulesFixture;
  let harness: CoreHarness;
  let repository: GitRepositoryRecord;
  const push = (ref: string, after: string | null, over: Partial<GitPushEvent> = {}): GitPushEvent =>
    fixture.push(ref, after, over);
  const addRepository = (name: string, provider: GitRepositoryRecord['provider']) =>
    fixture.addRepository(name, provider);
  const deploymentsOf = (environment: string) => fixture.deploymentsOf(environment);

  beforeEach(async () => {
    fixture = await createRulesFixture();
    ({ harness, repository } = fixture);
  });

  afterEach(async () => {
    await harness.close();
  });

  it('deploys the exact pushed commit to the environment of the first enabled matching rule, with the full ref', async () => {
    const { deps } = harness;
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/heads/main',
      environment: 'production',
    });
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/heads/**',
      environment: 'staging',
    });

    const outcome = await handleGitEvent(deps, push('refs/heads/feature/login', commitA));
    expect(outcome.outcome).toBe('deployed');
    expect(outcome.reason).toContain('rule 2');
    const [deployment] = await deploymentsOf('staging');
    expect(outcome.deploymentIds).toEqual([deployment?.id]);
    expect(deployment).toMatchObject({
      state: 'pending',
      kind: 'deploy',
      source: {
        kind: 'repository',
        repositoryId: repository.id,
        url: repository.url,
        ref: 'refs/heads/feature/login',
        commit: commitA,
      },
    });
    expect(await deploymentsOf('production')).toEqual([]);
    expect(await harness.store.jobs.findByDeployment(deployment?.id ?? '')).toBeDefined();

    const [first, second] = await listDeploymentRules(deps, 'shop');
    expect(first).toMatchObject({ triggerCount: 0, lastDeployedCommit: null });
    expect(second).toMatchObject({
      triggerCount: 1,
      lastDeployedCommit: commitA,
      lastDeployedRef: 'refs/heads/feature/login',
    });
  });

  it('deploys a (rule, commit) once, whether the push is delivered again or twice at the same time', async () => {
    const { deps } = harness;
    await addDeploymentRule(deps, 'shop', { repository: 'shop-code', refPattern: 'refs/heads/main' });
    const [one, two] = await Promise.all([
      handleGitEvent(deps, push('refs/heads/main', commitA)),
      handleGitEvent(deps, push('refs/heads/main', commitA)),
    ]);
    expect([one.outcome, two.outcome].sort()).toEqual(['deployed', 'ignored']);
    const again = await handleGitEvent(deps, push('refs/heads/main', commitA, { origin: 'reconcile' }));
    expect(again).toMatchObject({ outcome: 'ignored' });
    expect(again.reason).toContain('deployed already');
    expect(again.deploymentIds).toBeUndefined();
    expect(await deploymentsOf('production')).toHaveLength(1);
    expect((await listDeploymentRules(deps, 'shop'))[0]?.triggerCount).toBe(1);
  });

  it('deploys nothing for a deleted ref, a refused ref, a ref no rule matches or another repository', async () => {
    const { deps } = harness;
    await addDeploymentRule(deps, 'shop', { repository: 'shop-code', refPattern: 'refs/heads/**' });
    expect(await handleGitEvent(deps, push('refs/heads/main', null))).toMatchObject({
      outcome: 'ignored',
      reason: 'refs/heads/main was deleted: nothing deploys',
    });
    for (const ref of ['refs/heads/$(reboot)', 'refs/heads/a..b', 'refs/heads/a;b', 'main']) {
      const outcome = await handleGitEvent(deps, push(ref, commitA));
      expect(outcome.outcome, ref).toBe('ignored');
      expect(outcome.reason, ref).toMatch(/^ref refused/);
    }
    expect((await handleGitEvent(deps, push('refs/tags/v1', commitA))).outcome).toBe('ignored');
    expect((await handleGitEvent(deps, push('refs/heads/main', 'not-a-commit'))).outcome).toBe('ignored');
    const other = await addRepository('other', 'github');
    expect(await handleGitEvent(deps, push('refs/heads/main', commitA, { repositoryId: other.id }))).toMatchObject({
      outcome: 'ignored',
      reason: 'no deployment rule reads this repository',
    });
    expect(await deploymentsOf('production')).toEqual([]);
  });

  it('skips a disabled rule for the next matching one, keeps the order it is given, and says why in the dry run', async () => {
    const { deps } = harness;
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/heads/release/*',
      environment: 'production',
    });
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/tags/v*',
      event: 'tag',
      environment: 'production',
    });
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/heads/**',
      environment: 'staging',
      position: 1,
    });
    expect((await listDeploymentRules(deps, 'shop')).map((r) => r.refPattern)).toEqual([
      'refs/heads/**',
      'refs/heads/release/*',
      'refs/tags/v*',
    ]);
    await setDeploymentRuleEnabled(deps, { owner: 'shop', rule: '1', isEnabled: false });
    const dryRun = await testDeploymentRules(deps, { owner: 'shop', ref: 'refs/heads/release/1.2' });
    expect(dryRun.fired?.refPattern).toBe('refs/heads/release/*');
    expect(dryRun.summary).toMatch(
      /^rule 2 fires: a push of refs\/heads\/release\/1.2 deploys its commit to production/,
    );
    expect(dryRun.steps.map((s) => [s.rule.position, s.verdict, s.reason])).toEqual([
      [1, 'skipped', 'disabled'],
      [2, 'fires', 'refs/heads/release/1.2 matches refs/heads/release/* on a push event'],
      [3, 'not-reached', 'rule 2 fired first'],
    ]);
    expect(await codeOf(testDeploymentRules(deps, { owner: 'shop', ref: 'refs/heads/$(id)' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(await deploymentsOf('production')).toEqual([]);

    await moveDeploymentRule(deps, { owner: 'shop', rule: '3', position: 1 });
    expect((await listDeploymentRules(deps, 'shop')).map((r) => [r.position, r.refPattern])).toEqual([
      [1, 'refs/tags/v*'],
      [2, 'refs/heads/**'],
      [3, 'refs/heads/release/*'],
    ]);
    await removeDeploymentRule(deps, { owner: 'shop', rule: '2' });
    expect((await listDeploymentRules(deps, 'shop')).map((r) => [r.position, r.refPattern])).toEqual([
      [1, 'refs/tags/v*'],
      [2, 'refs/heads/release/*'],
    ]);
    expect((await handleGitEvent(deps, push('refs/tags/v1.0.0', commitA))).outcome).toBe('deployed');
    expect(await codeOf(removeDeploymentRule(deps, { owner: 'shop', rule: '9' }))).toBe('DEPLOYMENT_RULE_NOT_FOUND');
  });

  it('refuses a rule with a refused pattern, an unknown repository or environment, or the wrong event kind', async () => {
    const { deps } = harness;
    const add = (body: Parameters<typeof addDeploymentRule>[2]) => codeOf(addDeploymentRule(deps, 'shop', body));
    expect(await add({ repository: 'shop-code', refPattern: 'refs/heads/`id`' })).toBe('VALIDATION_FAILED');
    expect(await add({ repository: 'shop-code', refPattern: 'refs/heads/../x' })).toBe('VALIDATION_FAILED');
    expect(await add({ repository: 'shop-code', refPattern: 'refs/tags/v*', event: 'push' })).toBe('VALIDATION_FAILED');
    expect(await add({ repository: 'nope', refPattern: 'refs/heads/main' })).toBe('REPOSITORY_NOT_FOUND');
    expect(await add({ repository: 'shop-code', refPattern: 'refs/heads/main', environment: 'qa' })).toBe(
      'ENVIRONMENT_NOT_FOUND',
    );
    expect(await listDeploymentRules(deps, 'shop')).toEqual([]);
  });

  it('deploys a push to main of a hosted repository to production while its app has no rule', async () => {
    const { deps } = harness;
    const hosted = await addRepository('shop', 'hosted');
    const hostedPush = (ref: string, after: string) => push(ref, after, { repositoryId: hosted.id, origin: 'hosted' });
    expect((await handleGitEvent(deps, hostedPush('refs/heads/feature', commitA))).outcome).toBe('ignored');
    const deployed = await handleGitEvent(deps, hostedPush('refs/heads/main', commitA));
    expect(deployed.outcome).toBe('deployed');
    expect(await deploymentsOf('production')).toHaveLength(1);
    expect((await handleGitEvent(deps, hostedPush('refs/heads/main', commitA))).outcome).toBe('ignored');
    // The same push from a provider's webhook is not the hosted repository's: only rules apply there.
    expect((await handleGitEvent(deps, push('refs/heads/main', commitB))).outcome).toBe('ignored');
  });

  it('deploys a stack read from the repository on a push of the ref it follows, and takes the firing back when it cannot', async () => {
    const { deps } = harness;
    const project = await harness.store.projects.findByName('default');
    await harness.store.stacks.insert({
      id: 'stk_shop',
      projectId: project?.id ?? '',
      name: 'shop-stack',
      runtime: 'docker',
      prefix: null,
      source: { kind: 'repository', repositoryId: repository.id, path: 'compose.yaml', ref: 'main' },
      services: [],
      notices: [],
      createdAtMs: Date.now(),
      updatedAtMs: Date.now(),
    });
    const other = await handleGitEvent(deps, push('refs/heads/dev', commitA));
    expect(other).toMatchObject({ outcome: 'ignored' });
    expect(other.reason).toContain('stack shop-stack (no rule): no rule fires (it follows refs/heads/main)');
    // This server reads no repository files, so the stack cannot deploy: the outcome says so and nothing is kept.
    const refused = await handleGitEvent(deps, push('refs/heads/main', commitA));
    expect(refused.outcome).toBe('failed');
    expect(refused.reason).toContain('SOURCE_UNREACHABLE');
    expect(await harness.store.deploymentRules.findFiring('stack-default:stk_shop', commitA)).toBeUndefined();
    expect((await handleGitEvent(deps, push('refs/heads/main', commitA))).outcome).toBe('failed');
  });

  it("keeps a stack's rules apart from its apps', reading the stack's own repository", async () => {
    const { deps } = harness;
    const project = await harness.store.projects.findByName('default');
    const stack = (id: string, name: string, source: Parameters<typeof harness.store.stacks.insert>[0]['source']) =>
      harness.store.stacks.insert({
        id,
        projectId: project?.id ?? '',
        name,
        runtime: 'docker',
        prefix: null,
        source,
        services: [],
        notices: [],
        createdAtMs: Date.now(),
        updatedAtMs: Date.now(),
      });
    await stack('stk_repo', 'from-repo', {
      kind: 'repository',
      repositoryId: repository.id,
      path: 'compose.yaml',
      ref: 'main',
    });
    await stack('stk_file', 'from-file', {
      kind: 'file',
      fileName: 'compose.yaml',
      composeDir: '/srv',
      compose: 'services: {}',
      variables: {},
      envFiles: {},
    });
    const added = await addDeploymentRule(
      deps,
      { stack: 'from-repo' },
      { refPattern: 'refs/tags/v*', event: 'tag', environment: 'staging' },
    );
    expect(added).toMatchObject({
      target: { kind: 'stack', name: 'from-repo' },
      repository: 'shop-code',
      environment: 'staging',
    });
    expect(await listDeploymentRules(deps, 'shop')).toEqual([]);
    expect(await codeOf(addDeploymentRule(deps, { stack: 'from-file' }, { refPattern: 'refs/heads/main' }))).toBe(
      'VALIDATION_FAILED',
    );
    const other = await addRepository('other', 'github');
    expect(
      await codeOf(
        addDeploymentRule(deps, { stack: 'from-repo' }, { repository: other.name, refPattern: 'refs/heads/main' }),
      ),
    ).toBe('VALIDATION_FAILED');
    expect(await codeOf(addDeploymentRule(deps, 'shop', { refPattern: 'refs/heads/main' }))).toBe('VALIDATION_FAILED');
    expect(await codeOf(listDeploymentRules(deps, { stack: 'nope' }))).toBe('STACK_NOT_FOUND');
    // A stack named as an app (without --stack) is no app, and the error says which flag was missing.
    await expect(listDeploymentRules(deps, 'from-repo')).rejects.toMatchObject({
      code: 'APP_NOT_FOUND',
      message: 'no app named "from-repo": "from-repo" is a stack (add --stack)',
    });

    // With a rule of its own the stack no longer follows its ref: main deploys nothing, a tag fires the rule.
    expect((await handleGitEvent(deps, push('refs/heads/main', commitA))).outcome).toBe('ignored');
    const tagged = await handleGitEvent(deps, push('refs/tags/v1', commitA));
    expect(tagged.outcome).toBe('failed');
    expect(tagged.reason).toContain('stack from-repo rule 1: not deployed: SOURCE_UNREACHABLE');
    expect(await harness.store.deploymentRules.findFiring(added.id, commitA)).toBeUndefined();
    expect((await listDeploymentRules(deps, { stack: 'from-repo' }))[0]?.triggerCount).toBe(0);
    const dryRun = await testDeploymentRules(deps, { owner: { stack: 'from-repo' }, ref: 'refs/tags/v2' });
    expect(dryRun.summary).toMatch(/^rule 1 fires: a push of refs\/tags\/v2 deploys its commit to staging/);
  });

  it('keeps the outcome to one bounded line however many rules explain themselves', async () => {
    const { deps } = harness;
    for (let i = 0; i < 40; i++) {
      await addDeploymentRule(deps, 'shop', { repository: 'shop-code', refPattern: `refs/heads/team-${i}/feature/**` });
    }
    const outcome = await handleGitEvent(deps, push('refs/heads/main', commitA));
    expect(outcome.outcome).toBe('ignored');
    expect(outcome.reason.length).toBeLessThanOrEqual(2_000);
    expect(outcome.reason).toMatch(/…$/);
  });
});
