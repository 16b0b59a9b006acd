// `npm run bench:catalog`: the service catalog's KV against a single-node etcd, its blocking-query fan-out, and
// slipwayd's idle RSS with the catalog on (issue 14's targets: gets ≥ 1.5 × etcd, durable puts ≥ etcd, fan-out p99
// ≤ 250 ms, idle RSS ≤ 120 MiB).
//   - KV: the same Node load client (undici, BENCH_CONNECTIONS = 50 connections, one request in flight each) against
//     Slipway's catalog HTTP API and etcd's v3 JSON gateway, for values of several sizes: durable puts (every put
//     changes its value) and gets over a filled keyspace; throughput, p50/p99 and the server's CPU per request.
//     Rounds interleave the targets (their order alternates), and the median of the rounds is reported.
//   - fan-out: BENCH_WATCHERS (5,000) idle blocking queries on one prefix, one write; wake-up p50/p99 and slipwayd's CPU.
//   - RSS: slipwayd with one app deployed (hello-node, as bench:footprint measures), idle, with the catalog on, and
//     with `--catalog-http off --dns off` for comparison.
// Writes bench/results/catalog.json and prints the tables.
//
// Environment: BENCH_TARGETS (slipway,etcd), BENCH_VALUE_SIZES (bytes, 64,1024,16384,131072), BENCH_ROUNDS (3),
// BENCH_DURATION_MS (4000 per measurement, after 1000 of warm-up), BENCH_CONNECTIONS (50), BENCH_KEYS (1000 per
// size), BENCH_WATCHERS (5000), BENCH_FAN_OUT_ROUNDS (3), BENCH_IDLE_MS (3000), BENCH_REBUILD (1; 0 keeps the bundles).
import { join } from 'node:path';
import { EtcdServer, etcdVersion } from './etcd-server.mjs';
import { cpuTimeMs, measureFanOut } from './fan-out.mjs';
import { runCount, runLoad, valueOfSize } from './load-client.mjs';
import { printReport, summariseRuns } from './report.mjs';
import { SlipwaydCatalog } from './slipwayd-catalog.mjs';
import { fixturesDir, machineInfo, median, mib, rssBytes, sleep, writeResults } from '../recovery/slipwayd-process.mjs';
import { ensureBundles } from '../zero-downtime/slipway-target.mjs';

const env = (name, fallback) => process.env[name] ?? fallback;
const targetNames = env('BENCH_TARGETS', 'slipway,etcd').split(',');
const sizes = env('BENCH_VALUE_SIZES', '64,1024,16384,131072').split(',').map(Number);
const rounds = Number(env('BENCH_ROUNDS', 3));
const durationMs = Number(env('BENCH_DURATION_MS', 4_000));
const warmupMs = 1_000;
const connections = Number(env('BENCH_CONNECTIONS', 50));
const keyCount = Number(env('BENCH_KEYS', 1_000));
const watchers = Number(env('BENCH_WATCHERS', 5_000));
const fanOutRounds = Number(env('BENCH_FAN_OUT_ROUNDS', 3));
const idleMs = Number(env('BENCH_IDLE_MS', 3_000));
const targets = { getRatio: 1.5, putRatio: 1, fanOutP99Ms: 250, idleRssMiB: 120 };

const sizeLabel = (bytes) => (bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} B`);
const keyOf = (size, n) => `bench/${size}/${n % keyCount}`;

/** The median of three RSS readings a second apart, in MiB. */
async function idleRssMiB(pid) {
  const readings = [];
  for (let i = 0; i < 3; i += 1) {
    readings.push(mib(rssBytes(pid)));
    await sleep(1_000);
  }
  return median(readings);
}

/** slipwayd with hello-node deployed, then idle: its RSS (and, with the catalog on, the app's catalog entries). */
async function footprint(slipwayd) {
  await slipwayd.api('POST', '/apps', { name: 'hello' });
  const deployment = await slipwayd.settle(await slipwayd.deploy('hello', join(fixturesDir, 'hello-node')));
  if (deployment.state !== 'succeeded') throw new Error(`the hello deployment ${deployment.state}`);
  let registered;
  if (slipwayd.isCatalogOn) {
    const deadline = Date.now() + 30_000;
    do {
      const answer = await slipwayd.catalog('GET', '/v1/health/service/hello?passing');
      registered = answer.status === 200 ? JSON.parse(answer.text).length : 0;
      if (registered > 0) break;
      await sleep(200);
    } while (Date.now() < deadline);
  }
  await sleep(idleMs);
  return { idleRssMiB: await idleRssMiB(slipwayd.pid), startToReadyMs: slipwayd.startToReadyMs, registered };
}

/** Fills `keyCount` keys of each size, so gets read values that exist. */
async function fill(target, values) {
  for (const size of sizes) {
    await runCount({
      origin: target.origin,
      connections,
      count: keyCount,
      makeRequest: (n) => target.put(keyOf(size, n), values.get(size), n),
    });
  }
}

/** One measurement of `op` (put | get) of values of `size` on `target`, with the server's CPU per request. */
async function measure(target, op, size, value, round) {
  const cpuFrom = cpuTimeMs(target.pid);
  const cpuAt = performance.now();
  const random = () => Math.floor(Math.random() * keyCount);
  const summary = await runLoad({
    origin: target.origin,
    connections,
    warmupMs,
    durationMs,
    makeRequest:
      op === 'put'
        ? (n) => target.put(keyOf(size, random()), value, n + round * 1e7)
        : (n) => target.get(keyOf(size, random()), value, n % 16 === 0),
  });
  const cpuMs = cpuTimeMs(target.pid) - cpuFrom;
  const wallMs = performance.now() - cpuAt;
  return {
    target: target.name,
    op,
    sizeBytes: size,
    round,
    ...summary,
    serverCpuPercent: Math.round((cpuMs / wallMs) * 100),
    loadAverage: machineInfo().loadAverage[0],
  };
}

const started = [];
const results = {
  benchmark: 'catalog',
  at: new Date().toISOString(),
  machine: machineInfo(),
  settings: { sizes, rounds, durationMs, warmupMs, connections, keyCount, watchers, fanOutRounds },
  targets,
  etcd: etcdVersion(),
  kv: [],
  fanOut: [],
  footprint: {},
};
try {
  if (targetNames.includes('slipway')) {
    if (env('BENCH_REBUILD', '1') !== '0') process.env.BENCH_REBUILD = '1';
    await ensureBundles();
    const baseline = await SlipwaydCatalog.start({ isCatalogOn: false });
    started.push(baseline);
    results.footprint.catalogOff = await footprint(baseline);
    await baseline.stop();
    started.pop();
    console.log(`slipwayd idle RSS, catalog off: ${results.footprint.catalogOff.idleRssMiB} MiB`);
  }
  const kvTargets = [];
  if (targetNames.includes('slipway')) {
    const slipwayd = await SlipwaydCatalog.start();
    started.push(slipwayd);
    results.footprint.catalogOn = await footprint(slipwayd);
    console.log(`slipwayd idle RSS, catalog on: ${results.footprint.catalogOn.idleRssMiB} MiB`);
    kvTargets.push(slipwayd);
  }
  if (targetNames.includes('etcd')) {
    if (results.etcd === undefined) throw new Error('etcd is not installed (Debian: apt-get install etcd-server)');
    const etcd = await EtcdServer.start();
    started.push(etcd);
    kvTargets.push(etcd);
  }
  const values = new Map(sizes.map((size) => [size, valueOfSize(size)]));
  for (const target of kvTargets) await fill(target, values);
  for (let round = 1; round <= rounds; round += 1) {
    const order = round % 2 === 1 ? kvTargets : [...kvTargets].reverse();
    for (const size of sizes) {
      for (const op of ['put', 'get']) {
        for (const target of order) {
          const result = await measure(target, op, size, values.get(size), round);
          results.kv.push(result);
          console.log(
            `round ${round} ${target.name} ${op} ${sizeLabel(size)}: ${result.perSecond}/s ` +
              `p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms, failed ${result.failed}`,
          );
        }
      }
    }
  }
  const slipwayd = kvTargets.find((t) => t.name === 'slipway');
  if (slipwayd !== undefined) {
    for (let round = 1; round <= fanOutRounds; round += 1) {
      const result = await measureFanOut(slipwayd, { watchers, round, settleMs: idleMs });
      results.fanOut.push(result);
      console.log(`fan-out round ${round}: ${JSON.stringify(result)}`);
    }
    await sleep(idleMs);
    results.footprint.catalogOnAfterLoadMiB = await idleRssMiB(slipwayd.pid);
  }
} finally {
  for (const target of started.reverse()) await target.stop().catch((error) => console.error(error));
}
results.summary = summariseRuns(results, sizeLabel);
const file = writeResults('catalog', results);
printReport(results, sizeLabel);
console.log(`\nwritten to ${file}`);
