/**
 * The dashboard in a real browser against a real slipwayd: signing in sets HttpOnly, SameSite=Strict cookies and no
 * token reaches the page; the apps list and an app's page show a deployed app as running; every page has no serious
 * or critical accessibility violation and no sideways scroll at 375 px; a state-changing request without the CSRF
 * header is refused; signing out ends the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
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

const app = 'web-hello';

describe('dashboard sessions and first pages', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd({ project: 'web', apps: [app] });
    const { deployment } = await slipwayd.api.deployments.create(app, { path: `${fixturesDir}/hello-node` });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
  });

  it('serves the dashboard at / with its own content security policy, and the API keeps its 404s', async () => {
    const page = await fetch(`${slipwayd.url}/apps/${app}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('<div id="root">');
    const unknown = await fetch(`${slipwayd.url}/api/v1/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('signs in with HttpOnly, SameSite=Strict cookies; the page never holds a token', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    const cookies = await context.cookies();
    const access = cookies.find((c) => c.name === 'slipway_access');
    const refresh = cookies.find((c) => c.name === 'slipway_refresh');
    expect(access).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth/web' });
    expect(await page.evaluate('document.cookie')).toBe('');
    const stored = String(
      await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })'),
    );
    expect(stored).not.toContain(access?.value.slice(0, 24) ?? 'none');
    await context.close();
  });

  it('lists the app as running and opens its page with its instance and release', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    const row = page.getByRole('row', { name: new RegExp(app) });
    await row.getByText('running').waitFor();
    await row.getByText('1/1 healthy').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await screenshot(page, 'apps');
    expect(await seriousViolations(page)).toEqual([]);
    await row.getByRole('link', { name: app }).click();
    await page.getByRole('heading', { name: app }).waitFor();
    await page.getByTestId('app-status').getByText('running').waitFor();
    await page.locator('[data-instance]').first().getByText('healthy').waitFor();
    await screenshot(page, 'app-instances');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: 'Releases' }).click();
    await page.getByRole('rowheader', { name: /v1/ }).waitFor();
    await screenshot(page, 'app-releases');
    await context.close();
  });

  it('has no sideways scroll at 375 px and no serious accessibility violation on the sign-in page', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 760 } });
    const page = await context.newPage();
    await page.goto(`${slipwayd.url}/`);
    await page.getByLabel('User name').waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-375');
    await context.close();
    const signedIn = await signIn(browser, slipwayd, 'admin', undefined, { width: 375, height: 760 });
    await signedIn.page.getByRole('row', { name: new RegExp(app) }).waitFor();
    expect(await hasHorizontalScroll(signedIn.page)).toBe(false);
    await screenshot(signedIn.page, 'apps-375');
    await signedIn.page.goto(`${slipwayd.url}/apps/${app}`);
    await signedIn.page.locator('[data-instance]').first().waitFor();
    expect(await hasHorizontalScroll(signedIn.page)).toBe(false);
    await screenshot(signedIn.page, 'app-375');
    await signedIn.context.close();
  });

  it('refuses a cookie-authenticated change without the CSRF header, and signing out ends the session', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    const refused = await page.evaluate(async () => {
      const response = await fetch('/api/v1/projects', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'csrf-probe' }),
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'CSRF_HEADER_MISSING' } } });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await context.cookies()).map((c) => c.name)).toEqual([]);
    const whoami = await page.evaluate(async () => (await fetch('/api/v1/auth/whoami')).status);
    expect(whoami).toBe(401);
    await waitFor(async () => {
      const projects = (await slipwayd.api.projects.list()).projects.map((p) => p.name);
      expect(projects).not.toContain('csrf-probe');
    });
    await context.close();
  });
});

describe('the dashboard of a slipwayd with no project yet', skipUnless(chromiumAvailability()), () => {
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

  it('says so on the Apps page, and New app makes the first app in project default', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.getByText('No project and no app yet.').waitFor();
    await page.getByRole('link', { name: 'New app' }).first().click();
    await page.getByText('There is no project yet: project default is made with the app.').waitFor();
    expect(await page.getByLabel('Project').inputValue()).toBe('default');
    await page.getByLabel('App name').fill('first');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { name: '2. Deploy first' }).waitFor();
    expect((await slipwayd.api.apps.list()).apps.map((a) => [a.name, a.project])).toEqual([['first', 'default']]);
    await context.close();
  });
});
