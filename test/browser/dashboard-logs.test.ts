/**
 * Deployment progress and logs in a real browser against a real slipwayd: a deployment's page shows its phases
 * reaching succeeded and its log; the app's Logs tab shows its lines live, and goes on across a restart of slipwayd
 * with no line missing and none twice (by the persisted ids each line carries); a download holds the lines shown;
 * the pages have no serious accessibility violation and no sideways scroll at 375 px.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LogLineView } from '@slipway/contract';
import { skipUnless, waitFor } from '@slipway/testkit';
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

const app = 'web-logs';

/** Counts ticks on stdout, every fifth in green (an ANSI colour), and serves. */
const server = `let n = 0;
setInterval(() => {
  n += 1;
  console.log(n % 5 === 0 ? 'tick ' + n + ' \\u001b[32mgreen\\u001b[0m' : 'tick ' + n);
}, 100);
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));
`;

/** Every persisted line of the app, oldest first, read page by page. */
async function allLines(slipwayd: SlipwaydHarness): Promise<LogLineView[]> {
  const lines: LogLineView[] = [];
  let after = 0;
  for (;;) {
    const answer = await slipwayd.fetch(`/api/v1/apps/${app}/logs?after=${after}&tail=10000`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { lines: LogLineView[]; nextAfter?: number };
    lines.push(...body.lines);
    if (body.nextAfter === undefined) return lines;
    after = body.nextAfter;
  }
}

/** The ids of the lines the page's log view shows, in order (string expressions run in the page, where the DOM is). */
async function shownIds(page: Page): Promise<number[]> {
  const ids = await page.evaluate<string[]>(
    "[...document.querySelectorAll('[data-line-id]')].map((line) => line.getAttribute('data-line-id'))",
  );
  return ids.map(Number);
}

/** A number read from the page's log box (`box` in `expression`). */
const fromLogBox = (page: Page, expression: string): Promise<number> =>
  page.evaluate<number>(`(() => { const box = document.querySelector('[role="log"]'); return ${expression}; })()`);

const lastTick = async (page: Page): Promise<number> => {
  const texts = await page.locator('[data-line-id]').allTextContents();
  return Math.max(0, ...texts.map((t) => Number(/tick (\d+)/.exec(t)?.[1] ?? 0)));
};

describe('dashboard deployment page and logs', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let dir: string;
  let deploymentId: string;

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd({ project: 'web', apps: [app] });
    dir = await mkdtemp(join(tmpdir(), 'slipway-web-logs-'));
    await writeFile(join(dir, 'Procfile'), 'web: node server.js\n');
    await writeFile(join(dir, 'server.js'), server);
    const { deployment } = await slipwayd.api.deployments.create(app, { path: dir });
    deploymentId = deployment.id;
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("opens a deployment from the app's Deployments tab: its phases succeeded, its state and its log", async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.getByRole('tab', { name: 'Deployments' }).click();
    await page.getByRole('link', { name: deploymentId.slice(0, 12) }).click();
    await page.getByRole('heading', { name: /Deployment/ }).waitFor();
    await page.getByTestId('deployment-state').locator('[data-status="succeeded"]').waitFor();
    for (const phase of ['fetch', 'build', 'rollout', 'finalize']) {
      await page.locator(`[data-phase="${phase}"] [data-status="succeeded"]`).waitFor();
    }
    const log = page.getByRole('log', { name: 'Deployment log' });
    await log.locator('[data-line-id]').first().waitFor();
    // The journal's lines, each once, in order of their sequence numbers.
    const ids = await shownIds(page);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // A finished deployment offers no cancel.
    expect(await page.getByRole('button', { name: 'Cancel deployment' }).count()).toBe(0);
    await screenshot(page, 'deployment');
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 760 });
    expect(await hasHorizontalScroll(page)).toBe(false);
    await context.close();
  });

  it('shows the app logs live, across a restart of slipwayd with no gap and no repeat, and downloads them', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.getByRole('tab', { name: 'Logs' }).click();
    const log = page.getByRole('log', { name: `Logs of ${app}` });
    await log
      .getByText(/tick \d+/)
      .first()
      .waitFor();
    // Live: ticks written after the page opened reach it.
    const firstSeen = await lastTick(page);
    await waitFor(async () => expect(await lastTick(page)).toBeGreaterThan(firstSeen + 10), { timeoutMs: 30_000 });
    // ANSI colours are rendered as styled text, not as escape codes.
    await log.locator('.ansi-green-fg', { hasText: 'green' }).first().waitFor();
    expect(await log.textContent()).not.toContain('\u001b');
    await screenshot(page, 'app-logs');
    expect(await seriousViolations(page)).toEqual([]);

    // Scrolling up stops following: the view stays where the reader is while lines arrive; "Jump to latest" goes
    // back to the newest line and follows again.
    // The reader keeps turning the wheel until the top (one turn may end short of it while lines keep coming).
    await log.hover();
    await waitFor(
      async () => {
        await page.mouse.wheel(0, -20_000);
        expect(await fromLogBox(page, 'box.scrollTop')).toBe(0);
      },
      { intervalMs: 250 },
    );
    const jump = page.getByRole('button', { name: /Jump to latest/ });
    await jump.waitFor();
    const shownWhenPaused = await lastTick(page);
    await waitFor(async () => expect(await lastTick(page)).toBeGreaterThan(shownWhenPaused + 5), { timeoutMs: 30_000 });
    await page.getByRole('button', { name: /Jump to latest \(\d+ new\)/ }).waitFor();
    expect(await fromLogBox(page, 'box.scrollTop')).toBe(0);
    await jump.click();
    await waitFor(async () =>
      expect(await fromLogBox(page, 'box.scrollHeight - box.scrollTop - box.clientHeight')).toBeLessThanOrEqual(4),
    );
    expect(await jump.count()).toBe(0);
    // Timestamps are shown on demand.
    await page.getByRole('checkbox', { name: 'Timestamps' }).check();
    await log.locator('[data-line-id] time').first().waitFor();

    const beforeRestart = await lastTick(page);
    await slipwayd.kill('SIGTERM');
    await slipwayd.start();
    // The page stayed open; its stream reconnects and resumes after the last line it took.
    await waitFor(async () => expect(await lastTick(page)).toBeGreaterThan(beforeRestart + 40), {
      timeoutMs: 60_000,
    });
    const ids = await shownIds(page);
    expect(new Set(ids).size).toBe(ids.length);
    const first = ids[0] ?? 0;
    const last = ids.at(-1) ?? 0;
    const persisted = (await allLines(slipwayd)).map((line) => line.id ?? 0).filter((id) => id >= first && id <= last);
    expect(ids).toEqual(persisted);

    // Download: the lines shown, as text, one a line.
    await page.getByRole('checkbox', { name: 'Only matching lines' }).check();
    await page.getByRole('searchbox', { name: 'Search' }).fill('green');
    const filtered = await page.locator('[data-line-id]').allTextContents();
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((text) => text.includes('green'))).toBe(true);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const download = await downloading;
    const text = await readFile((await download.path()) ?? '', 'utf8');
    const downloaded = text.split('\n').filter((line) => line !== '');
    expect(downloaded.length).toBeGreaterThanOrEqual(filtered.length);
    expect(downloaded.every((line) => /tick \d+ green$/.test(line))).toBe(true);
    expect(text).not.toContain('\u001b');

    await page.setViewportSize({ width: 375, height: 760 });
    expect(await hasHorizontalScroll(page)).toBe(false);
    await context.close();
  }, 120_000);
});
