// Slipway as the system under test: a real slipwayd on loopback ports with a throw-away data dir, the hello-node
// fixture deployed with 2 replicas, and rolling deploys of a changed release through the API. Cleans up slipwayd, the
// edge and every instance (their process groups).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { killSlipwaydTree } from '../recovery/slipwayd-process.mjs';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtureDir = join(repoRoot, 'test', 'fixtures', 'apps', 'hello-node');
const slipwaydEntry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');
const bundles = [slipwaydEntry, join(repoRoot, 'apps', 'edge', 'dist', 'edge.mjs')];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds the bundles when one is missing (or always with BENCH_REBUILD=1); never installs into the workspace. */
export async function ensureBundles() {
  if (process.env.BENCH_REBUILD !== '1' && bundles.every((file) => existsSync(file))) return;
  const { buildAll } = await import(join(repoRoot, 'scripts', 'build.mjs'));
  await buildAll();
}

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

/**
 * hello-node copied to `scratch/hello-<message>` with 2 web replicas health-checked on /healthz and the release
 * message set through the manifest's env, so each message is a distinct release of the same code. With the docker
 * runtime it gets a Dockerfile on the local node image (the same server, in a container).
 */
export function helloSource(scratch, message, runtime = 'process') {
  const dir = join(scratch, `hello-${message}`);
  if (existsSync(dir)) return dir;
  cpSync(fixtureDir, dir, { recursive: true });
  if (runtime !== 'process') {
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM local/node-runtime:latest\nCOPY server.js .\nCMD ["node", "server.js"]\n',
    );
  }
  writeFileSync(
    join(dir, 'slipway.yaml'),
    [
      '# hello-node for bench/zero-downtime: two replicas, so a rolling deploy always has one serving.',
      `runtime: ${runtime}`,
      'processes:',
      '  web:',
      '    replicas: 2',
      '    healthCheck:',
      '      type: http',
      '      path: /healthz',
      'env:',
      `  RELEASE_MESSAGE: ${message}`,
      '',
    ].join('\n'),
  );
  return dir;
}

/** One GET with a Host header and a fresh connection; resolves with status and body (status 0 on a socket error). */
export function getOnce(port, host) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Polls until `port` answers 200 with a body containing `text`. */
export async function waitForBody(port, host, text, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await getOnce(port, host);
    if (answer.status === 200 && answer.body.includes(text)) return;
    if (Date.now() > deadline)
      throw new Error(`${host} never served "${text}" (last: ${answer.status} ${answer.body})`);
    await sleep(100);
  }
}

export class SlipwayTarget {
  /** `runtime`: `process` (the default) or `docker` (the same app built into an image, run as containers). */
  static async create({ drainMs, runtime = 'process' } = {}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-zd-'));
    const instancePortFrom = 42_000 + Math.floor(Math.random() * 40) * 200;
    return new this(dataDir, await freePort(), await freePort(), instancePortFrom, drainMs, runtime);
  }

  constructor(dataDir, apiPort, edgePort, instancePortFrom, drainMs, runtime) {
    this.runtime = runtime;
    this.name = runtime === 'process' ? 'slipway' : `slipway-${runtime}`;
    this.dataDir = dataDir;
    this.apiPort = apiPort;
    this.edgePort = edgePort;
    this.instancePortFrom = instancePortFrom;
    this.drainMs = drainMs;
    this.app = 'zd';
    this.host = `${this.app}.localhost`;
    this.scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-zd-src-'));
    this.child = undefined;
    this.output = '';
  }

  get url() {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** Where the load goes: the edge, with `Host: <app>.localhost`. */
  get port() {
    return this.edgePort;
  }

  /** What the table's settings column shows. */
  describe() {
    const images =
      this.runtime === 'process'
        ? ''
        : process.env.BENCH_DOCKER_BUILD_EACH === '1'
          ? ', an image built per release'
          : ', one image, a new release per rollout';
    return `${this.runtime} runtime${images}, edge, 2 replicas, rolling (maxSurge 1, maxUnavailable 0), drainMs ${this.drainMs ?? '1000 (default)'}`;
  }

  async start() {
    const env = { ...process.env, SLIPWAY_INSTANCE_PORTS: `${this.instancePortFrom}-${this.instancePortFrom + 199}` };
    if (this.drainMs !== undefined) env.SLIPWAY_DRAIN_MS = String(this.drainMs);
    const child = spawn(
      process.execPath,
      [
        ...slipwaydNodeFlags,
        slipwaydEntry,
        '--data-dir',
        this.dataDir,
        '--api',
        `127.0.0.1:${this.apiPort}`,
        '--edge',
        `127.0.0.1:${this.edgePort}`,
        '--node-name',
        'bench-zd',
        '--log-level',
        'warn',
        '--docker',
        this.runtime === 'process' ? 'off' : 'on',
        '--swarm',
        this.runtime === 'swarm' ? 'on' : 'off',
      ],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout.on('data', (c) => (this.output += c.toString()));
    child.stderr.on('data', (c) => (this.output += c.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`slipwayd exited with ${child.exitCode}: ${this.output}`);
      const status = await fetch(`${this.url}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`slipwayd not ready after 60 s: ${this.output}`);
      await sleep(20);
    }
    await this.api('POST', '/apps', { name: this.app });
    const first = await this.settle(await this.deploy('v1'));
    if (first.state !== 'succeeded') throw new Error(`the first deployment ${first.state}: ${JSON.stringify(first)}`);
    if (this.runtime !== 'process') this.image = await this.firstImage();
    await waitForBody(this.edgePort, this.host, 'release v1');
  }

  async api(method, path, body) {
    // The admin token slipwayd wrote to its data dir on first start: how the CLI on this machine authenticates.
    const token = readFileSync(join(this.dataDir, 'admin-token'), 'utf8').trim();
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /**
   * A release of `message`. On the docker runtime, rollouts after the first take the first release's image with the
   * new message as an inline manifest, so what is measured is the rollout, not an image build on the cores the load
   * runs on (BENCH_DOCKER_BUILD_EACH=1 builds every release from its Dockerfile instead).
   */
  async deploy(message) {
    const source = helloSource(this.scratch, message, this.runtime);
    const image = this.runtime !== 'process' && process.env.BENCH_DOCKER_BUILD_EACH !== '1' ? this.image : undefined;
    const body =
      image === undefined
        ? { path: source }
        : { image, manifest: parseYaml(readFileSync(join(source, 'slipway.yaml'), 'utf8')) };
    const { deployment } = await this.api('POST', `/apps/${this.app}/deployments`, body);
    return deployment.id;
  }

  /** The image id of the app's oldest release, once it has one. */
  async firstImage() {
    const { releases } = await this.api('GET', `/apps/${this.app}/releases`);
    return releases.at(-1)?.image?.digest;
  }

  async settle(deploymentId, timeoutMs = 180_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const deployment = await this.api('GET', `/deployments/${deploymentId}`);
      if (deployment.state !== 'pending' && deployment.state !== 'running') return deployment;
      if (Date.now() > deadline) throw new Error(`deployment ${deploymentId} still ${deployment.state}`);
      await sleep(50);
    }
  }

  /** Waits until only the new release's instances are left, all healthy (the retire of the old ones is done). */
  async converged(releaseNumber, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { instances } = await this.api('GET', `/apps/${this.app}/instances`);
      if (instances.length > 0 && instances.every((i) => i.releaseNumber === releaseNumber && i.state === 'healthy'))
        return;
      if (Date.now() > deadline) throw new Error(`instances never converged on release ${releaseNumber}`);
      await sleep(50);
    }
  }

  /** A rolling deploy of `message`, from the API call until the old instances are gone; returns what it reports. */
  async rollout(message) {
    const deployment = await this.settle(await this.deploy(message));
    if (deployment.state !== 'succeeded')
      throw new Error(`deployment ${deployment.state}: ${JSON.stringify(deployment)}`);
    await this.converged(deployment.releaseNumber);
    return { deploymentId: deployment.id, releaseNumber: deployment.releaseNumber };
  }

  async destroy() {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    // The namespace is read before the data dir goes with the rest of slipwayd's tree.
    const namespace = namespaceOf(this.dataDir);
    killSlipwaydTree(this.dataDir);
    if (namespace !== undefined) removeContainers(namespace);
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** The namespace label value of a slipwayd's objects on the engine, from its data dir. */
function namespaceOf(dataDir) {
  const file = join(dataDir, 'runtime-namespace');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** Removes the containers, networks and images a slipwayd made, by its namespace label. */
function removeContainers(namespace) {
  const label = `slipway.namespace=${namespace}`;
  const ids = (args) =>
    (spawnSync('docker', [...args, '--filter', `label=${label}`], { encoding: 'utf8' }).stdout ?? '')
      .split('\n')
      .filter(Boolean);
  const services = ids(['service', 'ls', '-q']);
  if (services.length > 0) spawnSync('docker', ['service', 'rm', ...services], { stdio: 'ignore' });
  const containers = ids(['ps', '-aq']);
  if (containers.length > 0) spawnSync('docker', ['rm', '-f', ...containers], { stdio: 'ignore' });
  const networks = ids(['network', 'ls', '-q']);
  if (networks.length > 0) spawnSync('docker', ['network', 'rm', ...networks], { stdio: 'ignore' });
  const images = ids(['image', 'ls', '-q']);
  if (images.length > 0) spawnSync('docker', ['image', 'rm', '-f', ...new Set(images)], { stdio: 'ignore' });
}
