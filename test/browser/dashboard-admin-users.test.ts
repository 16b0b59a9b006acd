/**
 * Users and grants from the dashboard, in a real browser against a real slipwayd: an admin creates a user and grants
 * viewer on a project; the user, signed in in another browser, sees that project's apps but no deploy button and no
 * users page; revoking the grant refuses the user's next request; the last owner cannot lose the role (the coded
 * refusal is shown); a password set from the page works. No password typed is in the page's text afterwards nor in
 * slipwayd's logs. The page has no serious accessibility violation and no sideways scroll at 375 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { skipUnless } from '@slipway/testkit';
import { SlipwaydHarness } from '../e2e/slipwayd-harness.js';
import {
  chromiumAvailability,
  hasHorizontalScroll,
  launchChromium,
  screenshot,
  seriousViolations,
  setOwnerPassword,
  signIn,
} from './browser-harness.js';

const project = 'shop';
const app = 'storefront';
const user = 'vera';
const initialPassword = 'sentinel-initial-Rk4wQ8zN2p';
const newPassword = 'sentinel-new-Jt6yH3mC9x';

/** The HTTP status of a GET the page sends with its own session (a string expression: it runs in the page). */
const statusOf = (page: Page, path: string): Promise<number> =>
  page.evaluate<number>(
    `fetch(${JSON.stringify(path)}, { headers: { 'x-slipway-csrf': '1' } }).then((response) => response.status)`,
  );

describe('dashboard administration: users and grants', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page };
  let viewer: { context: BrowserContext; page: Page } | undefined;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    // The most talkative level slipwayd has, so the search of its logs for a password means something.
    await slipwayd.start({ logLevel: 'trace' });
    await setOwnerPassword(slipwayd);
    await slipwayd.api.projects.create({ name: project });
    await slipwayd.api.projects.create({ name: 'other' });
    await slipwayd.api.apps.create({ name: app, project });
    await slipwayd.api.apps.create({ name: 'elsewhere', project: 'other' });
    browser = await launchChromium();
    admin = await signIn(browser, slipwayd);
  }, 120_000);

  afterAll(async () => {
    await viewer?.context.close();
    await admin?.context.close();
    await browser?.close();
    await slipwayd?.destroy();
  });

  it('creates a user and grants viewer on a project, shown in the users table', async () => {
    const { page } = admin;
    await page.goto(`${slipwayd.url}/admin`);
    await page.getByRole('tab', { name: 'Users and grants' }).click();
    expect(page.url()).toMatch(/\/admin\/users$/);
    const create = page.getByRole('form', { name: 'Create a user' });
    await create.getByLabel('User name').fill(user);
    await create.getByLabel(/^Initial password/).fill(initialPassword);
    await create.getByRole('button', { name: 'Create user' }).click();
    const row = page.locator(`[data-user="${user}"]`);
    await row.waitFor();
    expect(await create.getByLabel(/^Initial password/).inputValue()).toBe('');
    expect(await row.textContent()).toContain('none');

    const grant = page.getByRole('form', { name: 'Grant a role' });
    await grant.getByLabel(/^User/).selectOption(user);
    await grant.getByLabel(/^Project/).selectOption(project);
    await grant.getByLabel(/^Role/).selectOption('viewer');
    await grant.getByRole('button', { name: 'Grant role' }).click();
    await row.locator(`[data-grant="${project}"]`).getByText(`${project}: viewer`).waitFor();
    const users = (await slipwayd.api.users.list()).users;
    expect(users.find((u) => u.name === user)?.grants).toEqual([{ role: 'viewer', project }]);

    await screenshot(page, 'admin-users');
    expect(await seriousViolations(page)).toEqual([]);
    const narrow = await signIn(browser, slipwayd, 'admin', undefined, { width: 375, height: 760 });
    await narrow.page.goto(`${slipwayd.url}/admin/users`);
    await narrow.page.locator(`[data-user="${user}"]`).waitFor();
    expect(await hasHorizontalScroll(narrow.page)).toBe(false);
    await narrow.context.close();
  }, 120_000);

  it("lets the viewer see the project's apps, with no deploy button and no users page", async () => {
    viewer = await signIn(browser, slipwayd, user, initialPassword);
    const { page } = viewer;
    await page.getByRole('link', { name: app }).waitFor();
    expect(await page.getByLabel('Project').locator('option').allTextContents()).toEqual([project]);
    // Creating an app takes admin on the project: a viewer is not offered it.
    expect(await page.getByRole('link', { name: 'New app' }).count()).toBe(0);
    await page.getByRole('link', { name: app }).click();
    await page.getByText(`Project ${project}`).waitFor();
    expect(await page.getByRole('button', { name: /Deploy/ }).count()).toBe(0);

    await page.goto(`${slipwayd.url}/admin/users`);
    await page.getByRole('note').getByText('This needs the role admin').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Create a user' }).count()).toBe(0);
    expect(await statusOf(page, '/api/v1/users')).toBe(403);
    expect(await statusOf(page, `/api/v1/projects/${project}/apps`)).toBe(200);
  });

  it("refuses the user's next request once the admin revokes the grant", async () => {
    const { page } = admin;
    await page.goto(`${slipwayd.url}/admin/users`);
    const row = page.locator(`[data-user="${user}"]`);
    await row.getByRole('button', { name: `Revoke viewer on ${project} from ${user}` }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke the role viewer on ${project} from ${user}?` });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.locator('[data-grant]').first().waitFor({ state: 'detached' });

    const viewerPage = viewer?.page;
    if (viewerPage === undefined) throw new Error('the viewer is not signed in');
    expect(await statusOf(viewerPage, `/api/v1/projects/${project}/apps`)).toBe(403);
    const projects = viewerPage.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/projects');
    await viewerPage.goto(`${slipwayd.url}/`);
    expect((await projects).status()).toBe(403);
    await viewerPage.getByRole('heading', { name: 'Apps' }).waitFor();
    expect(await viewerPage.getByRole('link', { name: app }).count()).toBe(0);
  });

  it("shows the server's coded refusal when the last owner would lose the role", async () => {
    const { page } = admin;
    await page.goto(`${slipwayd.url}/admin/users`);
    await page.locator('[data-user="admin"]').getByRole('button', { name: 'Revoke owner globally from admin' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the role owner globally from admin?' });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/VALIDATION_FAILED.*last owner/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await slipwayd.api.users.list()).users.find((u) => u.name === 'admin')?.grants).toEqual([
      { role: 'owner', project: null },
    ]);
  });

  it('sets a password that works, and no password typed is in the page or in the logs', async () => {
    const { page } = admin;
    await page.goto(`${slipwayd.url}/admin/users`);
    const form = page.getByRole('form', { name: 'Set a password' });
    await form.getByLabel(/^User/).selectOption(user);
    await form.getByLabel(/^New password/).fill(newPassword);
    await form.getByRole('button', { name: 'Set password' }).click();
    await form.getByRole('status').getByText(`Password of ${user} set`).waitFor();
    expect(await form.getByLabel(/^New password/).inputValue()).toBe('');

    const again = await signIn(browser, slipwayd, user, newPassword);
    const pages = [page, again.page, ...(viewer === undefined ? [] : [viewer.page])];
    for (const shown of pages) {
      const text = await shown.content();
      expect(text).not.toContain(initialPassword);
      expect(text).not.toContain(newPassword);
    }
    await again.context.close();
    expect(slipwayd.output.length).toBeGreaterThan(0);
    expect(slipwayd.output).not.toContain(initialPassword);
    expect(slipwayd.output).not.toContain(newPassword);
    const audit = await (await slipwayd.fetch('/api/v1/audit?limit=200')).text();
    expect(audit).toContain('users.set-password');
    expect(audit).not.toContain(initialPassword);
    expect(audit).not.toContain(newPassword);
  }, 120_000);
});
