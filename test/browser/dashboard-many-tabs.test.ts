/**
 * Eight tabs of one session over HTTP/1.1 (a browser opens at most six connections to a host) all load and stay
 * live: the dashboard's tabs share one live stream, held by a shared worker, so a change made through the API reaches
 * every tab while slipwayd holds a single stream for all of them.
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
  signIn,
  startDashboardSlipwayd,
} from './browser-harness.js';

const project = 'tabs';
const app = 'tabs-live';

/** Says its greeting (a config var) when it starts, and serves. */
const server = `console.log('greeting ' + (process.env.GREETING || 'none'));
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));
`;

/** The live streams slipwayd holds open (its system status). */
async function liveStreams(slipwayd: SlipwaydHarness): Promise<number> {
  const answer = await slipwayd.fetch('/api/v1/system/status');
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { liveStreams: { streams: number } }).liveStreams.streams;
}

describe('dashboard: eight tabs of one session, live over HTTP/1.1', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    slipwayd = await startDashboardSlipwayd({ project, apps: [app] });
    dir = await deployFiles(slipwayd, app, { Procfile: 'web: node server.js\n', 'server.js': server });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('loads eight tabs, keeps every one live, on one stream', async () => {
    const { context, page: first } = await signIn(browser, slipwayd);
    const before = (await slipwayd.api.releases.list(app)).releases.length;
    const next = before + 1;
    const releaseMeta = new RegExp(`· release ${next} ·`);
    const appTab = async (page: Page, tab: string) => {
      await page.goto(`${slipwayd.url}/apps/${app}`);
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tabpanel').waitFor();
    };
    // Each tab: how to open it, and what shows the change made through the API.
    const tabs: { open: (page: Page) => Promise<void>; changed: (page: Page) => Promise<void> }[] = [
      {
        open: async (page) => {
          await page.goto(`${slipwayd.url}/?project=${project}`);
          await page.getByRole('row', { name: new RegExp(app) }).waitFor();
        },
        changed: (page) =>
          page
            .getByRole('row', { name: new RegExp(app) })
            .getByText(`v${next}`)
            .waitFor(),
      },
      { open: (page) => appTab(page, 'Instances'), changed: (page) => page.getByText(releaseMeta).waitFor() },
      {
        open: (page) => appTab(page, 'Releases'),
        changed: (page) => page.getByRole('rowheader', { name: `v${next} current` }).waitFor(),
      },
      {
        open: (page) => appTab(page, 'Deployments'),
        changed: (page) => page.getByRole('link', { name: /^dep_/ }).nth(before).waitFor(),
      },
      {
        open: (page) => appTab(page, 'Logs'),
        changed: (page) => page.getByRole('log').getByText('greeting eight tabs').first().waitFor(),
      },
      {
        open: (page) => appTab(page, 'Config'),
        changed: (page) =>
          waitFor(async () => expect(await page.getByLabel('Value of GREETING').inputValue()).toBe('eight tabs')),
      },
      {
        open: (page) => appTab(page, 'Environments'),
        changed: (page) => page.getByRole('cell', { name: `v${next}`, exact: true }).waitFor(),
      },
      { open: (page) => appTab(page, 'Scale'), changed: (page) => page.getByText(releaseMeta).waitFor() },
    ];
    const pages = [first, ...(await Promise.all(tabs.slice(1).map(() => context.newPage())))];
    await Promise.all(tabs.map((tab, i) => tab.open(pages[i] as Page)));
    // Every tab's topics ride one stream (the six-connection limit would leave two tabs without one otherwise).
    await waitFor(async () => expect(await liveStreams(slipwayd)).toBe(1), { timeoutMs: 15_000 });
    for (const page of pages) await page.getByText('Live', { exact: true }).waitFor();

    await slipwayd.api.config.patch(app, { set: { GREETING: 'eight tabs' } });
    await Promise.all(tabs.map((tab, i) => tab.changed(pages[i] as Page)));
    expect(await liveStreams(slipwayd)).toBe(1);

    // A ninth tab joining the logs another tab reads gets their backlog; the first tab shows no line twice.
    const late = await context.newPage();
    await appTab(late, 'Logs');
    await late.getByRole('log').getByText('greeting eight tabs').first().waitFor();
    const lineIds = (page: Page) =>
      page.evaluate<string[]>(
        "[...document.querySelectorAll('[data-line-id]')].map((line) => line.getAttribute('data-line-id'))",
      );
    const logTab = pages[4] as Page;
    const ids = await lineIds(logTab);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await liveStreams(slipwayd)).toBe(1);
    await late.close();

    // A tab closed leaves the others live; the last one closed closes the stream.
    await pages[0]?.close();
    await slipwayd.api.config.patch(app, { set: { GREETING: 'seven tabs' } });
    await logTab.getByRole('log').getByText('greeting seven tabs').first().waitFor();
    await context.close();
    await waitFor(async () => expect(await liveStreams(slipwayd)).toBe(0), { timeoutMs: 15_000 });
  }, 180_000);
});
