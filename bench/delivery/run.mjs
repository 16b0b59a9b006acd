// `npm run bench:delivery [-- --runtime docker]`: progressive delivery under a constant loopback load (default
// 800 req/s over 50 keep-alive connections, bodies from a few bytes to 256 KiB) on a real slipwayd and its edge:
//   - rolling: a rolling deploy, the baseline of the p99 ratio;
//   - blue-green: a new release beside the stable one, previewed, promoted (the switch), then aborted while the old
//     one is kept warm (the switch back);
//   - canary: 10 → 50 → 100, each weight held until at least BENCH_WEIGHT_REQUESTS requests were answered, the share
//     each release served compared with the step's weight;
//   - canary-abort: a canary that answers 500 to every request, aborted by the router's own analysis; the time from its
//     first 500 to traffic fully back on stable, in analysis intervals.
// Counts failed requests (non-2xx, socket errors) of every scenario but the last (whose 500s are the point), p99 during
// ÷ p99 before. Writes bench/results/delivery[-docker].json and prints the tables.
//
// Environment: BENCH_RATE (requests/s, 800), BENCH_CONNECTIONS (50), BENCH_PHASE_MS (steady state before and after,
// 4000), BENCH_WEIGHT_REQUESTS (requests per canary weight, 10000), BENCH_ANALYSIS_INTERVAL_S (2), BENCH_REBUILD=1.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { startLoad, summarise } from '../zero-downtime/load-generator.mjs';
import { ensureBundles, repoRoot, sleep, SlipwayTarget, waitForBody } from '../zero-downtime/slipway-target.mjs';

const ratePerSecond = Number(process.env.BENCH_RATE ?? 800);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const phaseMs = Number(process.env.BENCH_PHASE_MS ?? 4_000);
const weightRequests = Number(process.env.BENCH_WEIGHT_REQUESTS ?? 10_000);
const analysisIntervalSeconds = Number(process.env.BENCH_ANALYSIS_INTERVAL_S ?? 2);
const runtimeFlag = process.argv.indexOf('--runtime');
const runtime = runtimeFlag === -1 ? 'process' : (process.argv[runtimeFlag + 1] ?? 'process');
if (!['process', 'docker'].includes(runtime)) throw new Error(`--runtime: expected process or docker, got ${runtime}`);
const resultsFile = join(
  repoRoot,
  'bench',
  'results',
  runtime === 'process' ? 'delivery.json' : `delivery-${runtime}.json`,
);
const fixtureDir = join(repoRoot, 'test', 'fixtures', 'apps', 'canary-node');
/** Realistic bodies: mostly small answers, some pages, a few large ones. */
const paths = ['/', '/?size=512', '/?size=2048', '/', '/?size=16384', '/?size=700', '/?size=65536', '/?size=262144'];

/** The fixture as release `message`, with `strategy` (YAML lines) and `env` in its manifest. */
function source(scratch, message, strategyLines, env = {}) {
  const dir = join(scratch, `canary-${message}`);
  cpSync(fixtureDir, dir, { recursive: true });
  if (runtime !== 'process')
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM local/node-runtime:latest\nCOPY server.js .\nCMD ["node", "server.js"]\n',
    );
  const envLines = Object.entries({ RELEASE_MESSAGE: message, ...env }).map(([k, v]) => `  ${k}: "${v}"`);
  const manifest = [
    `runtime: ${runtime}`,
    'processes:',
    '  web:',
    '    replicas: 2',
    '    healthCheck: { type: http, path: /healthz }',
    ...strategyLines,
    'env:',
    ...envLines,
    '',
  ];
  writeFileSync(join(dir, 'slipway.yaml'), manifest.join('\n'));
  return dir;
}

class DeliveryTarget extends SlipwayTarget {
  async deploy(message, strategyLines = ['strategy: { type: rolling, maxSurge: 1, maxUnavailable: 0 }'], env = {}) {
    const dir = source(this.scratch, message, strategyLines, env);
    const { deployment } = await this.api('POST', `/apps/${this.app}/deployments`, { path: dir });
    return deployment.id;
  }

  rollout() {
    return this.api('GET', `/apps/${this.app}/rollout?environment=production`);
  }

  control(action, body = {}) {
    return this.api('POST', `/apps/${this.app}/rollout/${action}?environment=production`, body);
  }

  /** Polls the rollout until `predicate` holds; returns the view. */
  async rolloutUntil(predicate, what, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.rollout().catch(() => undefined);
      if (view !== undefined && predicate(view)) return view;
      if (Date.now() > deadline) throw new Error(`rollout never ${what}: ${JSON.stringify(view)}`);
      await sleep(50);
    }
  }
}

const machine = () => ({ cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, load: loadavg() });

/** Runs `work` under load with `phaseMs` of steady state before and after; the records of each phase. */
async function underLoad(target, work) {
  const load = startLoad({ port: target.port, host: target.host, connections, ratePerSecond, paths });
  await load.fillPool();
  load.setPhase('before');
  await sleep(phaseMs);
  load.setPhase('during');
  const startedAt = performance.now();
  const detail = await work(load);
  const durationMs = Math.round(performance.now() - startedAt);
  load.setPhase('after');
  await sleep(phaseMs);
  const { records } = await load.stop();
  const phases = Object.fromEntries(
    ['before', 'during', 'after'].map((p) => [p, summarise(records.filter((r) => r.phase === p))]),
  );
  return { records, phases, durationMs, detail };
}

const summary = (name, run) => {
  const failed = ['before', 'during', 'after'].reduce((n, p) => n + run.phases[p].failed, 0);
  return {
    scenario: name,
    runtime,
    failed,
    p99BeforeMs: run.phases.before.latencyMs.p99,
    p99DuringMs: run.phases.during.latencyMs.p99,
    p99Ratio: Math.round((run.phases.during.latencyMs.p99 / run.phases.before.latencyMs.p99) * 100) / 100,
    durationMs: run.durationMs,
    errorKinds: { ...run.phases.before.errorKinds, ...run.phases.during.errorKinds, ...run.phases.after.errorKinds },
    ...run.detail,
  };
};

async function rolling(target) {
  const run = await underLoad(target, async () => {
    const deployment = await target.settle(await target.deploy('r2'));
    if (deployment.state !== 'succeeded') throw new Error(`rolling deploy ${deployment.state}`);
    return {};
  });
  return summary('rolling', run);
}

async function blueGreen(target) {
  const strategy = ['strategy:', '  type: blue-green', '  scaleDownDelaySeconds: 600'];
  const run = await underLoad(target, async () => {
    const id = await target.deploy('bg', strategy);
    await target.rolloutUntil((v) => v.deploymentId === id && v.phase === 'paused', 'paused for preview');
    await waitForBody(target.port, `${target.app}--preview.localhost`, 'release bg');
    const switchAt = performance.now();
    await target.control('promote');
    await target.rolloutUntil(
      (v) => v.weights.some((w) => w.releaseNumber > 0 && w.weight === 100 && w.isPreview === false),
      'switched',
    );
    await waitForBody(target.port, target.host, 'release bg');
    const switchMs = Math.round(performance.now() - switchAt);
    const backAt = performance.now();
    await target.control('abort');
    await waitForBody(target.port, target.host, 'release r2');
    const switchBackMs = Math.round(performance.now() - backAt);
    await target.rolloutUntil((v) => v.deploymentId === id && v.phase === 'aborted', 'aborted');
    return { switchMs, switchBackMs };
  });
  return summary('blue-green (switch, switch back)', run);
}

async function canary(target) {
  const strategy = [
    'strategy:',
    '  type: canary',
    '  stickyCookie: null',
    '  steps:',
    '    - setWeight: 10',
    '    - pause: {}',
    '    - setWeight: 50',
    '    - pause: {}',
  ];
  const accuracy = [];
  const run = await underLoad(target, async (load) => {
    const id = await target.deploy('c1', strategy);
    for (const weight of [10, 50]) {
      await target.rolloutUntil(
        (v) => v.deploymentId === id && v.phase === 'paused' && v.weights.some((w) => w.weight === weight),
        `paused at ${weight} %`,
      );
      load.setPhase(`weight-${weight}`);
      const from = performance.now();
      // Enough answers at this weight: the load's rate, with a margin.
      await sleep(Math.ceil((weightRequests / ratePerSecond) * 1000) + 1000);
      load.setPhase('during');
      accuracy.push({ weight, sinceMs: Math.round(performance.now() - from) });
      await target.control('promote');
    }
    const deployment = await target.settle(id);
    if (deployment.state !== 'succeeded') throw new Error(`canary deployment ${deployment.state}`);
    return {};
  });
  const weights = accuracy.map(({ weight }) => {
    const answered = run.records.filter((r) => r.phase === `weight-${weight}` && r.status >= 200 && r.status < 300);
    const onCanary = answered.filter((r) => r.release === 'c1').length;
    const measured = (onCanary / answered.length) * 100;
    return {
      weight,
      requests: answered.length,
      measuredPercent: Math.round(measured * 100) / 100,
      deltaPoints: Math.round((measured - weight) * 100) / 100,
    };
  });
  for (const phase of accuracy.map(({ weight }) => `weight-${weight}`))
    for (const r of run.records) if (r.phase === phase) r.phase = 'during';
  run.phases.during = summarise(run.records.filter((r) => r.phase === 'during'));
  return summary('canary 10 → 50 → 100', { ...run, detail: { weights } });
}

async function canaryAbort(target) {
  const strategy = [
    'strategy:',
    '  type: canary',
    '  steps:',
    '    - setWeight: 20',
    '    - analysis:',
    `        intervalSeconds: ${analysisIntervalSeconds}`,
    '        count: 5',
    '        metrics:',
    '          - name: success-rate',
    '            provider: { type: router, measure: success-rate }',
    '            successCondition: { min: 0.95 }',
    '            failureLimit: 1',
    '            minRequests: 20',
  ];
  const run = await underLoad(target, async () => {
    const id = await target.deploy('bad', strategy, { FAIL_PERCENT: '50' });
    const view = await target.rolloutUntil((v) => v.deploymentId === id && v.phase === 'aborted', 'aborted', 180_000);
    await target.settle(id);
    return { abortedMessage: view.message };
  });
  const bad = run.records.filter((r) => r.release === 'bad');
  const firstBadMs = Math.min(...bad.map((r) => r.startMs));
  const lastBadMs = Math.max(...bad.map((r) => r.startMs + r.latencyMs));
  const backMs = Math.round(lastBadMs - firstBadMs);
  const failedOnStable = run.records.filter((r) => r.release !== 'bad' && (r.status < 200 || r.status >= 300)).length;
  return {
    scenario: 'canary-abort (500s from the canary)',
    runtime,
    canaryRequests: bad.length,
    failedOffTheCanary: failedOnStable,
    timeToStableMs: backMs,
    analysisIntervals: Math.round((backMs / (analysisIntervalSeconds * 1000)) * 100) / 100,
    message: run.detail.abortedMessage,
  };
}

await ensureBundles();
const target = await DeliveryTarget.create({ runtime });
const results = [];
try {
  await target.start();
  console.log(`slipwayd up (${runtime} runtime); load ${ratePerSecond} req/s over ${connections} connections`);
  for (const scenario of [rolling, blueGreen, canary, canaryAbort]) {
    const result = { ...(await scenario(target)), machine: machine(), at: new Date().toISOString() };
    results.push(result);
    console.log(JSON.stringify(result));
  }
} finally {
  await target.destroy();
}
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.table(
  results.map((r) => ({
    scenario: r.scenario,
    failed: r.failed ?? r.failedOffTheCanary,
    'p99 ×': r.p99Ratio,
    'weights ±pp': r.weights?.map((w) => `${w.weight}:${w.deltaPoints}`).join(' '),
    'to stable (intervals)': r.analysisIntervals,
  })),
);
console.log(`written to ${resultsFile}`);
if (!existsSync(resultsFile)) process.exitCode = 1;
