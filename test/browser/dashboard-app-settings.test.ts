/**
 * Changing an app from the dashboard, in a real browser against a real slipwayd: create an app and deploy the
 * hello-node fixture from the UI, see it healthy, change a config var (a new release), scale to 2 (two instances live),
 * set a secret whose value never reaches the page nor any answer the page receives, deploy and roll back with the
 * keyboard alone; every tab has no serious accessibility violation and no sideways scroll at 375 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { skipUnless, waitFor } from '@slipway/testkit';
import type { SlipwaydHarness } from '../e2e/slipwayd-harness.js';
import { fixturesDir } from '../e2e/slipwayd-harness.js';
import {
  chromiumAvailability,
  hasHorizontalScroll,
  launchChromium,
  screenshot,
  seriousViolations,
  signIn,
  startDashboardSlipwayd,
} from './browser-harness.js';

const app = 'web-settings';
const project = 'settings';
const fixture = `${fixturesDir}/hello-node`;
const sentinel = 'sentinel-Vq7pZ3kX9wB2';
const tabs = ['Instances', 'Deployments', 'Releases', 'Scale', 'Config', 'Secrets', 'Routes & domains', 'Environments'];

/** The text of the focused element (the tests read focus; they move it with the keyboard only). */
const focusedText = (page: Page): Promise<string> =>
  page.evaluate<string>('(document.activeElement?.textContent ?? "").trim()');

/** Presses Tab until the focused element's text is `text` (at most `limit` presses). */
async function tabTo(page: Page, text: string | RegExp, limit = 60): Promise<string> {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await focusedText(page);
    if (typeof text === 'string' ? focused === text : text.test(focused)) return focused;
  }
  throw new Error(`no focusable element reads ${String(text)} within ${limit} Tab presses`);
}

/** The deployment id of the link in `locator`'s `/deployments/<id>` href. */
async function deploymentIdOf(page: Page, selector: string): Promise<string> {
  const href = await page.locator(selector).locator('a[href^="/deployments/"]').first().getAttribute('href');
  return decodeURIComponent(href?.split('/').pop() ?? '');
}

describe('dashboard: creating, deploying and changing an app', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const answers: Promise<string>[] = [];

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd({ project });
    browser = await launchChromium();
    ({ context, page } = await signIn(browser, slipwayd));
    // Every answer the page receives but the live stream (which never ends; its events carry no config or secret).
    page.on('response', (response: Response) => {
      if ((response.headers()['content-type'] ?? '').startsWith('text/event-stream')) return;
      answers.push(response.text().catch(() => ''));
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await slipwayd?.destroy();
  });

  it('creates an app from the Apps page and deploys the fixture from a directory, then shows it healthy', async () => {
    await page.getByLabel('Project').selectOption(project);
    await page.getByRole('link', { name: 'New app' }).click();
    await page.getByRole('heading', { name: 'New app' }).waitFor();
    expect(new URL(page.url()).searchParams.get('project')).toBe(project);
    // The name's pattern is one the browser compiles (a bad one would be ignored, with an error in the console).
    await page.getByLabel('App name').fill('Not_A-Name');
    expect(await page.evaluate(`document.querySelector('input[pattern]').validity.patternMismatch`)).toBe(true);
    await page.getByLabel('App name').fill(app);
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { name: `2. Deploy ${app}` }).waitFor();
    await page.getByLabel('Directory on the server').check();
    await page.getByLabel(/^Directory \(on the machine/).fill(fixture);
    await screenshot(page, 'new-app');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByRole('heading', { name: app }).waitFor();
    const deploymentId = await deploymentIdOf(page, '[data-testid="deployment-started"]');
    expect(await slipwayd.settle(deploymentId)).toMatchObject({ state: 'succeeded' });
    await page.getByTestId('app-status').getByText('running').waitFor();
    await page.locator('[data-instance]').first().getByText('healthy').waitFor();
    expect((await slipwayd.api.apps.get(app)).project).toBe(project);
  });

  it('changes a config var: a new release rolls out, linked from the page', async () => {
    const before = (await slipwayd.api.releases.list(app)).releases.length;
    await page.getByRole('tab', { name: 'Config' }).click();
    await page.getByText('No config var yet.').waitFor();
    await page.getByRole('group', { name: 'Add a config var' }).getByLabel('Key').fill('GREETING');
    await page.getByRole('group', { name: 'Add a config var' }).getByLabel('Value').fill('hello from the dashboard');
    await page.getByRole('button', { name: 'Save config' }).click();
    await page.getByText(/a new release rolls out in/).waitFor();
    const deploymentId = await deploymentIdOf(page, '[data-testid="rollout-notice"]');
    expect(await slipwayd.settle(deploymentId)).toMatchObject({ state: 'succeeded' });
    await page.getByLabel('Value of GREETING').waitFor();
    expect(await page.getByLabel('Value of GREETING').inputValue()).toBe('hello from the dashboard');
    await screenshot(page, 'app-config');
    await page.getByRole('tab', { name: 'Releases' }).click();
    await page.getByRole('rowheader', { name: `v${before + 1} current` }).waitFor();
    expect((await slipwayd.api.config.get(app)).config).toMatchObject({ GREETING: 'hello from the dashboard' });
  });

  it('scales to 2: two healthy instances appear live', async () => {
    await page.getByRole('tab', { name: 'Scale' }).click();
    await page.getByLabel(/^Instances of web/).fill('2');
    await screenshot(page, 'app-scale');
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    await page.getByText('Scaled: web 2.').waitFor();
    await page.getByRole('tab', { name: 'Instances' }).click();
    await waitFor(
      async () => {
        const healthy = page.locator('[data-instance]').filter({ hasText: 'healthy' });
        expect(await healthy.count()).toBe(2);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  it('sets a secret whose value reaches neither the page nor any answer it receives', async () => {
    await page.getByRole('tab', { name: 'Secrets' }).click();
    await page.getByText('No secret yet.').waitFor();
    const form = page.getByRole('form', { name: 'Set a secret' });
    await form.getByLabel('Name').fill('API_TOKEN');
    await form.getByLabel('Value').fill(sentinel);
    expect(await form.getByLabel('Value').getAttribute('type')).toBe('password');
    await form.getByRole('button', { name: 'Set secret' }).click();
    await page.locator('[data-secret="API_TOKEN"], [role="alert"]').first().waitFor();
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    await page.locator('[data-secret="API_TOKEN"]').getByText('v1').waitFor();
    expect(await form.getByLabel('Value').inputValue()).toBe('');
    const deploymentId = await deploymentIdOf(page, '[data-testid="rollout-notice"]');
    expect(await slipwayd.settle(deploymentId, 90_000)).toMatchObject({ state: 'succeeded' });
    await screenshot(page, 'app-secrets');
    const encodings = [sentinel, Buffer.from(sentinel).toString('base64'), encodeURIComponent(sentinel)];
    const html = await page.content();
    const received = (await Promise.all(answers)).join('\n');
    expect(answers.length).toBeGreaterThan(10);
    for (const encoded of encodings) {
      expect(html).not.toContain(encoded);
      expect(received).not.toContain(encoded);
    }
  });

  it('deploys with the keyboard alone, and gives focus back when the dialog closes', async () => {
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.locator('[data-instance]').first().waitFor();
    await tabTo(page, 'Deploy a new release');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    // The first radio (git) has focus; the arrow keys pick the directory, Tab reaches its field and the button.
    await page.keyboard.press('ArrowDown');
    const field = page.getByLabel(/^Directory \(on the machine/);
    await field.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(fixture);
    expect(await field.inputValue()).toBe(fixture);
    await tabTo(page, 'Deploy', 5);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="deployment-started"], [role="dialog"] [role="alert"]').first().waitFor();
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await focusedText(page)).toBe('Deploy a new release');
    const deploymentId = await deploymentIdOf(page, '[data-testid="deployment-started"]');
    expect(await slipwayd.settle(deploymentId, 90_000)).toMatchObject({ state: 'succeeded' });
  });

  it('rolls back with the keyboard alone; the dialog keeps focus inside and gives it back', async () => {
    const releases = (await slipwayd.api.releases.list(app)).releases;
    const earlier = new Set((await slipwayd.api.deployments.list(app)).deployments.map((d) => d.id));
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.locator('[data-instance]').first().waitFor();
    await tabTo(page, 'Instances');
    // One arrow a tab, each taking effect before the next (a busy page re-renders between them).
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Deployments', selected: true }).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Releases', selected: true }).waitFor();
    await page.getByRole('rowheader', { name: /current/ }).waitFor();
    const trigger = await tabTo(page, /^Roll back to v\d+$/);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate<boolean>('!!document.activeElement?.closest("[role=dialog]")')).toBe(true);
    }
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await focusedText(page)).toBe(trigger);
    await page.keyboard.press('Space');
    await page.getByRole('dialog').waitFor();
    // The dialog says what it restores: the release, its code and config, and what it replaces.
    const target = Number(trigger.replace(/^Roll back to v/, ''));
    await page.getByRole('dialog').getByText(`This deploys release v${target} again`).waitFor();
    await page
      .getByRole('dialog')
      .getByText(/Config keys it restores: /)
      .waitFor();
    await tabTo(page, 'Roll back', 6);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const rollback = await waitFor(async () => {
      const { deployments } = await slipwayd.api.deployments.list(app);
      const found = deployments.find((d) => !earlier.has(d.id));
      if (found === undefined) throw new Error('no rollback yet');
      return found;
    });
    expect(await slipwayd.settle(rollback.id, 90_000)).toMatchObject({ state: 'succeeded', kind: 'rollback' });
    expect(releases.some((r) => r.number === target)).toBe(true);
    const current = (await slipwayd.api.apps.get(app)).environments.find((e) => e.name === 'production');
    const restored = (await slipwayd.api.releases.list(app)).releases.find((r) => r.number === current?.currentRelease);
    expect(restored?.number === target || restored?.source.kind === 'release').toBe(true);
  });

  it('adds a domain and says why it is not served over HTTPS', async () => {
    await page.getByRole('tab', { name: 'Routes & domains' }).click();
    await page.getByLabel('Add a domain (production)').fill('shop.example.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.locator('[data-domain="shop.example.test"]').getByText('ACME_NOT_CONFIGURED').waitFor();
    await page.getByRole('button', { name: 'Remove shop.example.test' }).click();
    await page.locator('[data-domain="shop.example.test"]').waitFor({ state: 'detached' });
  });

  it('uploads an archive: slipwayd takes it, and the deployment that cannot unpack it fails', async () => {
    await page.getByRole('button', { name: 'Deploy a new release' }).click();
    await page.getByLabel('Upload a .tar.gz archive').check();
    await page
      .getByLabel(/^Archive/)
      .setInputFiles({ name: 'broken.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from('not gzip') });
    await page.getByRole('dialog').getByRole('button', { name: 'Deploy', exact: true }).click();
    // slipwayd takes the upload; the deployment fails when it unpacks it, and says so.
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const deploymentId = await deploymentIdOf(page, '[data-testid="deployment-started"]');
    expect(await slipwayd.settle(deploymentId)).toMatchObject({ state: 'failed' });
  });

  it('has no serious accessibility violation and no sideways scroll at 375 px on any tab', async () => {
    const narrow = await signIn(browser, slipwayd, 'admin', undefined, { width: 375, height: 760 });
    await narrow.page.goto(`${slipwayd.url}/new-app?project=${project}`);
    await narrow.page.getByLabel('App name').waitFor();
    expect(await hasHorizontalScroll(narrow.page)).toBe(false);
    await narrow.page.goto(`${slipwayd.url}/apps/${app}`);
    await narrow.page.locator('[data-instance]').first().waitFor();
    for (const tab of tabs) {
      await narrow.page.getByRole('tab', { name: tab }).click();
      await narrow.page.getByRole('tabpanel').waitFor();
      expect({ tab, violations: await seriousViolations(narrow.page) }).toEqual({ tab, violations: [] });
      expect({ tab, isScrolling: await hasHorizontalScroll(narrow.page) }).toEqual({ tab, isScrolling: false });
    }
    await narrow.context.close();
    // An accessibility scan of every tab takes a while on a busy machine.
  }, 180_000);
});
