// The autoscale benches' slipwayd: a real one on free loopback ports with a throw-away data dir and the process
// runtime, its API with the admin token, a deployment waited for, and the process tree stopped at the end.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';
import { freePort, killSlipwaydTree, repoRoot, sleep } from '../recovery/slipwayd-process.mjs';
import { ensureBundles, fixtureDir } from '../zero-downtime/slipway-target.mjs';

export async function startBenchSlipwayd({ dataDir, apiPort, edgePort, autoscaleIntervalMs }) {
  const catalogPort = await freePort();
  const dnsPort = await freePort();
  const instancePortFrom = 44_000 + Math.floor(Math.random() * 20) * 200;
  const env = {
    ...process.env,
    SLIPWAY_INSTANCE_PORTS: `${instancePortFrom}-${instancePortFrom + 199}`,
    SLIPWAY_AUTOSCALE_INTERVAL_MS: String(autoscaleIntervalMs),
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

/** `api(method, path, body)` under `/api/v1` with the admin token, 10 s per call; `api.text(path)` for other paths. */
export function benchApi(dataDir, apiPort) {
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const headers = { authorization: `Bearer ${token}` };
  const api = async (method, path, body) => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  api.text = async (path) => {
    const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
    return res.text();
  };
  return api;
}

/** Creates `app` and deploys `source` to it, waiting for the deployment to succeed. */
export async function deployApp(api, app, source) {
  await api('POST', '/apps', { name: app });
  const { deployment } = await api('POST', `/apps/${app}/deployments`, { path: source });
  for (;;) {
    const d = await api('GET', `/deployments/${deployment.id}`);
    if (d.state === 'succeeded') return;
    if (d.state !== 'pending' && d.state !== 'running') throw new Error(`first deployment ${d.state}`);
    await sleep(100);
  }
}

export async function stopBenchSlipwayd(child, dataDir) {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  killSlipwaydTree(dataDir);
}

/**
 * Builds the bundles if need be, starts slipwayd, deploys the hello-node fixture with `manifest` as `app`, runs
 * `run({ api, edgePort })`, then stops slipwayd and removes its data dir and the source.
 */
export async function withDeployedApp({ tmpPrefix, manifest, app, autoscaleIntervalMs }, run) {
  await ensureBundles();
  const dataDir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const source = mkdtempSync(join(tmpdir(), `${tmpPrefix}src-`));
  cpSync(fixtureDir, source, { recursive: true });
  writeFileSync(join(source, 'slipway.yaml'), manifest);
  const apiPort = await freePort();
  const edgePort = await freePort();
  let child;
  try {
    child = await startBenchSlipwayd({ dataDir, apiPort, edgePort, autoscaleIntervalMs });
    const api = benchApi(dataDir, apiPort);
    await deployApp(api, app, source);
    await run({ api, edgePort });
  } finally {
    await stopBenchSlipwayd(child, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(source, { recursive: true, force: true });
  }
}
