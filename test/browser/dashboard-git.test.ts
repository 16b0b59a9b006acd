/**
 * The Git page in a real browser against a real slipwayd and a real git server (`git http-backend` behind Basic
 * authentication): the project's repository with its remote (never its token) and its last webhook delivery, an
 * app's deployment rule and the dry run answering for a matching and a non-matching ref, a rule added and removed by
 * an admin, the app's pull-request preview with its URL; a viewer is offered no add or remove; no serious or critical
 * accessibility violation, and no sideways scroll at 375 px.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGitHttpTestServer, type GitHttpTestServer } from '@slipway/adapters';
import { signWebhook } from '@slipway/core';
import { skipUnless, waitFor } from '@slipway/testkit';
import { addGithubUpstream, githubPullRequest } from '../e2e/github-push-payload.js';
import { git } from '../e2e/git-test-env.js';
import { createUser, password as userPassword } from '../e2e/identity-fixtures.js';
import { fixturesDir, SlipwaydHarness } from '../e2e/slipwayd-harness.js';
import {
  chromiumAvailability,
  hasHorizontalScroll,
  launchChromium,
  screenshot,
  seriousViolations,
  setOwnerPassword,
  signIn,
} from './browser-harness.js';

const project = 'acme';
const app = 'shop';
const viewer = 'acme-viewer';
const gitToken = 'sentinel-dashboard-git-token-51c7';

describe('dashboard git: repositories, rules with their dry run, previews', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let workDir: string;
  let http: GitHttpTestServer;

  const gitPage = (view: string) => `${slipwayd.url}/git?project=${project}&view=${view}&app=${app}`;

  const dryRun = async (page: Page, ref: string): Promise<void> => {
    await page.getByLabel('Full ref a push would move', { exact: false }).fill(ref);
    await page.getByRole('button', { name: 'Test the rules' }).click();
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-web-git-'));
    const served = join(workDir, 'served');
    const upstream = join(served, 'app.git');
    await cp(join(fixturesDir, 'hello-static'), upstream, { recursive: true });
    git(upstream, 'init', '-q', '-b', 'main');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'v1');
    git(upstream, 'checkout', '-q', '-b', 'feature/login');
    git(upstream, 'commit', '-q', '--allow-empty', '-m', 'login');
    const head = git(upstream, 'rev-parse', 'feature/login');
    http = await startGitHttpTestServer(served, { username: 'x-access-token', password: gitToken });

    slipwayd = await SlipwaydHarness.create();
    // No reconcile pass: the rule deploys nothing behind the test's back.
    await slipwayd.start({ env: { SLIPWAY_GIT_RECONCILE_INTERVAL_MS: '0' } });
    await setOwnerPassword(slipwayd);
    await slipwayd.api.projects.create({ name: project });
    await createUser(slipwayd, viewer, [{ role: 'viewer', project }]);
    await slipwayd.api.apps.create({ name: app, project });
    const { repositoryId, secret } = await addGithubUpstream(slipwayd, http.url, gitToken);
    const rule = await slipwayd.cli(['rules', 'add', app, 'refs/heads/main', '--repo', 'upstream', '-e', 'production']);
    expect(rule.code, rule.stderr).toBe(0);
    const enabled = await slipwayd.cli(['previews', 'enable', app, '--repo', 'upstream', '--ttl', '2d']);
    expect(enabled.code, enabled.stderr).toBe(0);

    const body = await githubPullRequest('opened', 7, { sha: head, ref: 'feature/login', isFork: false });
    const response = await fetch(`${slipwayd.url}/api/v1/hooks/github/${repositoryId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': randomUUID(),
        ...signWebhook('github', secret, body),
      },
      body,
    });
    expect(response.status).toBe(202);
    await response.body?.cancel();
    await waitFor(
      async () => {
        const { previews } = await slipwayd.api.previews.list(app);
        if (!previews.some((p) => p.number === 7)) throw new Error('no preview #7 yet');
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
    await http?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it("lists the project's repository with its remote, never its token, and its last webhook delivery", async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/git?project=${project}`);
    const row = page.locator('tr[data-repository="upstream"]');
    await row.waitFor();
    expect(await row.getByText(`127.0.0.1:${new URL(http.url).port}/app.git`).count()).toBe(1);
    await row.locator('[data-delivery]').getByText('pull_request', { exact: false }).waitFor();
    expect(await page.content()).not.toContain(gitToken);
    expect(await seriousViolations(page)).toEqual([]);

    await row.getByRole('link', { name: 'Rules reading upstream' }).click();
    await page.getByRole('tab', { name: 'Deployment rules', selected: true }).waitFor();
    await page.locator('tr[data-rule="1"]').getByText('refs/heads/main').waitFor();
    expect(await page.locator('tr[data-rule]').count()).toBe(1);
    await context.close();
  });

  it('answers the dry run for a matching and a non-matching ref, and adds and removes a rule', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(gitPage('rules'));
    await page.locator('tr[data-rule="1"]').waitFor();

    await dryRun(page, 'refs/heads/main');
    const answer = page.getByTestId('dry-run-answer');
    await answer.getByText('rule 1 fires: a push of refs/heads/main deploys its commit to production').waitFor();
    expect(await answer.getAttribute('data-fired')).toBe('1');
    expect(await answer.locator('li[data-verdict="fires"]').count()).toBe(1);
    await screenshot(page, 'git');
    expect(await seriousViolations(page)).toEqual([]);

    await dryRun(page, 'refs/heads/feature/login');
    await answer.getByText('no rule fires: a push of refs/heads/feature/login deploys nothing').waitFor();
    expect(await answer.getAttribute('data-fired')).toBe('');
    expect(await answer.locator('li[data-verdict="skipped"]').count()).toBe(1);

    await dryRun(page, 'refs/heads/a..b');
    await page.getByRole('alert').getByText('VALIDATION_FAILED').waitFor();

    const form = page.getByRole('form', { name: 'Add a rule' });
    await form.getByLabel('Event').selectOption('tag');
    await form.getByLabel('Ref pattern', { exact: false }).fill('refs/tags/v*');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('tr[data-rule="2"]').getByText('refs/tags/v*').waitFor();
    expect((await slipwayd.api.rules.list(app)).rules.map((r) => [r.event, r.refPattern])).toEqual([
      ['push', 'refs/heads/main'],
      ['tag', 'refs/tags/v*'],
    ]);
    await page.getByRole('button', { name: 'Remove rule 2' }).click();
    await page.locator('tr[data-rule="2"]').waitFor({ state: 'detached' });
    expect((await slipwayd.api.rules.list(app)).rules).toHaveLength(1);
    await context.close();
  });

  it("shows the app's preview with its URL, and removal to a deployer", async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(gitPage('previews'));
    const row = page.locator('tr[data-preview="7"]');
    await row.waitFor();
    expect(await row.getByText('feature/login').count()).toBe(1);
    const link = row.getByRole('link', { name: 'pr-7.shop.localhost' });
    expect(await link.getAttribute('href')).toBe('http://pr-7.shop.localhost/');
    expect(await row.getByText('in 2 d').count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Remove preview #7' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('offers a viewer the dry run but no rule to add or remove and no preview to remove', async () => {
    const { context, page } = await signIn(browser, slipwayd, viewer, userPassword);
    await page.goto(gitPage('rules'));
    await page.locator('tr[data-rule="1"]').waitFor();
    expect(await page.getByRole('form', { name: 'Add a rule' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove', exact: false }).count()).toBe(0);
    await dryRun(page, 'refs/heads/main');
    await page.getByTestId('dry-run-answer').getByText('rule 1 fires', { exact: false }).waitFor();

    await page.goto(gitPage('previews'));
    await page.locator('tr[data-preview="7"]').waitFor();
    expect(await page.getByRole('button', { name: 'Remove', exact: false }).count()).toBe(0);
    await context.close();
  });

  it('fits 375 px without sideways scroll on every section', async () => {
    const { context, page } = await signIn(browser, slipwayd, 'admin', undefined, { width: 375, height: 800 });
    for (const view of ['repositories', 'rules', 'previews']) {
      await page.goto(gitPage(view));
      await page.locator('tr[data-repository], tr[data-rule], tr[data-preview]').first().waitFor();
      expect(await hasHorizontalScroll(page), view).toBe(false);
    }
    await screenshot(page, 'git-375');
    await context.close();
  });
});
