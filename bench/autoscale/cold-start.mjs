// bench:autoscale --cold-start — scale to zero on the hello-node fixture on the process runtime: the app idles to
// zero instances, then a burst of requests arrives; the first one's time to its response head is the cold start as
// a client sees it (p50/p99 over several cold starts), and every request of each burst must succeed (target: none
// lost). Writes bench/results/autoscale-cold-start.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { machineInfo, repoRoot, sleep } from '../recovery/slipwayd-process.mjs';
import { waitForBody } from '../zero-downtime/slipway-target.mjs';
import { withDeployedApp } from './bench-slipwayd.mjs';
import { percentile } from './step-load.mjs';

const coldStarts = Number(process.env.BENCH_COLD_STARTS ?? 10);
const burst = Number(process.env.BENCH_COLD_START_BURST ?? 20);
const idleSeconds = 1;
const intervalMs = 500;
const app = 'sleepy';
const host = `${app}.localhost`;
const liveStates = new Set(['starting', 'healthy', 'unhealthy', 'draining', 'stopping']);

const manifest = `processes:
  web:
    healthCheck: { type: http, path: /healthz, intervalSeconds: 0.2 }
    autoscale:
      min: 1
      max: 2
      metrics:
        - type: inFlight
          target: 50
      scaleToZero:
        idleSeconds: ${idleSeconds}
        holdTimeoutSeconds: 60
`;

/** One GET through the edge on a fresh connection: its status (or error) and the ms until its response head. */
function timedGet(port) {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      const headMs = performance.now() - startedAt;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, error: null, headMs }));
      res.on('error', (error) => resolve({ status: 0, error: error.code ?? error.message, headMs }));
    });
    req.setTimeout(90_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, error: error.code ?? error.message, headMs: null }));
    req.end();
  });
}

/** The edge's own measure of the wakes, from slipwayd's metrics: count and mean (ms). */
function edgeWakes(metricsText) {
  const value = (name) =>
    Number(new RegExp(`^${name}\\{[^}]*app="${app}"[^}]*\\} (\\S+)$`, 'm').exec(metricsText)?.[1] ?? NaN);
  const count = value('slipway_edge_cold_start_duration_seconds_count');
  const sum = value('slipway_edge_cold_start_duration_seconds_sum');
  return { count, meanMs: count > 0 ? Math.round((sum / count) * 10_000) / 10 : null };
}

async function main() {
  await withDeployedApp(
    { tmpPrefix: 'slipway-bench-cold-', manifest, app, autoscaleIntervalMs: intervalMs },
    async ({ api, edgePort }) => {
      await waitForBody(edgePort, host, 'hello from release');

      const cycles = [];
      for (let cycle = 0; cycle < coldStarts; cycle += 1) {
        // Idle until the autoscaler has stopped every instance.
        const idleSince = performance.now();
        for (;;) {
          const { instances } = await api('GET', `/apps/${app}/instances`);
          if (!instances.some((i) => liveStates.has(i.state))) break;
          if (performance.now() - idleSince > 60_000) throw new Error('not scaled to zero within 60 s');
          await sleep(100);
        }
        const zeroAfterMs = performance.now() - idleSince;
        // The waking request first, the rest of the burst right behind it, all during the cold start.
        const first = timedGet(edgePort);
        const rest = Array.from({ length: burst - 1 }, () => timedGet(edgePort));
        const answers = await Promise.all([first, ...rest]);
        const lost = answers.filter((a) => a.error !== null || a.status < 200 || a.status >= 300);
        cycles.push({
          coldStartMs: Math.round((answers[0].headMs ?? NaN) * 10) / 10,
          requests: answers.length,
          lost: lost.length,
          lostByKind: lost.reduce(
            (acc, a) => ((acc[a.error ?? a.status] = (acc[a.error ?? a.status] ?? 0) + 1), acc),
            {},
          ),
          slowestHeadMs: Math.round(Math.max(...answers.map((a) => a.headMs ?? 0)) * 10) / 10,
          idleToZeroMs: Math.round(zeroAfterMs),
        });
        console.log(`cold start ${cycle + 1}/${coldStarts}: ${cycles.at(-1).coldStartMs} ms, lost ${lost.length}`);
      }
      const { processes } = await api('GET', `/apps/${app}/autoscale?limit=200`);
      const decisions = processes[0]?.decisions ?? [];
      const firstByte = cycles.map((c) => c.coldStartMs);
      const round = (v) => (v === null || v === undefined ? null : Math.round(v * 10) / 10);
      const report = {
        bench: 'autoscale-cold-start',
        at: new Date().toISOString(),
        machine: machineInfo(),
        settings: {
          runtime: 'process',
          fixture: 'hello-node',
          scaleToZero: { idleSeconds, holdTimeoutSeconds: 60 },
          healthCheckIntervalSeconds: 0.2,
          autoscaleIntervalMs: intervalMs,
          coldStarts,
          requestsPerBurst: burst,
        },
        coldStartFirstByteMs: {
          p50: round(percentile(firstByte, 50)),
          p99: round(percentile(firstByte, 99)),
          min: round(Math.min(...firstByte)),
          max: round(Math.max(...firstByte)),
        },
        requests: cycles.reduce((sum, c) => sum + c.requests, 0),
        requestsLost: cycles.reduce((sum, c) => sum + c.lost, 0),
        edgeWakes: edgeWakes(await api.text('/metrics')),
        decisions: {
          idleScaleToZero: decisions.filter((d) => d.limit === 'IdleScaleToZero').length,
          wokenByRequest: decisions.filter((d) => d.limit === 'WokenByRequest').length,
        },
        cycles,
      };
      const resultsDir = join(repoRoot, 'bench', 'results');
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, 'autoscale-cold-start.json'), `${JSON.stringify(report, null, 2)}\n`);
      const { cycles: _omitted, ...summary } = report;
      console.log(JSON.stringify(summary, null, 2));
    },
  );
}

await main();
