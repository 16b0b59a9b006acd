// `npm run bench:build-cache`: the build phase of a first deploy (empty build cache) beside redeploys of the same
// sources (dependencies from the cache), for a Node app with real dependencies from the npm registry (express, with a
// lockfile) and a Python app from PyPI (flask and gunicorn, in requirements.txt). Each run starts a fresh slipwayd on
// a fresh data dir, creates both apps, deploys each once cold and then BENCH_WARM times unchanged. The build phase's
// time is read from the deployment's own phase events (running → succeeded), so it is what a user sees in the log.
//
// Needs the npm registry and a Python package index (pip's own configuration is used). Environment: BENCH_RUNS
// (default 3), BENCH_WARM (warm redeploys per run, default 3).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  machineInfo,
  median,
  prepare,
  printTable,
  SlipwaydProcess,
  writeResults,
} from '../recovery/slipwayd-process.mjs';

const runCount = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const warmCount = Math.max(1, Number(process.env.BENCH_WARM ?? 3));
const targetWarmBuildMs = 2_000;

/** An Express app with a lockfile (npm ci) and a build script, so the cache covers install and the build still runs. */
function writeNodeApp(dir) {
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'bench-express',
      private: true,
      scripts: { build: "node -e \"require('fs').writeFileSync('built.txt', 'ok')\"", start: 'node server.js' },
      dependencies: { express: '^4.21.0' },
    }),
  );
  writeFileSync(
    join(dir, 'server.js'),
    "const app = require('express')();\napp.get('/', (q, s) => s.send('hello'));\napp.listen(process.env.PORT);\n",
  );
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
}

/** A Flask app served by gunicorn from its Procfile. */
function writePythonApp(dir) {
  writeFileSync(join(dir, 'requirements.txt'), 'flask\ngunicorn\n');
  writeFileSync(
    join(dir, 'app.py'),
    "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    return 'hello'\n",
  );
  writeFileSync(join(dir, 'Procfile'), 'web: gunicorn --bind 0.0.0.0:$PORT app:app\n');
}

/** The build phase's duration in ms and whether its dependencies came from the cache, from the stored events. */
async function buildPhase(slipwayd, deploymentId) {
  const events = await slipwayd.events(deploymentId);
  const at = (state) =>
    Date.parse(events.find((e) => e.type === 'phase' && e.phase === 'build' && e.state === state)?.at ?? 'x');
  const logs = events.filter((e) => e.type === 'log').map((e) => e.line);
  return {
    buildMs: at('succeeded') - at('running'),
    isCacheHit: logs.some((line) => line.includes('from the build cache')),
  };
}

await prepare();
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-build-cache-'));
const apps = { node: join(scratch, 'node'), python: join(scratch, 'python') };
execFileSync('mkdir', ['-p', apps.node, apps.python]);
writeNodeApp(apps.node);
writePythonApp(apps.python);

const runs = [];
try {
  for (let run = 1; run <= runCount; run += 1) {
    const slipwayd = await SlipwaydProcess.create('build-cache');
    try {
      await slipwayd.start();
      const result = { benchmark: 'build-cache', run, at: new Date().toISOString(), machine: machineInfo(), apps: {} };
      for (const [name, dir] of Object.entries(apps)) {
        await slipwayd.api('POST', '/apps', { name: `bench-${name}` });
        const deployments = [];
        for (let n = 0; n <= warmCount; n += 1) {
          const deployment = await slipwayd.settle(await slipwayd.deploy(`bench-${name}`, dir), 600_000);
          if (deployment.state !== 'succeeded') {
            throw new Error(`${name} deploy ${deployment.state}: ${JSON.stringify(deployment.failure)}`);
          }
          deployments.push(await buildPhase(slipwayd, deployment.id));
        }
        const [cold, ...warm] = deployments;
        result.apps[name] = {
          coldBuildMs: cold.buildMs,
          warmBuildMs: warm.map((w) => w.buildMs),
          warmCacheHits: warm.filter((w) => w.isCacheHit).length,
        };
        console.log(
          `run ${run} ${name}: cold ${cold.buildMs} ms, warm ${warm.map((w) => `${w.buildMs} ms`).join(', ')}`,
        );
      }
      runs.push({ ...result, targets: { warmBuildMs: targetWarmBuildMs } });
    } finally {
      await slipwayd.destroy();
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const rows = Object.keys(apps).map((name) => {
  const cold = runs.map((r) => r.apps[name].coldBuildMs);
  const warm = runs.flatMap((r) => r.apps[name].warmBuildMs);
  const hits = runs.reduce((sum, r) => sum + r.apps[name].warmCacheHits, 0);
  return {
    app: name,
    'cold (median)': `${median(cold)} ms`,
    'warm (median)': `${median(warm)} ms`,
    'warm (max)': `${Math.max(...warm)} ms`,
    'cache hits': `${hits}/${warm.length}`,
  };
});
printTable(
  `build phase, ${runCount} run(s) × (1 cold + ${warmCount} warm) — target: warm < ${targetWarmBuildMs} ms`,
  ['app', 'cold (median)', 'warm (median)', 'warm (max)', 'cache hits'],
  rows,
);
writeResults('build-cache', runs);
