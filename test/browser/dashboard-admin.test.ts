/**
 * The Administration pages in a real browser against a real slipwayd: an API token created from the page shows its
 * secret once (gone from the page once the dialog closes, never in the list) and works against the API; the audit
 * log lists its creation, a filter narrows it, and "Verify chain" says the chain is intact; the system status shows
 * the edge running. Every page has no serious accessibility violation and no sideways scroll at 375 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { skipUnless } from '@slipway/testkit';
import type { SlipwaydHarness } from '../e2e/slipwayd-harness.js';
import {
  chromiumAvailability,
  hasHorizontalScroll,
  launchChromium,
  screenshot,
  seriousViolations,
  signIn,
  startDashboardSlipwayd,
} from './browser-harness.js';

const narrow = { width: 375, height: 760 };

describe('dashboard administration', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
  });

  async function isNarrowClean(path: string, ready: (page: Page) => Promise<void>): Promise<boolean> {
    const narrowSession = await signIn(browser, slipwayd, 'admin', undefined, narrow);
    await narrowSession.page.goto(`${slipwayd.url}${path}`);
    await ready(narrowSession.page);
    const scrolls = await hasHorizontalScroll(narrowSession.page);
    await narrowSession.context.close();
    return !scrolls;
  }

  it('creates an API token whose secret is shown once and works against the API', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByLabel('Name').fill('ci-deploy');
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Token ci-deploy created' });
    await dialog.waitFor();
    const secret = (await dialog.getByTestId('token-secret').textContent()) ?? '';
    expect(secret.length).toBeGreaterThan(20);
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('[data-token="ci-deploy"]');
    await row.getByText('active').waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await row.textContent()).not.toContain(secret);
    await screenshot(page, 'admin-tokens');
    expect(await seriousViolations(page)).toEqual([]);

    const whoami = await fetch(`${slipwayd.url}/api/v1/auth/whoami`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({
      user: { name: 'admin' },
      credential: { kind: 'api-token' },
    });
    expect(await isNarrowClean('/admin/tokens', (p) => p.locator('[data-token]').first().waitFor())).toBe(true);
    await context.close();
  });

  it('lists the token creation in the audit log, narrows it by a filter, and verifies the chain', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/admin/audit`);
    const created = page.locator('[data-audit-action="tokens.create"]');
    await created.first().waitFor();
    const rows = page.locator('[data-audit-action]');
    const allCount = await rows.count();
    await page.getByLabel('Action').fill('tokens.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('[data-audit-action]:not([data-audit-action="tokens.create"])').first().waitFor({
      state: 'detached',
    });
    const filteredCount = await rows.count();
    expect(filteredCount).toBe(await created.count());
    expect(filteredCount).toBeGreaterThanOrEqual(1);
    expect(filteredCount).toBeLessThan(allCount);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page
      .getByTestId('audit-verdict')
      .getByText(/The chain is intact/)
      .waitFor();
    await screenshot(page, 'admin-audit');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await isNarrowClean('/admin/audit', (p) => p.locator('[data-audit-action]').first().waitFor())).toBe(true);
    await context.close();
  });

  it('shows the system status with the edge running', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/admin`);
    await page.getByRole('tab', { name: 'System status' }).click();
    await page.getByTestId('edge-status').getByText('running').waitFor();
    expect(page.url()).toMatch(/\/admin\/status$/);
    await screenshot(page, 'admin-status');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await isNarrowClean('/admin/status', (p) => p.getByTestId('edge-status').waitFor())).toBe(true);
    await context.close();
  });
});
