/**
 * The Catalog page in a real browser against a real slipwayd: services with their health in words and an instance's
 * checks with their output; the KV store browsed like folders; a key edited with CAS (changed behind the page's back
 * through the Consul HTTP API, the save is refused and the newer value shown, then saved on it); a key created and
 * deleted (after a confirmation); the page following a change made elsewhere, live; a reader offered no edit. No
 * serious accessibility violation, no sideways scroll at 375 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { skipUnless } from '@slipway/testkit';
import { createUser, password } from '../e2e/identity-fixtures.js';
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

describe('dashboard catalog', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let admin: string;

  /** A request to the catalog's Consul HTTP API as the admin: what another client of the catalog would do. */
  const consul = async (
    method: 'GET' | 'PUT',
    path: string,
    body?: string,
  ): Promise<{ status: number; text: string }> => {
    const response = await fetch(`http://127.0.0.1:${slipwayd.catalogPort}${path}`, {
      method,
      headers: { 'x-consul-token': admin },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd();
    admin = (await slipwayd.adminToken()) ?? '';
    const register = (id: string, port: number) =>
      consul(
        'PUT',
        '/v1/agent/service/register',
        JSON.stringify({ Name: 'billing', ID: id, Port: port, Check: { TTL: '10m' } }),
      );
    expect((await register('billing-1', 9000)).status).toBe(200);
    expect((await register('billing-2', 9001)).status).toBe(200);
    expect((await consul('PUT', '/v1/agent/check/pass/service:billing-1?note=all%20good')).status).toBe(200);
    expect((await consul('PUT', '/v1/kv/app/conf', 'color=blue')).status).toBe(200);
    expect((await consul('PUT', '/v1/kv/app/db/url', 'postgres://db')).status).toBe(200);
    expect((await consul('PUT', '/v1/kv/other/x', 'x')).status).toBe(200);
    await createUser(slipwayd, 'reader');
    const rule = await slipwayd.fetch('/api/v1/catalog/acl/rules', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'reader', resource: 'key', prefix: 'app/', policy: 'read' }),
    });
    expect(rule.status).toBe(200);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
  });

  it('shows services with their health in words, and an instance with its checks and their output', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    const row = page.locator('[data-service="billing"]');
    await row.getByText('1 passing, 1 critical').waitFor();
    await row.getByRole('button', { name: 'billing' }).click();
    const instance = page.locator('[data-instance="billing-1"]');
    await instance.getByText('all good').waitFor();
    expect(await instance.locator('[data-status="passing"]').count()).toBeGreaterThan(0);
    await page.locator('[data-instance="billing-2"] [data-status="critical"]').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('edits a key with CAS: a change made meanwhile is reported with the newer value, then saved on it', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/catalog`);
    await page.getByRole('button', { name: 'app/ (folder)' }).click();
    await page.getByRole('button', { name: 'db/ (folder)' }).waitFor();
    await page.getByRole('button', { name: 'conf', exact: true }).click();
    const value = page.getByTestId('kv-value');
    expect(await value.textContent()).toBe('color=blue');
    await page.getByRole('button', { name: 'Edit' }).click();
    expect((await consul('PUT', '/v1/kv/app/conf', 'color=green')).status).toBe(200);
    const editor = page.getByLabel('Value of app/conf');
    await editor.fill('color=red');
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByTestId('kv-conflict');
    await conflict.getByText('Not saved').waitFor();
    expect(await page.getByTestId('kv-newer-value').textContent()).toBe('color=green');
    expect((await consul('GET', '/v1/kv/app/conf?raw')).text).toBe('color=green');
    expect(await seriousViolations(page)).toEqual([]);
    await conflict.getByRole('button', { name: 'Edit the newer value' }).click();
    expect(await editor.inputValue()).toBe('color=green');
    await editor.fill('color=purple');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('kv-value').getByText('color=purple').waitFor();
    expect((await consul('GET', '/v1/kv/app/conf?raw')).text).toBe('color=purple');
    await context.close();
  });

  it('creates a key and deletes it after a confirmation', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/catalog?prefix=app%2F`);
    await page.getByLabel('Key name').fill('feature');
    await page.getByLabel('Value', { exact: true }).fill('on');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'app/feature' }).waitFor();
    await page.locator('[data-key="app/feature"]').waitFor();
    expect((await consul('GET', '/v1/kv/app/feature?raw')).text).toBe('on');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete app/feature?' });
    await dialog.getByRole('button', { name: 'Delete key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-key="app/feature"]').waitFor({ state: 'detached' });
    expect((await consul('GET', '/v1/kv/app/feature')).status).toBe(404);
    await context.close();
  });

  it('follows changes made elsewhere live, and takes a screenshot', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/catalog?service=billing&prefix=app%2F&key=app%2Fconf`);
    await page.getByTestId('kv-value').getByText('color=purple').waitFor();
    await page.getByText(/live at index \d+/).waitFor();
    expect((await consul('PUT', '/v1/kv/app/live', 'new')).status).toBe(200);
    expect((await consul('PUT', '/v1/kv/app/conf', 'color=teal')).status).toBe(200);
    await page.locator('[data-key="app/live"]').waitFor();
    await page.getByTestId('kv-value').getByText('color=teal').waitFor();
    expect((await consul('PUT', '/v1/agent/check/pass/service:billing-2')).status).toBe(200);
    await page.locator('[data-service="billing"]').getByText('2 passing').waitFor();
    await screenshot(page, 'catalog');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('offers a reader no edit, and fits 375 px without scrolling sideways', async () => {
    const { context, page } = await signIn(browser, slipwayd, 'reader', password, narrow);
    await page.goto(`${slipwayd.url}/catalog?prefix=app%2F&key=app%2Fconf`);
    await page.getByTestId('kv-value').getByText('color=teal').waitFor();
    await page.getByText('Your catalog rules let you read this key, not change it.').waitFor();
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await page.locator('[data-key="other/x"]').count()).toBe(0);
    await page.getByText(/live at index \d+/).waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
