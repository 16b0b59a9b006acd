// `npm run bench:git`: git-driven delivery on a real slipwayd.
//   - push to deploy: the hello-node fixture (no dependencies to install, so nothing changes in them) pushed to
//     slipwayd's own git endpoint (`/git/<app>.git`, a Slipway token through `slipway git-credential`), 5 times, each
//     push a commit that changes the release message; measured from the start of `git push` to the edge answering
//     with the new release (target: median ≤ 10 s), with the time `git push` itself took (it ends once the deployment
//     has ended, showing its progress);
//   - webhook ingest: `measureWebhookIngest()` of bench/git/webhook-ingest.mjs (verified deliveries per second, lost and
//     duplicated ones), when it is there.
// Writes bench/results/git.json and prints a summary.
//
// Environment: BENCH_PUSHES (5), BENCH_REBUILD=1 (rebuild the bundles first).
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';
import { killSlipwaydTree, machineInfo, median, writeResults } from '../recovery/slipwayd-process.mjs';
import { ensureBundles, fixtureDir, freePort, repoRoot, sleep, waitForBody } from '../zero-downtime/slipway-target.mjs';

const pushes = Number(process.env.BENCH_PUSHES ?? 5);
const slipwaydEntry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');
const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');
const app = 'pushbench';
const host = `${app}.localhost`;

async function startSlipwayd() {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-git-'));
  const apiPort = await freePort();
  const edgePort = await freePort();
  const instancePortFrom = 43_000 + Math.floor(Math.random() * 40) * 100;
  const child = spawn(
    process.execPath,
    [
      ...slipwaydNodeFlags,
      slipwaydEntry,
      '--data-dir',
      dataDir,
      '--api',
      `127.0.0.1:${apiPort}`,
      '--edge',
      `127.0.0.1:${edgePort}`,
      '--catalog-http',
      `127.0.0.1:${await freePort()}`,
      '--dns',
      `127.0.0.1:${await freePort()}`,
      '--node-name',
      'bench-git',
      '--log-level',
      'warn',
      '--docker',
      'off',
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        SLIPWAY_INSTANCE_PORTS: `${instancePortFrom}-${instancePortFrom + 99}`,
        XDG_CONFIG_HOME: join(dataDir, 'slipwayd-config'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c) => (output += c.toString()));
  child.stderr.on('data', (c) => (output += c.toString()));
  const url = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slipwayd exited with ${child.exitCode}: ${output}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`slipwayd not ready after 60 s: ${output}`);
    await sleep(20);
  }
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return {
    dataDir,
    url,
    edgePort,
    token,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      killSlipwaydTree(dataDir);
    },
  };
}

/** hello-node in `dir` answering with `message` (set in its manifest's env). */
function writeRelease(dir, message) {
  writeFileSync(
    join(dir, 'slipway.yaml'),
    [
      'processes:',
      '  web:',
      '    healthCheck: { type: http, path: /healthz }',
      'env:',
      `  RELEASE_MESSAGE: ${message}`,
      '',
    ].join('\n'),
  );
}

function git(cwd, args, env = {}) {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
      ...env,
    },
  });
}

/** One commit with `message` pushed to slipwayd; ms until `git push` returned and until the edge serves it. */
async function pushRelease(server, work, message) {
  writeRelease(work, message);
  git(work, ['commit', '-q', '-am', message]);
  const startedMs = performance.now();
  await new Promise((resolve, reject) => {
    const child = spawn(
      'git',
      [
        '-c',
        'credential.helper=',
        '-c',
        `credential.helper=!node ${cliEntry} git-credential`,
        'push',
        '-q',
        'origin',
        'main',
      ],
      {
        cwd: work,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
          SLIPWAY_API_URL: server.url,
          SLIPWAY_TOKEN: server.token,
        },
      },
    );
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git push exited ${code}: ${stderr}`))));
  });
  const pushedMs = performance.now() - startedMs;
  await waitForBody(server.edgePort, host, `release ${message}`);
  return { pushMs: Math.round(pushedMs), servingMs: Math.round(performance.now() - startedMs) };
}

async function measurePushToDeploy() {
  const server = await startSlipwayd();
  const work = mkdtempSync(join(tmpdir(), 'slipway-bench-git-work-'));
  try {
    const created = await fetch(`${server.url}/api/v1/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: app }),
    });
    if (!created.ok) throw new Error(`creating the app: ${created.status} ${await created.text()}`);
    cpSync(fixtureDir, work, { recursive: true });
    git(work, ['init', '-q', '-b', 'main']);
    git(work, ['remote', 'add', 'origin', `${server.url}/git/${app}.git`]);
    writeRelease(work, 'push-0');
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', 'push-0']);
    // The first push creates the repository and the app's first release: not measured.
    writeRelease(work, 'push-warm');
    const warm = await pushRelease(server, work, 'push-warm');
    const runs = [];
    for (let i = 1; i <= pushes; i++) {
      const run = await pushRelease(server, work, `push-${i}`);
      runs.push(run);
      console.log(`push ${i}: git push ${run.pushMs} ms, serving after ${run.servingMs} ms`);
    }
    return {
      warmUp: warm,
      runs,
      medianServingMs: median(runs.map((r) => r.servingMs)),
      medianPushMs: median(runs.map((r) => r.pushMs)),
      targetServingMs: 10_000,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.stop();
  }
}

async function measureIngest() {
  const file = join(repoRoot, 'bench', 'git', 'webhook-ingest.mjs');
  if (!existsSync(file)) return { isMeasured: false, reason: 'bench/git/webhook-ingest.mjs is not there' };
  const { measureWebhookIngest } = await import(file);
  return { isMeasured: true, ...(await measureWebhookIngest()) };
}

await ensureBundles();
const machine = machineInfo();
const pushToDeploy = await measurePushToDeploy();
const webhookIngest = await measureIngest();
const file = writeResults('git', [{ at: new Date().toISOString(), machine, pushToDeploy, webhookIngest }]);
console.log(
  `push to deploy: median ${pushToDeploy.medianServingMs} ms from git push to the new release serving (target ≤ 10,000 ms), git push itself ${pushToDeploy.medianPushMs} ms`,
);
console.log(`webhook ingest: ${JSON.stringify(webhookIngest)}`);
console.log(`written: ${file}`);
