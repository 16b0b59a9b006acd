// Benchmark support shared by bench/recovery and bench/footprint: builds the bundles, runs a real slipwayd on free
// loopback ports with its own data dir, talks to its API with fetch, reads RSS from /proc, writes results and tables.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { createServer } from 'node:net';
import { cpus, freemem, hostname, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const slipwaydEntry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');
/** The build that honours SLIPWAY_FAILPOINTS; every start without them measures the release build. */
const slipwaydTestEntry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd-test.mjs');
export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'apps');

/** Installs what is missing and rebuilds the bundles, so a fresh clone measures the current code. */
export async function prepare() {
  const { ensureInstall } = await import(join(repoRoot, 'scripts', 'ensure-install.mjs'));
  ensureInstall(repoRoot);
  const { buildAll } = await import(join(repoRoot, 'scripts', 'build.mjs'));
  await buildAll();
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The machine and its load at the moment of the call (one-minute load average first). */
export function machineInfo() {
  const cpu = cpus();
  return {
    host: hostname(),
    kernel: release(),
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memTotalMiB: Math.round(totalmem() / 2 ** 20),
    memFreeMiB: Math.round(freemem() / 2 ** 20),
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Resident set size of one process in bytes (VmRSS), or undefined when it is gone. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
    return Number.isFinite(kib) ? kib * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const mib = (bytes) => (bytes === undefined ? undefined : Math.round((bytes / 2 ** 20) * 10) / 10);

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 10) / 10;
}

export const max = (values) => {
  const numbers = values.filter((v) => typeof v === 'number');
  return numbers.length === 0 ? undefined : Math.max(...numbers);
};

/** Writes `bench/results/<name>.json`: an array with one object per run. */
export function writeResults(name, runs) {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(runs, null, 2)}\n`);
  return file;
}

export function printTable(title, columns, rows) {
  const cells = [columns, ...rows.map((row) => columns.map((c) => (row[c] === undefined ? '–' : String(row[c]))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(cells[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/** hello-node copied to a scratch dir, answering `hello from release <message>`. */
export function helloSource(scratch, message) {
  const dir = join(scratch, `hello-${message}`);
  cpSync(join(fixturesDir, 'hello-node'), dir, { recursive: true });
  const server = readFileSync(join(dir, 'server.js'), 'utf8');
  writeFileSync(join(dir, 'server.js'), server.replace(/'v1'/g, `'${message}'`));
  return dir;
}

/** One GET through the edge with a Host header; resolves with the status (0 on a socket error). */
export function edgeGet(edgePort, host, agent = false) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: edgePort, path: '/', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (error) => resolve({ status: 0, error: error.message }));
    });
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/**
 * A steady, bounded loopback load through the edge: `connections` keep-alive connections, each sending one request
 * at a time, paced to `ratePerSecond` in total. Records the time of every failure so a window can be counted.
 */
export function startLoad({ edgePort, host, connections = 4, ratePerSecond = 200 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const intervalMs = (1000 * connections) / ratePerSecond;
  const requests = [];
  const failures = [];
  let isStopped = false;
  const worker = async () => {
    while (!isStopped) {
      const started = Date.now();
      const answer = await edgeGet(edgePort, host, agent);
      requests.push(started);
      if (answer.status < 200 || answer.status >= 300)
        failures.push({ atMs: started, status: answer.status, error: answer.error });
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0) await sleep(wait);
    }
  };
  const workers = Array.from({ length: connections }, worker);
  return {
    connections,
    ratePerSecond,
    /** Requests and failures sent in [fromMs, toMs]. */
    window(fromMs, toMs) {
      const inWindow = (t) => t >= fromMs && t <= toMs;
      const failed = failures.filter((f) => inWindow(f.atMs));
      return {
        requests: requests.filter(inWindow).length,
        failed: failed.length,
        non2xx: failed.filter((f) => f.status !== 0).length,
        socketErrors: failed.filter((f) => f.status === 0).length,
        samples: failed.slice(0, 3).map((f) => (f.status === 0 ? f.error : `HTTP ${f.status}`)),
      };
    },
    async stop() {
      isStopped = true;
      await Promise.all(workers);
      agent.destroy();
    },
  };
}

/** A slipwayd child process on its own data dir and loopback ports; the edge and instances outlive it. */
export class SlipwaydProcess {
  static async create(name) {
    const dataDir = mkdtempSync(join(tmpdir(), `slipway-bench-${name}-`));
    const instancePortFrom = 40_000 + Math.floor(Math.random() * 40) * 200;
    return new SlipwaydProcess(dataDir, await freePort(), await freePort(), instancePortFrom);
  }

  constructor(dataDir, apiPort, edgePort, instancePortFrom) {
    this.dataDir = dataDir;
    this.apiPort = apiPort;
    this.edgePort = edgePort;
    this.instancePortFrom = instancePortFrom;
    this.child = undefined;
    this.output = '';
  }

  get url() {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get pid() {
    return this.child?.pid;
  }

  edgePid() {
    return Number(readFileSafe(join(this.dataDir, 'edge', 'edge.pid'))) || undefined;
  }

  /** Spawns slipwayd; resolves with the milliseconds from spawn until `/readyz` answers 200. */
  async start(env = {}) {
    const startedAt = performance.now();
    const child = spawn(
      process.execPath,
      [
        ...slipwaydNodeFlags,
        env.SLIPWAY_FAILPOINTS === undefined ? slipwaydEntry : slipwaydTestEntry,
        '--data-dir',
        this.dataDir,
        '--api',
        `127.0.0.1:${this.apiPort}`,
        '--edge',
        `127.0.0.1:${this.edgePort}`,
        '--node-name',
        'bench',
        '--log-level',
        'warn',
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          SLIPWAY_INSTANCE_PORTS: `${this.instancePortFrom}-${this.instancePortFrom + 199}`,
          SLIPWAY_DRAIN_MS: '200',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    child.stdout.on('data', (c) => (this.output += c.toString()));
    child.stderr.on('data', (c) => (this.output += c.toString()));
    for (;;) {
      if (child.exitCode !== null) throw new Error(`slipwayd exited with ${child.exitCode}: ${this.output}`);
      const status = await fetch(`${this.url}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return performance.now() - startedAt;
      if (performance.now() - startedAt > 60_000) throw new Error(`slipwayd not ready after 60 s: ${this.output}`);
      await sleep(5);
    }
  }

  async kill(signal) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  async waitForOutput(text, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline) throw new Error(`no "${text}" in slipwayd's output: ${this.output.slice(-2000)}`);
      await sleep(10);
    }
  }

  /** The bearer header of the admin token slipwayd wrote to its data dir on first start (how the local CLI authenticates). */
  authorization() {
    return { authorization: `Bearer ${readFileSafe(join(this.dataDir, 'admin-token'))}` };
  }

  async api(method, path, body) {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { ...this.authorization(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async deploy(app, path) {
    const { deployment } = await this.api('POST', `/apps/${app}/deployments`, { path });
    return deployment.id;
  }

  async settle(deploymentId, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const deployment = await this.api('GET', `/deployments/${deploymentId}`);
      if (deployment.state !== 'pending' && deployment.state !== 'running') return deployment;
      if (Date.now() > deadline) throw new Error(`deployment ${deploymentId} still ${deployment.state}`);
      await sleep(20);
    }
  }

  /** A deployment's stored events (the SSE stream read to its end; the deployment must have ended). */
  async events(deploymentId) {
    const res = await fetch(`${this.url}/api/v1/deployments/${deploymentId}/events`, { headers: this.authorization() });
    const text = await res.text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice('data: '.length)));
  }

  /** Stops slipwayd, the edge and every instance, and deletes the data dir. */
  async destroy() {
    await this.kill('SIGKILL');
    killSlipwaydTree(this.dataDir);
  }
}

/** Kills what a slipwayd with this data dir left running (app instances' process groups, the edge) and deletes the dir. */
export function killSlipwaydTree(dataDir) {
  const pids = [];
  const instances = join(dataDir, 'instances');
  if (existsSync(instances)) {
    for (const id of readdirSync(instances)) {
      const state = readFileSafe(join(instances, id, 'instance.json'));
      const pid = state ? JSON.parse(state).pid : undefined;
      if (typeof pid === 'number') pids.push(pid);
    }
  }
  const edgePid = Number(readFileSafe(join(dataDir, 'edge', 'edge.pid')));
  if (edgePid > 0) pids.push(edgePid);
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
