/**
 * The dashboard's "no secret on any page" gate in a real browser against a real slipwayd: an app holds secrets in
 * four shapes (a plain value, base64 of a value, a URL with a credential in it, a PEM block), its build and its
 * instance print them; no page of the dashboard (the apps list, every tab of the app, its deployment, the delivery
 * pages, the administration pages), no answer the pages receive and no log download holds any form of them, and the
 * log views show the printed secrets masked.
 */
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request, Response } from 'playwright-core';
import { skipUnless, waitFor } from '@slipway/testkit';
import type { SlipwaydHarness } from '../e2e/slipwayd-harness.js';
import {
  chromiumAvailability,
  deployFiles,
  launchChromium,
  signIn,
  startDashboardSlipwayd,
} from './browser-harness.js';

const project = 'vault';
const app = 'vault-app';
const plain = 'sentinel-plain-Jq4vR8';
const encoded = Buffer.from('sentinel-base64-Tn2wX6').toString('base64');
const password = 'sentinel-password-Hc5mZ1';
const url = `postgres://app:${password}@db.internal:5432/app`;
const pemBody = 'MIIEvQsentinelPemBodyLk9Wd3Rt7Yq2Xb8Nf4Pa6Jc1Ue5Gh0Sm';
const pem = ['-----BEGIN PRIVATE KEY-----', pemBody, '-----END PRIVATE KEY-----'].join('\n');
const secrets = { API_TOKEN: plain, SIGNING_KEY_B64: encoded, DATABASE_URL: url, TLS_KEY: pem };

/** Every form of every secret that must appear nowhere: the values, their parts, and their usual encodings. */
const forbidden = [plain, encoded, password, url, pemBody, 'sentinel-base64-Tn2wX6'].flatMap((value) => [
  value,
  encodeURIComponent(value),
  Buffer.from(value).toString('base64'),
  JSON.stringify(value).slice(1, -1),
]);

/** Prints each secret it was given, as a careless app would. */
const server = `for (const name of ['API_TOKEN', 'SIGNING_KEY_B64', 'DATABASE_URL', 'TLS_KEY']) {
  console.log(name + '=' + process.env[name]);
}
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));
`;

const manifest = `build:
  command: echo "build sees $API_TOKEN and $DATABASE_URL"
processes:
  web:
    healthCheck: { type: http, path: / }
`;

/** The forms of a secret that `text` holds (none, when the gate holds). */
const leaksIn = (text: string): string[] => [...new Set(forbidden.filter((form) => text.includes(form)))];

describe('dashboard quality gate: no secret on any page', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let deploymentId: string;
  const answers: Promise<string>[] = [];
  const inflight = new Set<Request>();

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd({ project, apps: [app] });
    await slipwayd.api.secrets.change(app, { set: secrets });
    dir = await deployFiles(slipwayd, app, {
      Procfile: 'web: node server.js\n',
      'slipway.yaml': manifest,
      'server.js': server,
    });
    deploymentId = (await slipwayd.api.deployments.list(app)).deployments[0]?.id ?? '';
    browser = await launchChromium();
    ({ context, page } = await signIn(browser, slipwayd));
    // Every answer the page receives but the live stream (never ending; what it carries is shown on the pages).
    page.on('response', (response: Response) => {
      if ((response.headers()['content-type'] ?? '').startsWith('text/event-stream')) return;
      answers.push(response.text().catch(() => ''));
    });
    // The API calls in flight (not the live stream), to wait for a page's answers before reading it.
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/') && !path.startsWith('/api/v1/stream')) inflight.add(request);
    });
    page.on('requestfinished', (request) => inflight.delete(request));
    page.on('requestfailed', (request) => inflight.delete(request));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await slipwayd?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Waits until the page's API calls are answered and none follows for 300 ms (at most 15 s, then reads anyway). */
  const answered = (): Promise<void> =>
    waitFor(
      async () => {
        expect(inflight.size).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(inflight.size).toBe(0);
      },
      { timeoutMs: 15_000 },
    ).catch(() => undefined);

  /** The page's whole document, checked for every form of every secret. */
  const expectNoSecret = async (where: string): Promise<void> => {
    const html = await page.evaluate<string>('document.documentElement.outerHTML');
    expect({ where, leaks: leaksIn(html) }).toEqual({ where, leaks: [] });
  };

  /** Downloads what the log view shows, checked like a page. */
  const expectCleanDownload = async (where: string): Promise<string> => {
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const text = await readFile((await (await downloading).path()) ?? '', 'utf8');
    expect({ where, leaks: leaksIn(text) }).toEqual({ where, leaks: [] });
    return text;
  };

  it('shows the printed secrets masked in the app log and the deployment log, and downloads them masked', async () => {
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.getByRole('tab', { name: 'Logs' }).click();
    const log = page.getByRole('log', { name: `Logs of ${app}` });
    for (const name of Object.keys(secrets)) await log.getByText(`${name}=***`).first().waitFor();
    await expectNoSecret('app logs');
    const appLog = await expectCleanDownload('app log download');
    expect(appLog).toContain('API_TOKEN=***');

    await page.goto(`${slipwayd.url}/deployments/${deploymentId}`);
    const deploymentLog = page.getByRole('log', { name: 'Deployment log' });
    await deploymentLog.getByText('build sees *** and ***').first().waitFor();
    await expectNoSecret('deployment page');
    await expectCleanDownload('deployment log download');
  });

  it('holds no secret on any tab of the app', async () => {
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.locator('[data-instance]').first().waitFor();
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs).toContain('Secrets');
    for (const tab of tabs) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tabpanel').waitFor();
      if (tab === 'Secrets') {
        for (const name of Object.keys(secrets)) await page.locator(`[data-secret="${name}"]`).waitFor();
      }
      if (tab === 'Releases') await page.getByRole('rowheader', { name: /current/ }).waitFor();
      await answered();
      await expectNoSecret(`app tab ${tab}`);
    }
  });

  it('holds no secret on the apps list, the delivery pages and the administration pages', async () => {
    const pages: [string, (p: Page) => Promise<void>][] = [
      ['/', (p) => p.getByRole('row', { name: new RegExp(app) }).waitFor()],
      [`/new-app?project=${project}`, (p) => p.getByLabel('App name').waitFor()],
      [`/delivery?project=${project}&app=${app}`, (p) => p.getByRole('heading').first().waitFor()],
      ['/delivery/approvals', (p) => p.getByTestId('approvals-count').waitFor()],
      ['/delivery/notifications', (p) => p.getByRole('heading', { name: 'Deliveries' }).waitFor()],
      ['/admin/tokens', (p) => p.getByRole('button', { name: 'Create token' }).waitFor()],
      ['/admin/audit', (p) => p.locator('[data-audit-action]').first().waitFor()],
      ['/admin/status', (p) => p.getByTestId('edge-status').waitFor()],
    ];
    for (const [path, ready] of pages) {
      await page.goto(`${slipwayd.url}${path}`);
      await ready(page);
      await answered();
      await expectNoSecret(path);
    }
    // The audit log records the secrets' change by name, never by value.
    await page.goto(`${slipwayd.url}/admin/audit`);
    await page.locator('[data-audit-action^="secrets."]').first().waitFor();
    await expectNoSecret('/admin/audit (secrets change)');
  });

  it('received no answer holding a secret on any of those pages', async () => {
    const received = await Promise.all(answers);
    expect(received.length).toBeGreaterThan(20);
    expect(leaksIn(received.join('\n'))).toEqual([]);
  });
});
