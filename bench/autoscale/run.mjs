// bench:autoscale — a step load (10 → 400 req/s) on the hello-node fixture on the process runtime, autoscaled on
// the edge's request rate: how long until the new instances serve, how many requests fail (target 0), the p99
// during the step, and the instance count over time (bench/results/autoscale.svg beside autoscale.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo, repoRoot, sleep } from '../recovery/slipwayd-process.mjs';
import { waitForBody } from '../zero-downtime/slipway-target.mjs';
import { withDeployedApp } from './bench-slipwayd.mjs';
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

async function main() {
  await withDeployedApp(
    { tmpPrefix: 'slipway-bench-as-', manifest, app, autoscaleIntervalMs: intervalMs },
    async ({ api, edgePort }) => {
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
    },
  );
}

// `--cold-start`: the scale-to-zero mode instead (cold-start.mjs).
if (process.argv.includes('--cold-start')) await import('./cold-start.mjs');
else await main();
