// `npm run bench:recovery`: `kill -9` of slipwayd, idle and in the middle of a rollout, under a steady loopback load
// through the edge. Measures the time from the kill to the API answering again, to the instances re-adopted (idle)
// or to the deployment resumed and finished (mid-rollout), and counts the requests that failed meanwhile (target 0).
// Mid-rollout is reached deterministically with the `rollout:step=pause` failpoint: the killed slipwayd was holding
// its deployment right after starting the new release's instance; the restarted one runs without failpoints.
//
// Environment: BENCH_RUNS (repetitions per scenario, default 3), BENCH_RATE (requests/s, default 200),
// BENCH_CONNECTIONS (keep-alive connections, default 4).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  helloSource,
  machineInfo,
  max,
  median,
  prepare,
  printTable,
  sleep,
  SlipwaydProcess,
  startLoad,
  writeResults,
} from './slipwayd-process.mjs';

const runsPerScenario = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const ratePerSecond = Number(process.env.BENCH_RATE ?? 200);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 4);
/** After the system has recovered, keep counting this long: late failures count too. */
const tailMs = 1_000;
const app = 'bench';
const host = `${app}.localhost`;

await prepare();
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-sources-'));
const slipwayd = await SlipwaydProcess.create('recovery');
const runs = [];
let load;

try {
  await slipwayd.start();
  await slipwayd.api('POST', '/apps', { name: app });
  let release = 1;
  const first = await slipwayd.settle(await slipwayd.deploy(app, helloSource(scratch, `v${release}`)));
  if (first.state !== 'succeeded')
    throw new Error(`the first deployment ${first.state}: ${JSON.stringify(first.failure)}`);
  load = startLoad({ edgePort: slipwayd.edgePort, host, connections, ratePerSecond });
  await sleep(1_000);

  const instancesNow = async () => (await slipwayd.api('GET', `/apps/${app}/instances`)).instances;

  for (let run = 1; run <= runsPerScenario; run += 1) {
    const before = (await instancesNow()).map((i) => `${i.id}/${i.pid}`).sort();
    const machine = machineInfo();
    const killedAt = Date.now();
    await slipwayd.kill('SIGKILL');
    const spawnToReady = await slipwayd.start();
    const readyAt = Date.now();
    // Re-adopted: the same instances, same processes, all healthy, as the restarted slipwayd sees them.
    for (;;) {
      const after = await instancesNow();
      const same = after.map((i) => `${i.id}/${i.pid}`).sort();
      if (after.every((i) => i.state === 'healthy') && same.join() === before.join()) break;
      await sleep(10);
    }
    const convergedAt = Date.now();
    await sleep(tailMs);
    runs.push({
      benchmark: 'recovery',
      scenario: 'idle',
      run,
      at: new Date(killedAt).toISOString(),
      machine,
      killToApiReadyMs: readyAt - killedAt,
      spawnToApiReadyMs: Math.round(spawnToReady),
      killToInstancesReadoptedMs: convergedAt - killedAt,
      load: { connections, ratePerSecond, ...load.window(killedAt, convergedAt + tailMs) },
    });
    console.log(`idle run ${run}: API ready ${readyAt - killedAt} ms after kill -9`);
  }

  for (let run = 1; run <= runsPerScenario; run += 1) {
    // An orderly restart with the failpoint armed, then a deployment that stops right after its first rollout step.
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ SLIPWAY_FAILPOINTS: 'rollout:step=pause' });
    const mark = slipwayd.output.length;
    release += 1;
    const deploymentId = await slipwayd.deploy(app, helloSource(scratch, `v${release}`));
    for (;;) {
      if (slipwayd.output.slice(mark).includes('"failpoint":"rollout:step"')) break;
      await sleep(10);
    }
    const machine = machineInfo();
    const killedAt = Date.now();
    await slipwayd.kill('SIGKILL');
    const spawnToReady = await slipwayd.start();
    const readyAt = Date.now();
    const settled = await slipwayd.settle(deploymentId);
    const events = await slipwayd.events(deploymentId);
    const resumed = events.find((e) => e.type === 'log' && e.line.startsWith('resuming after an interruption'));
    const finishedAt = Date.parse(settled.finishedAt);
    // Converged: only the new release's instances are left, all healthy.
    for (;;) {
      const instances = await instancesNow();
      if (
        instances.length > 0 &&
        instances.every((i) => i.releaseNumber === settled.releaseNumber && i.state === 'healthy')
      )
        break;
      await sleep(10);
    }
    const convergedAt = Date.now();
    await sleep(tailMs);
    runs.push({
      benchmark: 'recovery',
      scenario: 'mid-rollout',
      run,
      at: new Date(killedAt).toISOString(),
      machine,
      deploymentState: settled.state,
      killToApiReadyMs: readyAt - killedAt,
      spawnToApiReadyMs: Math.round(spawnToReady),
      killToResumedMs: resumed ? Date.parse(resumed.at) - killedAt : undefined,
      killToFinishedMs: finishedAt - killedAt,
      killToConvergedMs: convergedAt - killedAt,
      load: { connections, ratePerSecond, ...load.window(killedAt, convergedAt + tailMs) },
    });
    console.log(`mid-rollout run ${run}: deployment ${settled.state} ${finishedAt - killedAt} ms after kill -9`);
  }
} finally {
  await load?.stop();
  await slipwayd.destroy();
  rmSync(scratch, { recursive: true, force: true });
}

const file = writeResults('recovery', runs);
const rows = [];
for (const scenario of ['idle', 'mid-rollout']) {
  const of = runs.filter((r) => r.scenario === scenario);
  const metrics =
    scenario === 'idle'
      ? ['killToApiReadyMs', 'killToInstancesReadoptedMs']
      : ['killToApiReadyMs', 'killToResumedMs', 'killToFinishedMs', 'killToConvergedMs'];
  for (const metric of metrics) {
    const values = of.map((r) => r[metric]);
    rows.push({ scenario, metric, runs: of.length, median: median(values), max: max(values), target: '–' });
  }
  const failed = of.map((r) => r.load.failed);
  rows.push({
    scenario,
    metric: 'failed requests (of sent)',
    runs: of.length,
    median: `${median(failed)} (of ${median(of.map((r) => r.load.requests))})`,
    max: max(failed),
    target: 0,
  });
}
printTable(
  `slipwayd recovery after kill -9 — ${runs[0]?.machine.cpus ?? '?'} × ${runs[0]?.machine.cpuModel ?? '?'}, ` +
    `load average at the kills ${median(runs.map((r) => r.machine.loadAverage[0]))} (median of 1-min), ` +
    `${connections} keep-alive connections at ${ratePerSecond} req/s through the edge`,
  ['scenario', 'metric', 'runs', 'median', 'max', 'target'],
  rows,
);
console.log(`\nresults: ${file}`);
