// bench:autoscale — a step load (10 → 400 req/s) on the hello-node fixture on the process runtime, autoscaled on
// the edge's request rate: how long until the new instances serve, how many requests fail (target 0), the p99
// during the step, and the instance count over time (bench/results/autoscale.svg beside autoscale.json).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';
import { freePort, killSlipwaydTree, machineInfo, repoRoot, sleep } from '../recovery/slipwayd-process.mjs';
import { ensureBundles, fixtureDir, waitForBody } from '../zero-downtime/slipway-target.mjs';
import { plotSvg } from './plot-svg.mjs';
import { percentile, startStepLoad } from './step-load.mjs';

const lowRate = 10;
const highRate = 400;
const stepAtMs = 10_000;
const durationMs = Number(process.env.BENCH_AUTOSCALE_DURATION_MS ?? 60_000);
const targetPerInstance = 50;
const maxInstances = 10;
const intervalMs = 1_000;
const app = 'elastic';
const host = `${app}.localhost`;

const manifest = `processes:
  web:
    healthCheck: { type: http, path: /healthz, intervalSeconds: 0.5 }
    autoscale:
      min: 1
      max: ${maxInstances}
      metrics:
        - type: requestsPerSecond
          target: ${targetPerInstance}
`;

async function startSlipwayd(dataDir, apiPort, edgePort) {
  const catalogPort = await freePort();
  const dnsPort = await freePort();
  const instancePortFrom = 44_000 + Math.floor(Math.random() * 20) * 200;
  const env = {
    ...process.env,
    SLIPWAY_INSTANCE_PORTS: `${instancePortFrom}-${instancePortFrom + 199}`,
    SLIPWAY_AUTOSCALE_INTERVAL_MS: String(intervalMs),
  };
  const args = [
    ...slipwaydNodeFlags,
    join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs'),
    ...['--data-dir', dataDir, '--api', `127.0.0.1:${apiPort}`, '--edge', `127.0.0.1:${edgePort}`],
    ...['--catalog-http', `127.0.0.1:${catalogPort}`, '--dns', `127.0.0.1:${dnsPort}`],
    ...['--node-name', 'bench-autoscale', '--log-level', 'warn', '--docker', 'off', '--swarm', 'off'],
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c.toString()));
  child.stderr.on('data', (c) => (output += c.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slipwayd exited with ${child.exitCode}: ${output}`);
    const status = await fetch(`http://127.0.0.1:${apiPort}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return child;
    if (Date.now() > deadline) throw new Error(`slipwayd not ready after 60 s: ${output}`);
    await sleep(50);
  }
}

async function main() {
  await ensureBundles();
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-as-'));
  const source = mkdtempSync(join(tmpdir(), 'slipway-bench-as-src-'));
  cpSync(fixtureDir, source, { recursive: true });
  writeFileSync(join(source, 'slipway.yaml'), manifest);
  const apiPort = await freePort();
  const edgePort = await freePort();
  let child;
  try {
    child = await startSlipwayd(dataDir, apiPort, edgePort);
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const api = async (method, path, body) => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await api('POST', '/apps', { name: app });
    const { deployment } = await api('POST', `/apps/${app}/deployments`, { path: source });
    for (;;) {
      const d = await api('GET', `/deployments/${deployment.id}`);
      if (d.state === 'succeeded') break;
      if (d.state !== 'pending' && d.state !== 'running') throw new Error(`first deployment ${d.state}`);
      await sleep(100);
    }
    await waitForBody(edgePort, host, 'hello from release');

    const load = startStepLoad({
      port: edgePort,
      host,
      steps: [
        { atMs: 0, rate: lowRate },
        { atMs: stepAtMs, rate: highRate },
      ],
      durationMs,
    });
    const series = [];
    const sampler = (async () => {
      while (performance.now() - load.startedAt < durationMs) {
        const tMs = performance.now() - load.startedAt;
        const [{ instances }, status] = await Promise.all([
          api('GET', `/apps/${app}/instances`),
          api('GET', `/apps/${app}/autoscale?limit=1`),
        ]);
        const healthy = instances.filter((i) => i.state === 'healthy').length;
        const desired = status.processes[0]?.replicas ?? 0;
        series.push({ tMs: Math.round(tMs), healthy, desired, rate: load.rateAt(tMs) });
        await sleep(250);
      }
    })();
    const results = await load.finished;
    await sampler;
    const { processes } = await api('GET', `/apps/${app}/autoscale?limit=200`);
    const decisions = processes[0]?.decisions ?? [];

    const failed = results.filter((r) => r.error !== null || r.status < 200 || r.status >= 300);
    const latencies = (from, to) => results.filter((r) => r.atMs >= from && r.atMs < to).map((r) => r.latencyMs);
    const peak = Math.max(...series.map((p) => p.desired));
    const afterStep = series.filter((p) => p.tMs >= stepAtMs);
    const firstNew = afterStep.find((p) => p.healthy > 1);
    const allServing = afterStep.find((p) => p.healthy >= peak);
    const round = (v) => (v === null || v === undefined ? null : Math.round(v * 10) / 10);
    const report = {
      bench: 'autoscale',
      at: new Date().toISOString(),
      machine: machineInfo(),
      settings: {
        runtime: 'process',
        fixture: 'hello-node',
        load: `${lowRate} req/s for ${stepAtMs / 1000} s, then ${highRate} req/s until ${durationMs / 1000} s (open loop)`,
        autoscale: {
          min: 1,
          max: maxInstances,
          metric: `requestsPerSecond ${targetPerInstance}`,
          behavior: 'defaults',
        },
        autoscaleIntervalMs: intervalMs,
      },
      requests: results.length,
      failedRequests: failed.length,
      failuresByKind: Object.fromEntries(
        Object.entries(
          failed.reduce((acc, r) => ((acc[r.error ?? r.status] = (acc[r.error ?? r.status] ?? 0) + 1), acc), {}),
        ),
      ),
      p99BeforeStepMs: round(percentile(latencies(0, stepAtMs), 99)),
      p99DuringStepMs: round(percentile(latencies(stepAtMs, durationMs), 99)),
      firstNewInstanceServingAfterStepS: firstNew ? round((firstNew.tMs - stepAtMs) / 1000) : null,
      peakInstances: peak,
      allInstancesServingAfterStepS: allServing ? round((allServing.tMs - stepAtMs) / 1000) : null,
      scaleUpDecisions: decisions
        .filter((d) => d.final !== d.currentReplicas)
        .reverse()
        .map((d) => ({ at: d.at, from: d.currentReplicas, to: d.final, reasoning: d.reasoning })),
      series,
    };
    const resultsDir = join(repoRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'autoscale.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(
      join(resultsDir, 'autoscale.svg'),
      plotSvg({
        series,
        title: `bench:autoscale — ${lowRate} → ${highRate} req/s, hello-node, process runtime`,
        maxRate: highRate,
      }),
    );
    const { series: _omitted, scaleUpDecisions, ...summary } = report;
    console.log(JSON.stringify({ ...summary, scaleUpDecisions }, null, 2));
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    killSlipwaydTree(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(source, { recursive: true, force: true });
  }
}

await main();
