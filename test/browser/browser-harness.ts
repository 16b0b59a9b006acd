/**
 * The dashboard's browser tests: a real slipwayd (the e2e harness) and Debian's Chromium driven by playwright-core
 * (headless, no sandbox, no background networking: the machine's network is closed). Screenshots go to
 * `test-results/dashboard/`, written on every run so a person can look at the pages.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import type { Availability } from '@slipway/testkit';
import { repoRoot, SlipwaydHarness } from '../e2e/slipwayd-harness.js';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function chromiumAvailability(): Availability {
  return existsSync(chromiumPath)
    ? { isAvailable: true, reason: '' }
    : { isAvailable: false, reason: `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)` };
}

export const screenshotsDir = join(repoRoot, 'test-results', 'dashboard');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const ownerPassword = 'browser-suite owner password';

/** Gives the owner `admin` a password (with the admin token slipwayd wrote), so the browser can sign in. */
export async function setOwnerPassword(slipwayd: SlipwaydHarness, password = ownerPassword): Promise<void> {
  const response = await slipwayd.fetch('/api/v1/users/admin/password', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  if (response.status !== 204) throw new Error(`setting the password answered ${response.status}`);
}

/**
 * A started slipwayd for a browser suite: the owner `admin` signs in with `ownerPassword`, and `project` (when given)
 * holds `apps`.
 */
export async function startDashboardSlipwayd(
  options: { start?: Parameters<SlipwaydHarness['start']>[0]; project?: string; apps?: readonly string[] } = {},
): Promise<SlipwaydHarness> {
  const slipwayd = await SlipwaydHarness.create();
  await slipwayd.start(options.start);
  await setOwnerPassword(slipwayd);
  const { project } = options;
  if (project !== undefined) {
    await slipwayd.api.projects.create({ name: project });
    for (const app of options.apps ?? []) await slipwayd.api.apps.create({ name: app, project });
  }
  return slipwayd;
}

/** Opens the dashboard in a new context and signs in through its form. */
export async function signIn(
  browser: Browser,
  slipwayd: SlipwaydHarness,
  user = 'admin',
  password = ownerPassword,
  viewport = { width: 1280, height: 860 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${slipwayd.url}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
}

/** The serious and critical accessibility violations axe finds on the page (ids and their first target). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ') ?? ''} (${v.help})`);
}

/** Whether the page scrolls sideways (a layout wider than its viewport). */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  // A string expression: it runs in the page, where the DOM is (the tests' own types are Node's).
  return page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}

/**
 * Writes `files` (name → content) to a new temporary directory and deploys it as `app`, which must succeed; returns
 * the directory (the caller removes it).
 */
export async function deployFiles(
  slipwayd: SlipwaydHarness,
  app: string,
  files: Readonly<Record<string, string>>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `slipway-web-${app}-`));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const { deployment } = await slipwayd.api.deployments.create(app, { path: dir });
  const settled = await slipwayd.settle(deployment.id);
  if (settled.state !== 'succeeded') throw new Error(`deploying ${app} ended ${settled.state}`);
  return dir;
}
