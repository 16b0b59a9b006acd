/**
 * The app page's Metrics tab in a real browser against a real slipwayd (sampling every 200 ms with its option): a
 * fixture that fails half its requests on purpose takes steady traffic through the edge across two deploys; the tab
 * charts it with a text summary of non-zero request and error rates, marks both releases, shows each chart's numbers
 * as a table on demand; no serious or critical accessibility violation, and no sideways scroll at 375 px. The test
 * waits for samples, never for a time.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
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

const app = 'metered';

/** The first number after `label` in a panel's text summary ("Latest (10:00:00): all releases 12.50 req/s; …"). */
const latestIn = (summary: string, label: string): number => {
  const match = new RegExp(`${label} (\\d+(?:\\.\\d+)?)`).exec(summary);
  if (match?.[1] === undefined) throw new Error(`no "${label}" value in "${summary}"`);
  return Number(match[1]);
};

const summaryOf = (page: Page, panel: string) =>
  page.locator(`[data-panel="${panel}"] [data-testid="metric-summary"]`).innerText();

describe('dashboard: an app’s metrics', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let scratch: string;
  let isLoadStopped = false;
  let load: Promise<Record<number, number>> | undefined;

  /** canary-node as release `message`, failing every second request (FAIL_PERCENT 50). */
  const source = async (message: string): Promise<string> => {
    const dir = join(scratch, message);
    await cp(join(fixturesDir, 'canary-node'), dir, { recursive: true });
    const manifest = [
      'runtime: process',
      'processes:',
      '  web:',
      '    replicas: 1',
      '    healthCheck: { type: http, path: /healthz }',
      'env:',
      `  RELEASE_MESSAGE: "${message}"`,
      '  FAIL_PERCENT: "50"',
      '',
    ];
    await writeFile(join(dir, 'slipway.yaml'), manifest.join('\n'));
    return dir;
  };

  const deploy = async (message: string) => {
    const { deployment } = await slipwayd.api.deployments.create(app, { path: await source(message) });
    expect((await slipwayd.settle(deployment.id, 120_000)).state).toBe('succeeded');
  };

  /** One request after another through the edge, with a short pause, until stopped: the answers by status. */
  const sendTraffic = async (): Promise<Record<number, number>> => {
    const byStatus: Record<number, number> = {};
    while (!isLoadStopped) {
      const { status } = await slipwayd.edge(`${app}.localhost`);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return byStatus;
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-web-metrics-'));
    slipwayd = await startDashboardSlipwayd({ start: { env: { SLIPWAY_METRICS_SAMPLE_INTERVAL_MS: '200' } } });
    await slipwayd.api.apps.create({ name: app });
    await deploy('v1');
    load = sendTraffic();
    await deploy('v2');
    // slipwayd has sampled the traffic, its 5xx answers, and both releases going live.
    await waitFor(
      async () => {
        const series = await slipwayd.api.metrics.series(app, { since: '1h' });
        expect(series.markers.map((m) => m.release)).toEqual([1, 2]);
        expect(series.traffic.errorRate.some((rate) => rate !== null && rate > 0)).toBe(true);
        expect(series.instances.some((i) => i.memoryBytes.some((bytes) => bytes !== null && bytes > 0))).toBe(true);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    isLoadStopped = true;
    await load;
    await browser?.close();
    await slipwayd?.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  it('charts the request rate, errors, latency and usage with a summary in words and a marker per release', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.getByRole('tab', { name: 'Metrics' }).click();
    await page.locator('[data-panel="requests"] canvas').first().waitFor();

    // The traffic goes on: Refresh until the latest step holds requests, half of them answered 500.
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.getByRole('button', { name: 'Refresh' }).waitFor();
        expect(latestIn(await summaryOf(page, 'requests'), 'all releases')).toBeGreaterThan(0);
        expect(latestIn(await summaryOf(page, 'errors'), 'all releases')).toBeGreaterThan(0);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    for (const panel of ['requests', 'errors', 'latency', 'in-flight', 'cpu', 'memory']) {
      const figure = page.locator(`[data-panel="${panel}"]`);
      expect(Number(await figure.getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await figure.locator('canvas').count()).toBeGreaterThan(0);
      expect(await summaryOf(page, panel)).toMatch(/^Latest \(/);
    }
    expect(await summaryOf(page, 'latency')).toMatch(/p50 [\d.]+ ms; p95 [\d.]+ ms; p99 [\d.]+ ms/);
    // Two releases took traffic: each has its own line beside their total, named in the legend.
    const legend = page.locator('[data-panel="requests"] .metric-legend li');
    expect((await legend.allInnerTexts()).map((text) => text.trim())).toEqual(['all releases', 'v1', 'v2']);
    const releases = await page.getByTestId('metrics-releases').innerText();
    expect(releases).toMatch(/v1 at .*v2 at /);
    expect(await page.locator('[data-panel="requests"]').getAttribute('data-marks')).toBe('2');

    // The same numbers as a table, on demand.
    const toggle = page.locator('[data-panel="errors"]').getByRole('button', { name: 'Show as a table' });
    await toggle.click();
    const table = page.getByRole('region', { name: 'Error rate (5xx), newest first' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await table.locator('thead th').allInnerTexts()).toEqual(['Time', 'all releases', 'v1', 'v2']);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'app-metrics');
    await page.getByRole('button', { name: 'Hide the table' }).click();

    // Another range asks the server again: its choice is pressed and the window says it.
    await page.getByRole('button', { name: '6 h', exact: true }).click();
    await page
      .getByTestId('metrics-window')
      .getByText(/the last 6 h/)
      .waitFor();
    expect(await page.getByRole('button', { name: '6 h', exact: true }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: '1 h', exact: true }).getAttribute('aria-pressed')).toBe('false');
    await context.close();
  }, 150_000);

  it('fits 375 px without sideways scroll, in the dark theme too', async () => {
    const { context, page } = await signIn(browser, slipwayd, 'admin', undefined, { width: 375, height: 800 });
    await page.goto(`${slipwayd.url}/apps/${app}`);
    await page.getByRole('tab', { name: 'Metrics' }).click();
    await page.locator('[data-panel="memory"] canvas').first().waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    await page.evaluate('document.documentElement.dataset.theme = "dark"');
    await page.locator('[data-panel="requests"] canvas').first().waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 120_000);
});
