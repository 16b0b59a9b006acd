// `npm run bench:zero-downtime`: a constant loopback load (default 600 req/s over 50 keep-alive connections) on the
// hello-node fixture while a new release rolls out, repeated; Slipway (a real slipwayd, its edge, 2 replicas, a
// rolling deploy through the API) beside pm2 (cluster mode, 2 workers, `pm2 reload`). Counts requests sent, non-2xx
// and socket errors, and p50/p99/max latency before, during and after each rollout; writes
// bench/results/zero-downtime.json (one object per run) and prints the table.
//
// Environment: BENCH_RUNS (rollouts per tool, default 5), BENCH_RATE (requests/s, default 600), BENCH_CONNECTIONS
// (keep-alive connections, default 50), BENCH_PHASE_MS (length of the before and after phases, default 5000),
// BENCH_TOOLS (default "slipway,pm2,pm2-sigint": pm2 stops old workers with SIGTERM, the fixture's graceful close, or
// with its own default SIGINT), BENCH_DRAIN_MS (slipwayd's drain pause; default: slipwayd's own, 1000),
// BENCH_REBUILD=1 (rebuild the bundles even when they exist), BENCH_RESULTS_FILE (write elsewhere, for experiments).
// `--runtime docker|swarm` (or the tool `slipway-docker` / `slipway-swarm` in BENCH_TOOLS) runs Slipway's part with the
// app built into an image and run as containers on the Docker Engine, or as services of its swarm; the default results
// file is then zero-downtime-<runtime>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release as kernelRelease } from 'node:os';
import { dirname, join } from 'node:path';
import { startLoad, summarise } from './load-generator.mjs';
import { Pm2Target } from './pm2-target.mjs';
import { ensureBundles, repoRoot, sleep, SlipwayTarget } from './slipway-target.mjs';

const runsPerTool = Number(process.env.BENCH_RUNS ?? 5);
const ratePerSecond = Number(process.env.BENCH_RATE ?? 600);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const phaseMs = Number(process.env.BENCH_PHASE_MS ?? 5_000);
const runtimeFlag = process.argv.indexOf('--runtime');
const runtime = runtimeFlag === -1 ? 'process' : (process.argv[runtimeFlag + 1] ?? 'process');
if (!['process', 'docker', 'swarm'].includes(runtime)) {
  throw new Error(`--runtime: expected process, docker or swarm, got ${runtime}`);
}
const tools = (process.env.BENCH_TOOLS ?? 'slipway,pm2,pm2-sigint')
  .split(',')
  .map((t) => t.trim())
  .map((t) => (t === 'slipway' && runtime !== 'process' ? `slipway-${runtime}` : t));
const drainMs = process.env.BENCH_DRAIN_MS === undefined ? undefined : Number(process.env.BENCH_DRAIN_MS);
const phases = ['before', 'during', 'after'];
const resultsFile =
  process.env.BENCH_RESULTS_FILE ??
  join(repoRoot, 'bench', 'results', runtime === 'process' ? 'zero-downtime.json' : `zero-downtime-${runtime}.json`);

function machineInfo() {
  const cpu = cpus();
  return {
    host: hostname(),
    kernel: kernelRelease(),
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** One rollout under load: `phaseMs` of steady state, the rollout, `phaseMs` after it. */
async function measureRun(target, run, message) {
  const machine = machineInfo();
  const load = startLoad({ port: target.port, host: target.host, connections, ratePerSecond });
  await load.fillPool();
  load.setPhase('before');
  await sleep(phaseMs);
  const openBefore = load.openSockets();
  load.setPhase('during');
  const rolloutStartedAt = performance.now();
  const reported = await target.rollout(message);
  const rolloutMs = Math.round(performance.now() - rolloutStartedAt);
  load.setPhase('after');
  await sleep(phaseMs);
  const openAfter = load.openSockets();
  const { records } = await load.stop();
  const byPhase = Object.fromEntries(
    phases.map((phase) => [phase, summarise(records.filter((r) => r.phase === phase))]),
  );
  const failed = phases.reduce((n, p) => n + byPhase[p].failed, 0);
  const p99Ratio = byPhase.during.latencyMs.p99 / byPhase.before.latencyMs.p99;
  return {
    benchmark: 'zero-downtime',
    tool: target.name,
    setup: target.describe(),
    run,
    release: message,
    at: new Date().toISOString(),
    machine,
    load: {
      connections,
      ratePerSecond,
      phaseMs,
      socketsOpen: { before: openBefore, after: openAfter },
      socketsOpened: load.socketsOpened,
    },
    rolloutMs,
    ...reported,
    phases: byPhase,
    failed,
    p99DuringOverBefore: Math.round(p99Ratio * 100) / 100,
    meetsTargets: failed === 0 && p99Ratio <= 2,
  };
}

function writeResults(runs) {
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(runs, null, 2)}\n`);
}

function printTable(title, columns, rows) {
  const cells = [columns, ...rows.map((row) => columns.map((c) => (row[c] === undefined ? '–' : String(row[c]))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(cells[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number' && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 100) / 100;
};
const maxOf = (values) => Math.max(...values.filter((v) => typeof v === 'number'));
const sum = (values) => values.reduce((n, v) => n + v, 0);

const targetsByName = {
  slipway: { create: () => SlipwayTarget.create({ drainMs }) },
  'slipway-docker': { create: () => SlipwayTarget.create({ drainMs, runtime: 'docker' }) },
  'slipway-swarm': { create: () => SlipwayTarget.create({ drainMs, runtime: 'swarm' }) },
  pm2: { create: () => Pm2Target.create({ killSignal: 'SIGTERM' }) },
  'pm2-sigint': { create: () => Pm2Target.create({ killSignal: 'SIGINT' }) },
};
const runs = [];
const startedMachine = machineInfo();

if (tools.some((tool) => tool.startsWith('slipway'))) await ensureBundles();
for (const tool of tools) {
  const Target = targetsByName[tool];
  if (!Target)
    throw new Error(`unknown tool "${tool}" in BENCH_TOOLS (known: ${Object.keys(targetsByName).join(',')})`);
  const target = await Target.create();
  try {
    await target.start();
    for (let run = 1; run <= runsPerTool; run += 1) {
      const message = run % 2 === 1 ? 'v2' : 'v1';
      const result = await measureRun(target, run, message);
      runs.push(result);
      writeResults(runs);
      const d = result.phases.during;
      console.log(
        `${tool} run ${run} (→ ${message}): rollout ${result.rolloutMs} ms, during: ${d.requests} sent, ` +
          `${d.non2xx} non-2xx, ${d.socketErrors} socket errors ${JSON.stringify(d.errorKinds)}, ` +
          `p99 ${d.latencyMs.p99} ms (before ${result.phases.before.latencyMs.p99} ms); failed in all phases: ${result.failed}`,
      );
    }
  } finally {
    await target.destroy();
  }
}

const rows = runs.map((r) => {
  const [b, d, a] = phases.map((p) => r.phases[p]);
  return {
    tool: r.tool,
    run: r.run,
    'load avg': r.machine.loadAverage[0],
    'rollout s': (r.rolloutMs / 1000).toFixed(1),
    'sent b/d/a': `${b.requests}/${d.requests}/${a.requests}`,
    'non-2xx b/d/a': `${b.non2xx}/${d.non2xx}/${a.non2xx}`,
    'sock err b/d/a': `${b.socketErrors}/${d.socketErrors}/${a.socketErrors}`,
    'p50 ms b/d/a': `${b.latencyMs.p50}/${d.latencyMs.p50}/${a.latencyMs.p50}`,
    'p99 ms b/d/a': `${b.latencyMs.p99}/${d.latencyMs.p99}/${a.latencyMs.p99}`,
    'max ms b/d/a': `${b.latencyMs.max}/${d.latencyMs.max}/${a.latencyMs.max}`,
    'p99 d/b': r.p99DuringOverBefore,
  };
});
const title =
  `zero-downtime rollouts — ${startedMachine.cpus} × ${startedMachine.cpuModel}, Node ${startedMachine.node}, ` +
  `1-min load average at start ${startedMachine.loadAverage[0]}; ${ratePerSecond} req/s over ${connections} ` +
  `keep-alive connections, phases b(efore)/d(uring)/a(fter), ${phaseMs} ms before and after`;
printTable(title, Object.keys(rows[0] ?? { tool: 1 }), rows);

const summary = (metric, pick, target) => {
  const row = { metric, target };
  for (const tool of tools) row[tool] = pick(runs.filter((r) => r.tool === tool));
  return row;
};
printTable(
  'side by side (over all runs of each tool)',
  ['metric', ...tools, 'target'],
  [
    summary('rollouts', (rs) => rs.length, '5'),
    summary('requests sent during rollouts', (rs) => sum(rs.map((r) => r.phases.during.requests)), '–'),
    summary('failed requests, all phases (total)', (rs) => sum(rs.map((r) => r.failed)), '0'),
    summary(
      'failed per rollout (median / max)',
      (rs) => `${median(rs.map((r) => r.failed))} / ${maxOf(rs.map((r) => r.failed))}`,
      '0',
    ),
    summary('non-2xx during (total)', (rs) => sum(rs.map((r) => r.phases.during.non2xx)), '0'),
    summary('socket errors during (total)', (rs) => sum(rs.map((r) => r.phases.during.socketErrors)), '0'),
    summary('p99 before, ms (median)', (rs) => median(rs.map((r) => r.phases.before.latencyMs.p99)), '–'),
    summary('p99 during, ms (median)', (rs) => median(rs.map((r) => r.phases.during.latencyMs.p99)), '≤ 2× before'),
    summary(
      'p99 during / before (median / max)',
      (rs) => `${median(rs.map((r) => r.p99DuringOverBefore))} / ${maxOf(rs.map((r) => r.p99DuringOverBefore))}`,
      '≤ 2',
    ),
    summary('max latency during, ms (max)', (rs) => maxOf(rs.map((r) => r.phases.during.latencyMs.max)), '–'),
    summary('rollout duration, s (median)', (rs) => (median(rs.map((r) => r.rolloutMs)) / 1000).toFixed(1), '–'),
    summary('runs meeting both targets', (rs) => `${rs.filter((r) => r.meetsTargets).length} of ${rs.length}`, 'all'),
  ],
);
console.log(`\nresults: ${resultsFile}`);
