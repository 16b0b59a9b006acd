/**
 * Deployment rules against a real slipwayd and the real git: rules added, dry-run, reordered and removed from the
 * CLI; a `git push` to slipwayd of a branch a rule matches deploys its exact commit to the rule's environment, once;
 * and a commit that reached the repository without slipwayd hearing of it (a lost webhook) deploys at the next
 * reconcile. Narrated in order: each step builds on the one before.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRuleView, TestDeploymentRulesResponse } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { createUser, tokenOf } from './identity-fixtures.js';
import { fixturesDir, repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');
const app = 'ruled';

interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('deployment rules: a push deploys where its rule says, and the reconcile catches a lost one', () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let sourceDir: string;
  let adminToken: string;
  let viewerToken: string;

  const git = (cwd: string, args: readonly string[], token?: string): Promise<GitResult> =>
    new Promise((resolve) => {
      const helper = token === undefined ? [] : ['-c', `credential.helper=!node ${cliEntry} git-credential`];
      execFile(
        'git',
        ['-c', 'credential.helper=', ...helper, ...args],
        {
          cwd,
          timeout: 120_000,
          env: {
            ...process.env,
            ...slipwayd.cliEnv(),
            SLIPWAY_DATA_DIR: join(workDir, 'no-data-dir'),
            ...(token === undefined ? {} : { SLIPWAY_TOKEN: token }),
            GIT_TERMINAL_PROMPT: '0',
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_CONFIG_GLOBAL: '/dev/null',
            GIT_AUTHOR_NAME: 'pusher',
            GIT_AUTHOR_EMAIL: 'pusher@example.com',
            GIT_COMMITTER_NAME: 'pusher',
            GIT_COMMITTER_EMAIL: 'pusher@example.com',
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
      );
    });

  const mustGit = async (cwd: string, args: readonly string[], token?: string): Promise<string> => {
    const result = await git(cwd, args, token);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  };

  const remote = (): string => `${slipwayd.url}/git/${app}.git`;

  const rules = async (): Promise<DeploymentRuleView[]> => {
    const listed = await slipwayd.cli(['rules', 'list', app, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    return (JSON.parse(listed.stdout) as { rules: DeploymentRuleView[] }).rules;
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-rules-'));
    slipwayd = await SlipwaydHarness.create();
    // The reconcile keeps its default interval (minutes) until the step that is about it, so no pass races a push.
    await slipwayd.start();
    adminToken = (await slipwayd.adminToken()) ?? '';
    await slipwayd.api.apps.create({ name: app, project: 'acme' });
    expect((await slipwayd.cli(['env', 'create', app, 'staging'])).code).toBe(0);
    await createUser(slipwayd, 'watcher', [{ role: 'viewer', project: 'acme' }]);
    viewerToken = await tokenOf(slipwayd, 'watcher');
    sourceDir = join(workDir, 'source');
    await cp(join(fixturesDir, 'hello-node'), sourceDir, { recursive: true });
    await mustGit(sourceDir, ['init', '-q', '-b', 'main']);
    await mustGit(sourceDir, ['add', '-A']);
    await mustGit(sourceDir, ['commit', '-q', '-m', 'v1']);
    // The app's hosted repository comes into being on its first use.
    await mustGit(workDir, ['ls-remote', remote()], adminToken);
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(workDir, { recursive: true, force: true });
  });

  it('adds, dry-runs, reorders and removes rules from the CLI, and refuses a ref with .. or a metacharacter', async () => {
    const add = (...args: string[]) => slipwayd.cli(['rules', 'add', app, ...args]);
    expect((await add('refs/heads/**', '--repo', app, '-e', 'production', '--disabled')).code).toBe(0);
    expect((await add('refs/heads/release/*', '--repo', app, '-e', 'staging')).code).toBe(0);
    expect((await add('refs/tags/v*', '--repo', app, '--tag', '--position', '1')).code).toBe(0);
    expect((await rules()).map((r) => [r.position, r.event, r.refPattern, r.environment, r.isEnabled])).toEqual([
      [1, 'tag', 'refs/tags/v*', 'production', true],
      [2, 'push', 'refs/heads/**', 'production', false],
      [3, 'push', 'refs/heads/release/*', 'staging', true],
    ]);

    const dryRun = await slipwayd.cli(['rules', 'test', app, 'refs/heads/release/1.2']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('rule 3 fires: a push of refs/heads/release/1.2 deploys its commit to staging');
    expect(dryRun.stdout).toContain('the rule is for tag events and refs/heads/release/1.2 is a branch');
    expect(dryRun.stdout).toContain('2. push refs/heads/** of ruled → production (disabled): disabled');
    const json = await slipwayd.cli(['rules', 'test', app, 'refs/heads/main', '--json']);
    expect((JSON.parse(json.stdout) as TestDeploymentRulesResponse).fired).toBeNull();

    for (const ref of ['refs/heads/$(touch /tmp/x)', 'refs/heads/a..b', 'refs/heads/a;b']) {
      const refused = await slipwayd.cli(['rules', 'test', app, ref]);
      expect(refused.code, ref).not.toBe(0);
      expect(refused.stderr, ref).toMatch(/ref refused/);
    }
    const badPattern = await add('refs/heads/../tags/*', '--repo', app);
    expect(badPattern.code).not.toBe(0);
    expect(badPattern.stderr).toMatch(/may not contain ".."/);

    // A viewer reads and dry-runs the rules, and changes none.
    const asViewer = (init: RequestInit & { path: string }) =>
      fetch(`${slipwayd.url}${init.path}`, {
        ...init,
        headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' },
      });
    expect((await asViewer({ path: `/api/v1/apps/${app}/rules` })).status).toBe(200);
    expect((await asViewer({ path: `/api/v1/apps/${app}/rules/test?ref=refs%2Fheads%2Fmain` })).status).toBe(200);
    const refusedAdd = await asViewer({
      path: `/api/v1/apps/${app}/rules`,
      method: 'POST',
      body: JSON.stringify({ repository: app, refPattern: 'refs/heads/main' }),
    });
    expect(refusedAdd.status).toBe(403);

    expect((await slipwayd.cli(['rules', 'move', app, '1', '3'])).code).toBe(0);
    expect((await slipwayd.cli(['rules', 'remove', app, '1'])).code).toBe(0);
    expect((await rules()).map((r) => r.refPattern)).toEqual(['refs/heads/release/*', 'refs/tags/v*']);
  });

  it('deploys a pushed release branch to staging at its exact commit, and the same commit again deploys nothing', async () => {
    const head = await mustGit(sourceDir, ['rev-parse', 'HEAD']);
    const pushed = await git(sourceDir, ['push', remote(), 'main:release/1'], adminToken);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toMatch(/remote: -----> ruled \(staging\): deployment dep_/);
    expect(pushed.stderr).toMatch(/remote: -----> deployment dep_\S+ succeeded/);
    expect((await rules())[0]).toMatchObject({
      triggerCount: 1,
      lastDeployedCommit: head,
      lastDeployedRef: 'refs/heads/release/1',
    });
    const served = await slipwayd.edge('ruled-staging.localhost');
    expect(served.status).toBe(200);
    // main matches no enabled rule now that the app has rules; release/2 at the same commit is the same (rule, commit).
    for (const target of ['main', 'release/2']) {
      const again = await git(sourceDir, ['push', remote(), `main:${target}`], adminToken);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/deployment dep_/);
    }
    expect((await rules())[0]?.triggerCount).toBe(1);
    const deployments = await slipwayd.cli(['deployments', 'list', app, '-e', 'production', '--json']);
    expect(deployments.stdout).not.toContain('dep_');
  });

  it('deploys a commit slipwayd never heard of at the next reconcile of the branch its rule last deployed', async () => {
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ env: { SLIPWAY_GIT_RECONCILE_INTERVAL_MS: '5000' } });
    const hostedRoot = join(slipwayd.dataDir, 'git', 'hosted');
    const [bare] = (await readdir(hostedRoot)).filter((name) => name.endsWith('.git'));
    await cp(join(sourceDir, 'server.js'), join(sourceDir, 'server.js.orig'));
    await mustGit(sourceDir, ['add', '-A']);
    await mustGit(sourceDir, ['commit', '-q', '-m', 'v2']);
    const missed = await mustGit(sourceDir, ['rev-parse', 'HEAD']);
    // Straight into the repository, behind slipwayd's back: no push event, as when a webhook is lost.
    await mustGit(sourceDir, ['push', '-q', join(hostedRoot, bare ?? ''), 'main:release/1']);
    await waitFor(
      async () => expect((await rules())[0]).toMatchObject({ triggerCount: 2, lastDeployedCommit: missed }),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await waitFor(
      async () => {
        const listed = await slipwayd.cli(['deployments', 'list', app, '-e', 'staging', '--json']);
        expect(listed.stdout).toContain(missed.slice(0, 12));
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });
});
