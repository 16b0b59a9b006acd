// `npm run bench:web`: the dashboard's performance budget (issue 17), each figure beside its budget.
// A fresh slipwayd (release build) is seeded with 2,000 apps in one project; then:
// - apps list: GET /api/v1/projects/bench/apps (first page, a middle page, a search), time over loopback (an upper
//   bound of the server's time) and bytes on the wire;
// - first page interactive: headless Chromium (Debian's, playwright-core), signed in, from navigation start to the
//   first app row on screen, over several loads;
// - the app page's initial JavaScript: the scripts the browser fetched to show /apps/<name>, gzip size;
// - 200 live-view streams (`app:<name>` topics, 16 per user, as the dashboard opens one per tab): slipwayd's RSS
//   before and after they are all open;
// - slipwayd's idle RSS with the dashboard served, on a fresh data dir (no app) and with the 2,000 apps.
// Environment: BENCH_APPS (default 2000), BENCH_STREAMS (default 200), BENCH_LOADS (default 7).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import {
  machineInfo,
  median,
  mib,
  prepare,
  printTable,
  repoRoot,
  rssBytes,
  sleep,
  SlipwaydProcess,
  writeResults,
} from '../recovery/slipwayd-process.mjs';

const appCount = Number(process.env.BENCH_APPS ?? 2000);
const streamCount = Number(process.env.BENCH_STREAMS ?? 200);
const loadCount = Number(process.env.BENCH_LOADS ?? 7);
const budgets = {
  appsListMs: 300,
  appsListKiB: 100,
  firstPageInteractiveMs: 1000,
  appPageInitialJsGzipKiB: 250,
  streamsRssMiB: 50,
  idleRssMiB: 120,
};
const password = 'bench web password 0123';
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webDist = join(repoRoot, 'apps', 'web', 'dist');

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const round = (n) => Math.round(n * 10) / 10;

/**
 * Sends again a request refused by slipwayd's write rate limit (after the second it names), or reset because the
 * server closed a kept-alive connection as the request went out.
 */
async function withRetry(call) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const isRateLimited = / 429 /.test(String(error?.message));
      const isReset = String(error?.cause?.code ?? '').startsWith('ECONN');
      if (attempt >= 60 || !(isRateLimited || isReset)) throw error;
      await sleep(isRateLimited ? 1_000 : 100);
    }
  }
}

async function timedGet(slipwayd, path, headers) {
  const started = performance.now();
  const response = await fetch(`${slipwayd.url}${path}`, { headers });
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return { ms, bytes: body.byteLength };
}

async function measureAppsList(slipwayd) {
  const headers = slipwayd.authorization();
  const cases = {
    'first page': '/api/v1/projects/bench/apps?limit=50',
    'middle page': `/api/v1/projects/bench/apps?limit=50&offset=${Math.floor(appCount / 2)}`,
    'search "app-1"': '/api/v1/projects/bench/apps?limit=50&search=app-1',
    'sorted by status': '/api/v1/projects/bench/apps?limit=50&sort=status',
  };
  const rows = [];
  for (const [name, path] of Object.entries(cases)) {
    await withRetry(() => timedGet(slipwayd, path, headers));
    const samples = [];
    let bytes = 0;
    for (let i = 0; i < 30; i += 1) {
      const answer = await withRetry(() => timedGet(slipwayd, path, headers));
      samples.push(answer.ms);
      bytes = answer.bytes;
    }
    rows.push({
      case: name,
      p50Ms: round(median(samples)),
      p95Ms: round(percentile(samples, 95)),
      kib: round(bytes / 1024),
    });
  }
  return rows;
}

async function signedInContext(browser, slipwayd) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const login = await context.request.post(`${slipwayd.url}/api/v1/auth/web/login`, {
    headers: { 'x-slipway-csrf': '1', 'content-type': 'application/json' },
    data: { username: 'admin', password },
  });
  if (!login.ok()) throw new Error(`login: ${login.status()}`);
  return context;
}

async function measureFirstPage(browser, slipwayd) {
  const context = await signedInContext(browser, slipwayd);
  const samples = [];
  for (let i = 0; i < loadCount; i += 1) {
    const page = await context.newPage();
    await page.goto(`${slipwayd.url}/?project=bench`, { waitUntil: 'commit' });
    await page.locator('tbody tr').first().waitFor();
    samples.push(await page.evaluate('performance.now()'));
    await page.close();
  }
  await context.close();
  // The first load fetches the assets; later ones may take them from the cache (as a returning user does).
  return { coldMs: round(samples[0]), warmP50Ms: round(median(samples.slice(1))), samples: samples.map(round) };
}

async function measureAppPageJs(browser, slipwayd) {
  const context = await signedInContext(browser, slipwayd);
  const page = await context.newPage();
  const scripts = new Set();
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.add(new URL(request.url()).pathname);
  });
  await page.goto(`${slipwayd.url}/apps/app-0001`);
  await page.getByRole('heading', { name: 'app-0001' }).waitFor();
  // The live stream stays open: the network never goes idle; the load event ends the initial fetches.
  await page.waitForLoadState('load');
  await context.close();
  let gzipBytes = 0;
  for (const path of scripts) {
    const file = join(webDist, path);
    if (existsSync(file)) gzipBytes += gzipSync(readFileSync(file), { level: 9 }).byteLength;
  }
  return { scripts: [...scripts], gzipKiB: round(gzipBytes / 1024) };
}

async function openStreams(slipwayd, count) {
  const users = Math.ceil(count / 16);
  const tokens = [];
  for (let u = 0; u < users; u += 1) {
    const name = `viewer-${u}`;
    await slipwayd.api('POST', '/users', { name, password });
    await slipwayd.api('POST', `/users/${name}/grants`, { role: 'viewer', project: 'bench' });
    const login = await fetch(`${slipwayd.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, password }),
    }).then((r) => r.json());
    tokens.push(login.accessToken);
  }
  const controllers = [];
  const ready = [];
  for (let i = 0; i < count; i += 1) {
    const controller = new AbortController();
    controllers.push(controller);
    const app = `app-${String((i % appCount) + 1).padStart(4, '0')}`;
    ready.push(
      fetch(`${slipwayd.url}/api/v1/stream?topics=${encodeURIComponent(`app:${app},apps:bench`)}`, {
        headers: { authorization: `Bearer ${tokens[Math.floor(i / 16)]}`, accept: 'text/event-stream' },
        signal: controller.signal,
      }).then(async (response) => {
        if (!response.ok) throw new Error(`stream ${i}: ${response.status} ${await response.text()}`);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let text = '';
        while (!text.includes('event: ready')) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ${i} ended before ready`);
          text += decoder.decode(value);
        }
        // Keep reading (and dropping) so the server never sees a slow client.
        void (async () => {
          for (;;) {
            const { done } = await reader.read().catch(() => ({ done: true }));
            if (done) return;
          }
        })();
      }),
    );
  }
  await Promise.all(ready);
  return () => controllers.forEach((c) => c.abort());
}

/** RSS after 3 s of idleness, then sampled once a second for 5 s: the median, with the lowest and highest sample. */
async function idleRss(slipwayd) {
  await sleep(3_000);
  const samples = [];
  for (let i = 0; i < 5; i += 1) {
    if (i > 0) await sleep(1_000);
    samples.push(rssBytes(slipwayd.pid));
  }
  return { bytes: median(samples), minBytes: Math.min(...samples), maxBytes: Math.max(...samples) };
}

const spreadMiB = (rss) => `${mib(rss.minBytes)}–${mib(rss.maxBytes)}`;

await prepare();
const machine = machineInfo();
const browser = await chromium.launch({
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
const slipwayd = await SlipwaydProcess.create('web');
try {
  // The catalog is not what is measured: off, so the bench runs beside another slipwayd.
  await slipwayd.start({ SLIPWAY_CATALOG_HTTP: 'off', SLIPWAY_DNS: 'off' });
  await slipwayd.api('PUT', '/users/admin/password', { password });
  // The dashboard served once, then idle, with no app.
  const warm = await signedInContext(browser, slipwayd);
  const warmPage = await warm.newPage();
  await warmPage.goto(`${slipwayd.url}/`);
  await warmPage.getByRole('heading', { name: 'Apps' }).waitFor();
  await warm.close();
  const idleRssFresh = await idleRss(slipwayd);

  await slipwayd.api('POST', '/projects', { name: 'bench' });
  const seedStarted = performance.now();
  for (let i = 1; i <= appCount; i += 1) {
    await withRetry(() =>
      slipwayd.api('POST', '/apps', { name: `app-${String(i).padStart(4, '0')}`, project: 'bench' }),
    );
  }
  const seedSeconds = round((performance.now() - seedStarted) / 1000);
  const appsList = await measureAppsList(slipwayd);
  const firstPage = await measureFirstPage(browser, slipwayd);
  const appPageJs = await measureAppPageJs(browser, slipwayd);
  const idleRssSeeded = await idleRss(slipwayd);
  const close = await openStreams(slipwayd, streamCount);
  const streamsRss = await idleRss(slipwayd);
  close();

  const results = {
    date: new Date().toISOString(),
    machine,
    apps: appCount,
    seedSeconds,
    appsList,
    firstPage,
    appPageJs,
    rss: {
      idleFreshMiB: mib(idleRssFresh.bytes),
      idleFreshSpreadMiB: spreadMiB(idleRssFresh),
      idleSeededMiB: mib(idleRssSeeded.bytes),
      idleSeededSpreadMiB: spreadMiB(idleRssSeeded),
      with200StreamsMiB: mib(streamsRss.bytes),
      streamsCostMiB: mib(streamsRss.bytes - idleRssSeeded.bytes),
      streams: streamCount,
    },
    budgets,
  };
  const file = writeResults('web', [results]);
  const worstListMs = Math.max(...appsList.map((r) => r.p95Ms));
  const biggestListKiB = Math.max(...appsList.map((r) => r.kib));
  printTable(
    'Apps list (2,000 apps, 50 per page; loopback time, an upper bound of the server time)',
    ['case', 'p50Ms', 'p95Ms', 'kib'],
    appsList,
  );
  printTable(
    'Against the budget',
    ['figure', 'measured', 'budget'],
    [
      { figure: 'apps list p95 (ms)', measured: worstListMs, budget: `< ${budgets.appsListMs}` },
      { figure: 'apps list transfer (KiB)', measured: biggestListKiB, budget: `< ${budgets.appsListKiB}` },
      {
        figure: 'first page interactive, cold (ms)',
        measured: firstPage.coldMs,
        budget: `< ${budgets.firstPageInteractiveMs}`,
      },
      {
        figure: 'first page interactive, warm p50 (ms)',
        measured: firstPage.warmP50Ms,
        budget: `< ${budgets.firstPageInteractiveMs}`,
      },
      {
        figure: 'app page initial JS (KiB gzip)',
        measured: appPageJs.gzipKiB,
        budget: `< ${budgets.appPageInitialJsGzipKiB}`,
      },
      {
        figure: `${streamCount} live streams (MiB more RSS)`,
        measured: results.rss.streamsCostMiB,
        budget: `< ${budgets.streamsRssMiB}`,
      },
      {
        figure: 'idle RSS, dashboard served, no app (MiB, median of 5 samples)',
        measured: `${results.rss.idleFreshMiB} (${results.rss.idleFreshSpreadMiB})`,
        budget: `≤ ${budgets.idleRssMiB}`,
      },
      {
        figure: `idle RSS, dashboard served, ${appCount} apps (MiB, median of 5 samples)`,
        measured: `${results.rss.idleSeededMiB} (${results.rss.idleSeededSpreadMiB})`,
        budget: `≤ ${budgets.idleRssMiB}`,
      },
    ],
  );
  console.log(`\nwritten: ${file}`);
} finally {
  await browser.close();
  await slipwayd.destroy();
}
