/**
 * The reconcile of deployment rules over real adapters (SQLite) and a real git repository: a branch head the rules
 * did not deploy (its webhook was lost) deploys at the next pass, exactly once.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayError } from '@slipway/contract';
import {
  addDeploymentRule,
  createEnvironment,
  handleGitEvent,
  listDeploymentRules,
  reconcileRuleHeads,
  retryDeferredFirings,
  setDeploymentRuleEnabled,
  type CoreDeps,
  type GitMirrors,
  type GitRepositoryRecord,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  };
  const { stdout } = await run('git', args, { cwd, env, timeout: 30_000 });
  return stdout.trim();
}

/** Only what the reconcile uses of the mirrors: the remote's heads, listed by a real `git ls-remote`. */
function lsRemoteMirrors(): GitMirrors {
  const unused = (): never => {
    throw new Error('not used by the reconcile');
  };
  return {
    sync: unused,
    resolve: unused,
    checkout: unused,
    remove: unused,
    async listRemoteHeads(remote) {
      let out: string;
      try {
        out = await git(tmpdir(), 'ls-remote', '--heads', '--tags', remote.url);
      } catch {
        throw new SlipwayError('SOURCE_UNREACHABLE', 'the repository cannot be reached');
      }
      return out
        .split('\n')
        .filter((line) => line !== '' && !line.endsWith('^{}'))
        .map((line) => {
          const [commit = '', ref = ''] = line.split('\t');
          return { ref, commit };
        });
    },
  };
}

describe('deployment rules reconcile', () => {
  let harness: CoreHarness;
  let deps: CoreDeps;
  let work: string;
  let repository: GitRepositoryRecord;

  const commit = async (branch: string, content: string): Promise<string> => {
    await git(work, 'checkout', '-q', '-B', branch);
    await writeFile(join(work, 'file.txt'), content);
    await git(work, 'add', 'file.txt');
    await git(work, 'commit', '-q', '-m', content);
    return git(work, 'rev-parse', 'HEAD');
  };

  const addRepository = async (
    name: string,
    url: string,
    provider: GitRepositoryRecord['provider'] = 'generic',
  ): Promise<GitRepositoryRecord> => {
    const project = await harness.store.projects.findByName('default');
    const record: GitRepositoryRecord = {
      id: `repo_${name}`,
      projectId: project?.id ?? '',
      name,
      provider,
      url,
      authKind: 'none',
      publicKey: null,
      credential: null,
      createdAtMs: Date.now(),
      updatedAtMs: Date.now(),
    };
    await harness.store.gitRepositories.insert(record);
    return record;
  };

  /** Ends every active deployment (as if it ran), so the next one may start. */
  const finishDeployments = async (): Promise<void> => {
    for (const deployment of await harness.store.deployments.listByState(['pending', 'running'])) {
      await harness.store.deployments.update({ ...deployment, state: 'succeeded', finishedAtMs: Date.now() });
    }
  };

  const deployedCommits = async (environment: string): Promise<string[]> => {
    const app = await harness.store.apps.findByName('shop');
    const env = await harness.store.environments.find(app?.projectId ?? '', environment);
    const deployments = await harness.store.deployments.list(app?.id ?? '', env?.id ?? '', 100);
    return deployments.map((d) => (d.source.kind === 'repository' ? d.source.commit : '')).reverse();
  };

  beforeEach(async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
    deps = { ...harness.deps, gitMirrors: lsRemoteMirrors() };
    await harness.createApp('shop');
    await createEnvironment(deps, { app: 'shop', environment: 'staging' });
    work = await mkdtemp(join(tmpdir(), 'slipway-rules-'));
    await git(work, 'init', '-q', '-b', 'main');
    repository = await addRepository('shop-code', work);
  });

  afterEach(async () => {
    await harness.close();
    await rm(work, { recursive: true, force: true });
  });

  it('deploys a head whose webhook was lost, once, and leaves a rule alone once it deployed its head', async () => {
    await addDeploymentRule(deps, 'shop', { repository: 'shop-code', refPattern: 'refs/heads/main' });
    const first = await commit('main', 'one');
    const pushed = await handleGitEvent(deps, {
      kind: 'push',
      repositoryId: repository.id,
      origin: 'github',
      deliveryKey: 'd1',
      ref: 'refs/heads/main',
      before: null,
      after: first,
      isForced: false,
    });
    expect(pushed.outcome).toBe('deployed');
    await finishDeployments();
    expect((await reconcileRuleHeads(deps)).deployed).toEqual([]);

    const missed = await commit('main', 'two');
    const report = await reconcileRuleHeads(deps);
    expect(report.deployed).toMatchObject([{ ref: 'refs/heads/main', commit: missed }]);
    expect(await deployedCommits('production')).toEqual([first, missed]);
    await finishDeployments();
    expect((await reconcileRuleHeads(deps)).deployed).toEqual([]);
    expect((await listDeploymentRules(deps, 'shop'))[0]).toMatchObject({ triggerCount: 2, lastDeployedCommit: missed });
  });

  it('queues the head when a deployment to the environment is still in progress, and deploys it once that ends', async () => {
    await addDeploymentRule(deps, 'shop', { repository: 'shop-code', refPattern: 'refs/heads/main' });
    const head = await commit('main', 'one');
    expect((await reconcileRuleHeads(deps)).deployed).toHaveLength(1);
    const next = await commit('main', 'two');
    const blocked = await reconcileRuleHeads(deps);
    expect(blocked).toMatchObject({ deployed: [], failed: [] });
    expect(await harness.store.deploymentRules.listDeferredFirings()).toMatchObject([{ commit: next }]);
    await finishDeployments();
    expect((await retryDeferredFirings(deps)).deployed).toMatchObject([{ commit: next }]);
    expect((await reconcileRuleHeads(deps)).deployed).toEqual([]);
    expect(await deployedCommits('production')).toEqual([head, next]);
  });

  it('follows what a push would fire: not a disabled rule, not a tag rule, and a glob only on a single or known branch', async () => {
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/heads/main',
      environment: 'production',
    });
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/heads/release/*',
      environment: 'staging',
    });
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/tags/v*',
      event: 'tag',
      environment: 'production',
    });
    await setDeploymentRuleEnabled(deps, { owner: 'shop', rule: '1', isEnabled: false });
    await commit('main', 'main');
    await git(work, 'tag', 'v1.0.0');
    const r1 = await commit('release/1.1', 'r1');
    const r2 = await commit('release/1.2', 'r2');
    // Two release branches and the rule never deployed: which one is meant is for a push to say.
    expect((await reconcileRuleHeads(deps)).deployed).toEqual([]);
    await handleGitEvent(deps, {
      kind: 'push',
      repositoryId: repository.id,
      origin: 'gitlab',
      deliveryKey: 'd2',
      ref: 'refs/heads/release/1.1',
      before: null,
      after: r1,
      isForced: false,
    });
    await finishDeployments();
    const moved = await commit('release/1.1', 'r1 fix');
    expect((await reconcileRuleHeads(deps)).deployed).toMatchObject([{ ref: 'refs/heads/release/1.1', commit: moved }]);
    expect(await deployedCommits('staging')).toEqual([r1, moved]);
    expect(await deployedCommits('production')).toEqual([]);
    expect(r2).not.toBe(moved);
  });

  it('reports an unreachable repository and goes on with the others', async () => {
    const gone = await addRepository('gone', join(work, 'does-not-exist'));
    await addDeploymentRule(deps, 'shop', {
      repository: 'gone',
      refPattern: 'refs/heads/main',
      environment: 'staging',
    });
    await addDeploymentRule(deps, 'shop', {
      repository: 'shop-code',
      refPattern: 'refs/heads/main',
      environment: 'production',
    });
    const head = await commit('main', 'one');
    const report = await reconcileRuleHeads(deps);
    expect(report.unreachable).toMatchObject([{ repositoryId: gone.id }]);
    expect(report.unreachable[0]?.reason).toMatch(/^SOURCE_UNREACHABLE/);
    expect(report.deployed).toMatchObject([{ commit: head }]);
  });

  it('follows the ref of a stack read from the repository without rules of its own', async () => {
    const project = await harness.store.projects.findByName('default');
    await harness.store.stacks.insert({
      id: 'stk_follow',
      projectId: project?.id ?? '',
      name: 'follower',
      runtime: 'docker',
      prefix: null,
      source: { kind: 'repository', repositoryId: repository.id, path: 'compose.yaml', ref: 'main' },
      services: [],
      notices: [],
      createdAtMs: Date.now(),
      updatedAtMs: Date.now(),
    });
    await commit('main', 'one');
    // This server reads no repository files: the stack's deployment is refused, and the pass says so.
    const report = await reconcileRuleHeads(deps);
    expect(report.failed).toMatchObject([{ ruleId: 'stack-default:stk_follow' }]);
    expect(report.failed[0]?.reason).toMatch(/^SOURCE_UNREACHABLE/);
    // Once the stack has a rule of its own, the rule decides (a tag rule: the reconcile leaves it).
    await addDeploymentRule(deps, { stack: 'follower' }, { refPattern: 'refs/tags/v*', event: 'tag' });
    expect(await reconcileRuleHeads(deps)).toEqual({ deployed: [], unreachable: [], failed: [] });
  });

  it('deploys main of a hosted repository no rule reads to production, once per commit, when its push was not acted on', async () => {
    await harness.store.gitRepositories.delete(repository.id);
    await addRepository('shop', work, 'hosted');
    await commit('feature', 'elsewhere');
    expect(await reconcileRuleHeads(deps)).toEqual({ deployed: [], unreachable: [], failed: [] });
    const head = await commit('main', 'one');
    expect((await reconcileRuleHeads(deps)).deployed).toMatchObject([{ ref: 'refs/heads/main', commit: head }]);
    await finishDeployments();
    expect((await reconcileRuleHeads(deps)).deployed).toEqual([]);
    expect(await deployedCommits('production')).toEqual([head]);
  });
});
