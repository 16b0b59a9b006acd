// `npm run bench:footprint`: start-to-ready time and idle RSS of slipwayd, and idle RSS of the edge router.
// Each run: a fresh data dir; a cold start (slipwayd also spawns the edge); idle RSS with no app; a deploy of
// hello-node; idle RSS with that app serving (the figure the targets speak of); an orderly restart (the edge and
// the instance keep running: the common case) and its start-to-ready time and idle RSS. Ready means /readyz
// answers 200. For context, the RSS of an empty Node process on this machine is measured too.
//
// Environment: BENCH_RUNS (default 5), BENCH_IDLE_MS (settle time before each RSS reading, default 3000).
import { spawn } from 'node:child_process';
import {
  fixturesDir,
  machineInfo,
  max,
  median,
  mib,
  prepare,
  printTable,
  rssBytes,
  sleep,
  SlipwaydProcess,
  writeResults,
} from '../recovery/slipwayd-process.mjs';
import { join } from 'node:path';

const runCount = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 3_000);
const targets = { slipwaydRssMiB: 120, startToReadyMs: 1_500, edgeRssMiB: 60 };

/** RSS of `node -e` doing nothing: the floor every Node process starts from. */
async function emptyNodeRss() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1_000);
  const rss = rssBytes(child.pid);
  child.kill('SIGKILL');
  return rss;
}

await prepare();
const runs = [];
for (let run = 1; run <= runCount; run += 1) {
  const slipwayd = await SlipwaydProcess.create('footprint');
  try {
    const machine = machineInfo();
    const coldStartToReadyMs = Math.round(await slipwayd.start());
    await sleep(idleMs);
    const emptySlipwayd = rssBytes(slipwayd.pid);
    const emptyEdge = rssBytes(slipwayd.edgePid());

    await slipwayd.api('POST', '/apps', { name: 'hello' });
    const deployment = await slipwayd.settle(await slipwayd.deploy('hello', join(fixturesDir, 'hello-node')));
    if (deployment.state !== 'succeeded') throw new Error(`deploy ${deployment.state}`);
    for (let n = 0; n < 20; n += 1) await slipwayd.api('GET', '/status');
    await sleep(idleMs);
    const idleSlipwayd = rssBytes(slipwayd.pid);
    const idleEdge = rssBytes(slipwayd.edgePid());

    await slipwayd.kill('SIGTERM');
    const warmStartToReadyMs = Math.round(await slipwayd.start());
    await sleep(idleMs);
    const restartedSlipwayd = rssBytes(slipwayd.pid);

    runs.push({
      benchmark: 'footprint',
      run,
      at: new Date().toISOString(),
      machine,
      emptyNodeRssMiB: mib(await emptyNodeRss()),
      slipwayd: {
        coldStartToReadyMs,
        warmStartToReadyMs,
        idleRssNoAppMiB: mib(emptySlipwayd),
        idleRssOneAppMiB: mib(idleSlipwayd),
        idleRssAfterRestartMiB: mib(restartedSlipwayd),
      },
      edge: { idleRssNoAppMiB: mib(emptyEdge), idleRssOneAppMiB: mib(idleEdge) },
      targets,
    });
    console.log(`run ${run}: ready ${coldStartToReadyMs} ms cold, ${warmStartToReadyMs} ms warm`);
  } finally {
    await slipwayd.destroy();
  }
}

const file = writeResults('footprint', runs);
const row = (what, values, target, unit) => {
  const m = median(values);
  return {
    what,
    median: m,
    max: max(values),
    target: target === undefined ? '–' : `≤ ${target}`,
    unit,
    verdict: target === undefined ? '' : m <= target ? 'met' : 'missed',
  };
};
printTable(
  `slipwayd and edge footprint — ${runs.length} runs, ${runs[0]?.machine.cpus ?? '?'} × ${runs[0]?.machine.cpuModel ?? '?'}, ` +
    `Node ${runs[0]?.machine.node ?? '?'}, load average at the runs ${median(runs.map((r) => r.machine.loadAverage[0]))} (median of 1-min)`,
  ['what', 'median', 'max', 'target', 'unit', 'verdict'],
  [
    row(
      'slipwayd start to ready, warm (edge + app running)',
      runs.map((r) => r.slipwayd.warmStartToReadyMs),
      targets.startToReadyMs,
      'ms',
    ),
    row(
      'slipwayd start to ready, cold (spawns the edge)',
      runs.map((r) => r.slipwayd.coldStartToReadyMs),
      targets.startToReadyMs,
      'ms',
    ),
    row(
      'slipwayd idle RSS, one app',
      runs.map((r) => r.slipwayd.idleRssOneAppMiB),
      targets.slipwaydRssMiB,
      'MiB',
    ),
    row(
      'slipwayd idle RSS, no app',
      runs.map((r) => r.slipwayd.idleRssNoAppMiB),
      targets.slipwaydRssMiB,
      'MiB',
    ),
    row(
      'slipwayd idle RSS after a restart',
      runs.map((r) => r.slipwayd.idleRssAfterRestartMiB),
      targets.slipwaydRssMiB,
      'MiB',
    ),
    row(
      'edge idle RSS, one app',
      runs.map((r) => r.edge.idleRssOneAppMiB),
      targets.edgeRssMiB,
      'MiB',
    ),
    row(
      'edge idle RSS, no app',
      runs.map((r) => r.edge.idleRssNoAppMiB),
      targets.edgeRssMiB,
      'MiB',
    ),
    row(
      'empty Node process RSS (the floor)',
      runs.map((r) => r.emptyNodeRssMiB),
      undefined,
      'MiB',
    ),
  ],
);
console.log(`\nresults: ${file}`);
