/**
 * The dashboard's quality gates in a real browser against a real slipwayd: the status it shows is the truth (an
 * instance killed behind slipwayd's back shows without a reload, and a slipwayd that stops observing leaves the
 * status "unknown (last seen …)" by the page's own clock, on the app page and in the apps list); a tab whose session ended server-side shows the sign-in
 * form and stops asking. (Eight tabs live over HTTP/1.1 is gated in dashboard-many-tabs.test.ts; keyboard-only deploy
 * and rollback in dashboard-app-settings.test.ts; no secret on any page in dashboard-secrets-gate.test.ts.)
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { skipUnless, waitFor } from '@slipway/testkit';
import type { SlipwaydHarness } from '../e2e/slipwayd-harness.js';
import {
  chromiumAvailability,
  deployFiles,
  launchChromium,
  ownerPassword,
  setOwnerPassword,
  signIn,
  startDashboardSlipwayd,
} from './browser-harness.js';

const project = 'gates';
const app = 'gates-live';
const probeIntervalMs = 1_000;
/** The live stream's heartbeat: a stream silent for two of them (and a second) counts as dropped. */
const heartbeatMs = 1_000;

/** Serves a health endpoint and says its greeting (a config var) when it starts. */
const server = `console.log('greeting ' + (process.env.GREETING || 'none'));
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));
`;

const manifest = `processes:
  web:
    healthCheck: { type: http, path: /healthz, intervalSeconds: ${probeIntervalMs / 1000} }
`;

/** The status the app page's header shows (its `data-status`). */
const headerStatus = (page: Page): Promise<string | null> =>
  page.getByTestId('app-status').locator('[data-status]').first().getAttribute('data-status');

describe('dashboard quality gates: status truth, an ended session', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd({
      start: { env: { SLIPWAY_LIVE_HEARTBEAT_MS: String(heartbeatMs) } },
      project,
      apps: [app],
    });
    dir = await deployFiles(slipwayd, app, {
      Procfile: 'web: node server.js\n',
      'slipway.yaml': manifest,
      'server.js': server,
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('shows an instance killed behind its back without a reload, and "unknown" while nothing is observed', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.getByTestId('app-status').locator('[data-status="running"]').waitFor();
    const [instance] = (await slipwayd.api.instances.list(app)).instances;
    if (instance?.pid === null || instance?.pid === undefined) throw new Error('no instance with a pid');
    const row = page.locator(`[data-instance="${instance.id}"]`);
    await row.locator('[data-status="healthy"]').waitFor();
    // Every status the page shows from here on, however briefly (string expressions run in the page).
    await page.evaluate(`(() => {
      window.seenStatuses = new Set();
      const record = () => document.querySelectorAll('[data-testid="app-status"] [data-status], [data-instance] [data-status]')
        .forEach((badge) => window.seenStatuses.add(badge.getAttribute('data-status')));
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);

    process.kill(instance.pid, 'SIGKILL');
    // Within two probe intervals and a second: the killed instance is shown not running, and the app not running.
    await waitFor(
      async () => {
        const seen = await page.evaluate<string[]>('[...window.seenStatuses]');
        expect(seen.some((status) => status !== 'running' && status !== 'healthy')).toBe(true);
      },
      { timeoutMs: 2 * probeIntervalMs + 1_000, intervalMs: 50 },
    );
    const restarted = await waitFor(async () => {
      const [again] = (await slipwayd.api.instances.list(app)).instances;
      expect(again?.restarts ?? 0).toBeGreaterThanOrEqual(1);
      return again;
    });
    await page.getByTestId('app-status').locator('[data-status="running"]').waitFor({ timeout: 30_000 });
    await page
      .locator(`[data-instance="${restarted?.id ?? ''}"]`)
      .getByRole('cell', { name: /^1( \(last exit -?\d+\))?$/ })
      .waitFor();

    // slipwayd stops (nothing observes, nothing is sent): the page ages the status by its own clock.
    const pid = slipwayd.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    try {
      await page
        .getByTestId('app-status')
        .getByText(/unknown \(last seen \d+ s ago\)/)
        .waitFor({ timeout: 3 * probeIntervalMs + 2 * probeIntervalMs + 1_000 });
      expect(await headerStatus(page)).toBe('unknown');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await page.getByTestId('app-status').locator('[data-status="running"]').waitFor({ timeout: 30_000 });
    await context.close();
  }, 90_000);

  it('ages the apps list by its own clock once its stream goes silent, and shows the truth again after', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/?project=${project}`);
    const row = page.getByRole('row', { name: new RegExp(`^${app}\\b`) });
    await row.locator('[data-status="running"]').waitFor({ timeout: 30_000 });
    // slipwayd hangs with the stream's connection open: no byte comes, not even a heartbeat.
    const pid = slipwayd.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    try {
      // Two heartbeats and a second of silence drop the stream; the status was last confirmed before that.
      await row.getByText(/unknown \(last seen \d+ s ago\)/).waitFor({ timeout: 3 * heartbeatMs + 10_000 });
      expect(await row.locator('[data-status]').first().getAttribute('data-status')).toBe('unknown');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await row.locator('[data-status="running"]').waitFor({ timeout: 30_000 });
    await context.close();
  }, 90_000);

  it('shows the sign-in form once the session ended server-side, and asks at most 3 times a minute', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.clock.install();
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.getByTestId('app-status').locator('[data-status]').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));

    // Setting the owner's password ends every session of theirs; the open stream is closed within 5 s.
    await setOwnerPassword(slipwayd, ownerPassword);
    await waitFor(
      async () => {
        await page.clock.runFor(1_000);
        await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 200 });
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await page.clock.runFor(60_000);
    expect(requests.length, requests.join(', ')).toBeLessThanOrEqual(3);
    await page.getByLabel('User name').waitFor();
    await context.close();
  }, 60_000);
});
