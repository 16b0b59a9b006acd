// `npm run bench:router`: requests/s, p50/p99 latency and proxy CPU time per request through Slipway's edge,
// nginx, HAProxy and Caddy (one worker each) and a direct connection, all in front of the same upstream, loaded
// by the same wrk command, interleaved over several rounds; then a CPU profile of the edge under the same load.
//
// Environment: BENCH_ROUNDS (default 3, at least 3), BENCH_DURATION_S (10), BENCH_WARMUP_S (2),
// BENCH_CONNECTIONS (50), BENCH_PROFILE (`0` skips the profile), BENCH_PROFILE_OUT (keep the .cpuprofile there), BENCH_UPSTREAM (`http` for a node:http upstream).
import { startOtlpSink } from './otlp-sink.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineInfo, median, printTable, repoRoot, writeResults } from '../recovery/slipwayd-process.mjs';
import { measure } from './load.mjs';
import {
  direct,
  edgeEntry,
  hasAccessLogFlag,
  startCaddy,
  startEdge,
  startHaproxy,
  startNginx,
  startPlainNode,
  startPlainUndici,
  startUpstream,
} from './peers.mjs';
import { printProfileSummary, summariseProfile } from './profile-summary.mjs';

const rounds = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const load = {
  durationS: Number(process.env.BENCH_DURATION_S ?? 10),
  warmupS: Number(process.env.BENCH_WARMUP_S ?? 2),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
};
const isProfiling = process.env.BENCH_PROFILE !== '0';
/** From issue 4: the edge's throughput relative to Caddy's, its p99 relative to Caddy's, its CPU per request. */
const targets = { throughputVsCaddy: 1.3, p99VsCaddy: 1, cpuUsPerRequest: 60, cpuVsPlainNodeProxy: 0.7 };
const highLoadAverage = 2;

const round2 = (n) => (n === undefined || Number.isNaN(n) ? undefined : Math.round(n * 100) / 100);
const loadAverage = () => loadavg().map((l) => round2(l));

function requireTools() {
  const missing = ['wrk', 'nginx', 'haproxy', 'caddy'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status !== 0,
  );
  if (missing.length > 0) {
    console.error(
      `missing: ${missing.join(', ')}; install Debian's packages: apt-get install -y nginx-light haproxy caddy wrk`,
    );
    process.exit(2);
  }
}

function ensureEdgeBuilt() {
  if (!existsSync(edgeEntry)) {
    console.log('building the edge router (node scripts/build.mjs)');
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  }
  const bytes = readFileSync(edgeEntry);
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    commit = undefined;
  }
  let hasUncommittedEdgeSources;
  try {
    const changes = execFileSync('git', ['status', '--porcelain', '--', 'apps/edge/src', 'packages/contract/src'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    hasUncommittedEdgeSources = changes.trim() !== '';
  } catch {
    hasUncommittedEdgeSources = undefined;
  }
  return {
    bundle: 'apps/edge/dist/edge.mjs',
    hasUncommittedEdgeSources,
    bundleSha256: createHash('sha256').update(bytes).digest('hex').slice(0, 12),
    bundleBuiltAt: statSync(edgeEntry).mtime.toISOString(),
    gitHead: commit,
  };
}

function versions() {
  const first = (command, args) => {
    const out = spawnSync(command, args, { encoding: 'utf8' });
    return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0];
  };
  return {
    nginx: first('/usr/sbin/nginx', ['-v']),
    haproxy: first('/usr/sbin/haproxy', ['-v']),
    caddy: first('caddy', ['version']),
    wrk: first('wrk', ['-v']),
  };
}

async function benchmarkRounds(dir, upstream) {
  const started = [];
  let sink;
  try {
    // As shipped (its access log on, into the state dir); and, when the build can, without the access log, as the
    // peers run here (none of them logs requests).
    started.push(await startEdge(dir, upstream.port));
    if (hasAccessLogFlag())
      started.push(await startEdge(dir, upstream.port, { name: 'edge-log-off', edgeArgs: ['--access-log', 'off'] }));
    started.push(await startNginx(dir, upstream.port));
    started.push(await startHaproxy(dir, upstream.port));
    started.push(await startCaddy(dir, upstream.port));
    started.push(await startPlainNode(dir, upstream.port));
    started.push(await startPlainUndici(dir, upstream.port));
    // One process per core (`--workers`): it shares the 2 cores with wrk and the upstream, so it shows the cost of
    // the extra process more than the scaling a machine with spare cores would see.
    if (readFileSync(edgeEntry, 'utf8').includes('--workers'))
      started.push(await startEdge(dir, upstream.port, { name: 'edge-2-workers', edgeArgs: ['--workers', '2'] }));
    // `BENCH_TRACING=1`: the edge again with OpenTelemetry tracing on, sampling 1 % of requests, exporting to a local
    // sink (docs/tracing.md), to compare its CPU per request with the untraced edge's in the same rounds.
    if (process.env.BENCH_TRACING === '1') {
      sink = await startOtlpSink();
      started.push(
        await startEdge(dir, upstream.port, {
          name: 'edge-traced-1pct',
          edgeArgs: ['--otlp-endpoint', sink.url, '--trace-sample-ratio', '0.01'],
        }),
      );
    }
    const all = [direct(upstream.port), ...started];
    const runs = [];
    for (let run = 1; run <= rounds; run += 1) {
      // Each round starts with a different target, so drift over the run (heat, neighbours) spreads evenly.
      const order = all.map((_, i) => all[(i + run - 1) % all.length]);
      const machine = machineInfo();
      const figures = {};
      for (const target of order) {
        figures[target.name] = await measure(target, upstream, load);
        const f = figures[target.name];
        console.log(
          `round ${run}/${rounds} ${target.name.padEnd(12)} ${String(f.requestsPerSecond).padStart(6)} req/s  ` +
            `p50 ${f.p50Us} µs  p99 ${f.p99Us} µs  cpu ${f.proxyCpuUsPerRequest ?? '–'} µs/req` +
            (f.non2xx + f.socketErrors > 0 ? `  errors ${f.non2xx} non-2xx, ${f.socketErrors} socket` : ''),
        );
      }
      const loadAverageEnd = loadAverage();
      runs.push({
        benchmark: 'router',
        run,
        at: new Date().toISOString(),
        machine: { ...machine, loadAverageStart: machine.loadAverage, loadAverageEnd },
        isMachineBusy: Math.max(machine.loadAverage[0], loadAverageEnd[0]) > highLoadAverage,
        order: order.map((t) => t.name),
        edgeBundleSha256: started[0].bundleSha256,
        load: { tool: 'wrk', threads: 1, ...load },
        targets: ratios(figures),
      });
    }
    return runs;
  } finally {
    for (const target of started) await target.stop();
    if (sink !== undefined) {
      console.log(`traced edge: ${JSON.stringify(sink.counts())} (spans and exports the OTLP sink received)`);
      await sink.stop();
    }
  }
}

/** Adds each target's throughput and p99 relative to direct and to Caddy within the same round. */
function ratios(figures) {
  const base = figures.direct;
  const caddy = figures.caddy;
  const plainUndici = figures['node-undici'];
  const out = {};
  for (const [name, f] of Object.entries(figures)) {
    out[name] = {
      ...f,
      throughputVsDirect: round2(f.requestsPerSecond / base.requestsPerSecond),
      throughputVsCaddy: round2(f.requestsPerSecond / caddy.requestsPerSecond),
      p99VsCaddy: round2(f.p99Us / caddy.p99Us),
      cpuVsPlainNodeProxy:
        plainUndici === undefined || f.proxyCpuUsPerRequest === undefined
          ? undefined
          : round2(f.proxyCpuUsPerRequest / plainUndici.proxyCpuUsPerRequest),
    };
  }
  return out;
}

async function profileEdge(dir, upstream) {
  const profileDir = join(dir, 'profile');
  const edge = await startEdge(dir, upstream.port, {
    name: 'slipway-edge-profiled',
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  });
  let figures;
  try {
    figures = await measure(edge, upstream, load);
  } finally {
    await edge.stop();
  }
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`the profiled edge wrote no .cpuprofile into ${profileDir}`);
  if (process.env.BENCH_PROFILE_OUT !== undefined) copyFileSync(join(profileDir, file), process.env.BENCH_PROFILE_OUT);
  return {
    edgeBundleSha256: edge.bundleSha256,
    figures,
    summary: summariseProfile(join(profileDir, file), { top: 25 }),
  };
}

function printSummary(runs) {
  const names = Object.keys(runs[0].targets);
  const m = (name, key) => median(runs.map((r) => r.targets[name][key]).filter((v) => v !== undefined));
  const rows = names.map((name) => ({
    target: name,
    'req/s': m(name, 'requestsPerSecond'),
    '× direct': m(name, 'throughputVsDirect'),
    '× caddy': m(name, 'throughputVsCaddy'),
    'p50 µs': m(name, 'p50Us'),
    'p99 µs': m(name, 'p99Us'),
    'p99 × caddy': m(name, 'p99VsCaddy'),
    'CPU µs/req': name === 'direct' ? undefined : m(name, 'proxyCpuUsPerRequest'),
    'CPU × node-undici': name === 'direct' ? undefined : m(name, 'cpuVsPlainNodeProxy'),
    'proxy cores': name === 'direct' ? undefined : m(name, 'proxyCpuCores'),
    errors: runs.reduce((sum, r) => sum + r.targets[name].non2xx + r.targets[name].socketErrors, 0),
  }));
  const starts = runs.map((r) => r.machine.loadAverageStart[0]);
  const ends = runs.map((r) => r.machine.loadAverageEnd[0]);
  const busiest = Math.max(...starts, ...ends);
  const machine = runs[0].machine;
  printTable(
    `router throughput — medians of ${runs.length} interleaved rounds; wrk -t1 -c${load.connections} -d${load.durationS}s; ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; 1-min load average ${Math.min(...starts)}–${busiest}` +
      (busiest > highLoadAverage ? ` (MACHINE BUSY: load > ${highLoadAverage}, figures are noisier and lower)` : ''),
    Object.keys(rows[0]),
    rows,
  );
  const bundles = new Set([...runs.map((r) => r.edgeBundleSha256), runs.at(-1).edgeProfile?.edgeBundleSha256]);
  bundles.delete(undefined);
  if (bundles.size > 1)
    console.log(`\nnote: apps/edge/dist/edge.mjs was rebuilt during the run (bundles ${[...bundles].join(', ')})`);
  const edge = rows.find((r) => r.target === 'slipway-edge');
  const verdict = (isMet) => (isMet ? 'met' : 'missed');
  console.log(
    `\nissue 4 targets for slipway-edge: throughput ≥ ${targets.throughputVsCaddy}× caddy: ${edge['× caddy']}× ` +
      `(${verdict(edge['× caddy'] >= targets.throughputVsCaddy)}); p99 ≤ caddy's: ${edge['p99 × caddy']}× ` +
      `(${verdict(edge['p99 × caddy'] <= targets.p99VsCaddy)}); CPU ≤ ${targets.cpuUsPerRequest} µs/req: ` +
      `${edge['CPU µs/req']} (${verdict(edge['CPU µs/req'] <= targets.cpuUsPerRequest)}); CPU ≤ ` +
      `${targets.cpuVsPlainNodeProxy}× the plain Node proxy (node-undici): ${edge['CPU × node-undici']}× ` +
      `(${verdict(edge['CPU × node-undici'] <= targets.cpuVsPlainNodeProxy)})`,
  );
}

requireTools();
const edgeBuild = ensureEdgeBuilt();
const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-router-'));
const upstream = await startUpstream();
const cleanup = () => rmSync(dir, { recursive: true, force: true });
let runs;
try {
  runs = await benchmarkRounds(dir, upstream);
  const context = {
    edgeBuild,
    versions: versions(),
    upstream: process.env.BENCH_UPSTREAM === 'http' ? 'node:http' : 'node:net raw',
    issueTargets: targets,
  };
  for (const run of runs) Object.assign(run, context);
  if (isProfiling) {
    console.log('\nprofiling the edge under the same load (node --cpu-prof)…');
    const profile = await profileEdge(dir, upstream);
    // The profile belongs to the whole invocation; it is kept with the last round.
    runs.at(-1).edgeProfile = { ...profile, loadAverageEnd: loadAverage() };
  }
} finally {
  await upstream.stop();
  cleanup();
}
const file = writeResults('router', runs);
printSummary(runs);
const profile = runs.at(-1).edgeProfile;
if (profile !== undefined) {
  console.log(
    `\nprofiled edge run: ${profile.figures.requestsPerSecond} req/s, ${profile.figures.proxyCpuUsPerRequest} µs CPU/req (profiler overhead included)`,
  );
  printProfileSummary(profile.summary, 'edge CPU profile');
}
console.log(`\nresults: ${file}`);
