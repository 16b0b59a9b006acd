/**
 * Runs a real `slipwayd` (the bundled program) as a child process on free ports with its own data dir, drives the
 * real CLI, and cleans up everything it started: slipwayd, the edge router and every app instance.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { createApiClient, type ApiClient } from '@slipway/contract';
import { removeDockerObjectsLabelled, waitFor } from '@slipway/testkit';
import { readAdminToken } from '../../apps/cli/src/admin-token.js';
import { createTrustingFetch } from '../../apps/cli/src/ca-fetch.js';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'apps');
/** The release build, and the test build that alone honours `SLIPWAY_FAILPOINTS` (scripts/build.mjs). */
export const slipwaydEntries = {
  release: join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs'),
  test: join(repoRoot, 'apps', 'server', 'dist', 'slipwayd-test.mjs'),
} as const;
const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');

export { freePort };

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request through the edge with a Host header (and `headers`), as `curl -H 'Host: …'` would send it. */
export function edgeGet(
  edgePort: number,
  host: string,
  path = '/',
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: edgePort, path, headers: { ...headers, host }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('edge request timed out')));
    req.end();
  });
}

export interface EdgePollResult {
  requests: number;
  failures: number;
  /** The first few failures, as `status 502` or the socket error. */
  samples: string[];
}

export interface EdgePoller {
  /** Stops after the request in flight and returns the counts. */
  stop(): Promise<EdgePollResult>;
}

/** A bounded, sequential loopback load: one request at a time, a pause between, until stopped. */
function startEdgePoller(edgePort: number, host: string, intervalMs: number): EdgePoller {
  const result: EdgePollResult = { requests: 0, failures: 0, samples: [] };
  let isStopped = false;
  const fail = (what: string): void => {
    result.failures += 1;
    if (result.samples.length < 5) result.samples.push(what);
  };
  const loop = (async () => {
    while (!isStopped) {
      result.requests += 1;
      try {
        const answer = await edgeGet(edgePort, host);
        if (answer.status !== 200) fail(`status ${answer.status}: ${answer.body.slice(0, 200)}`);
      } catch (error) {
        fail((error as Error).message);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      isStopped = true;
      await loop;
      return result;
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class SlipwaydHarness {
  readonly dataDir: string;
  readonly apiPort: number;
  readonly edgePort: number;
  /** The catalog's Consul-compatible HTTP API (`--catalog-http`) and its DNS interface (`--dns`, UDP and TCP). */
  readonly catalogPort: number;
  readonly dnsPort: number;
  readonly instancePortFrom: number;
  /** Whether the API is served over TLS with the self-signed certificate of the data dir (`--tls self-signed`). */
  readonly isTls: boolean;
  /**
   * Whether slipwayd runs the container runtimes (`--docker on`, and `--swarm on` when asked); off otherwise, so
   * suites about other things do not load the engine.
   */
  readonly containers: 'off' | 'docker' | 'swarm';
  readonly api: ApiClient;
  private child: ChildProcess | undefined;
  output = '';

  private constructor(
    dataDir: string,
    apiPort: number,
    edgePort: number,
    catalogPort: number,
    dnsPort: number,
    instancePortFrom: number,
    isTls: boolean,
    containers: 'off' | 'docker' | 'swarm',
  ) {
    this.catalogPort = catalogPort;
    this.dnsPort = dnsPort;
    this.containers = containers;
    this.dataDir = dataDir;
    this.apiPort = apiPort;
    this.edgePort = edgePort;
    this.instancePortFrom = instancePortFrom;
    this.isTls = isTls;
    // Authenticated as the CLI on this machine is: with the admin token slipwayd wrote to its data dir, and over TLS
    // trusting the data dir's certificate as the CLI does.
    this.api = createApiClient({ baseUrl: this.url, token: () => this.adminToken(), fetch: this.fetchFn() });
  }

  get url(): string {
    return `${this.isTls ? 'https' : 'http'}://127.0.0.1:${this.apiPort}`;
  }

  /** The `fetch` of this harness's clients: the CLI's, trusting the data dir's self-signed certificate. */
  fetchFn(): typeof fetch {
    return createTrustingFetch({
      apiUrl: this.url,
      caFile: undefined,
      env: { SLIPWAY_DATA_DIR: this.dataDir },
      cwd: repoRoot,
    });
  }

  /** `XDG_CONFIG_HOME` of slipwayd: it registers its data dir in `slipway/servers.json` there. */
  get slipwaydConfigHome(): string {
    return join(this.dataDir, 'slipwayd-config');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async create(
    options: { isTls?: boolean; containers?: 'off' | 'docker' | 'swarm' } = {},
  ): Promise<SlipwaydHarness> {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-e2e-'));
    // A distinct instance port range per harness, so parallel test files do not race for ports; below the
    // kernel's ephemeral range (32768–60999), where outgoing connections would take ports from it.
    const instancePortFrom = 27_000 + Math.floor(Math.random() * 50) * 100;
    return new SlipwaydHarness(
      dataDir,
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      instancePortFrom,
      options.isTls === true,
      options.containers ?? 'off',
    );
  }

  /**
   * Starts slipwayd and waits until `/readyz` answers; `env` adds variables (e.g. `SLIPWAY_FAILPOINTS`), `logLevel`
   * replaces the default `warn`. `build` defaults to the test build when `env` sets `SLIPWAY_FAILPOINTS`, else the
   * release build.
   */
  async start(
    options: {
      env?: Record<string, string>;
      logLevel?: string;
      args?: readonly string[];
      build?: keyof typeof slipwaydEntries;
    } = {},
  ): Promise<void> {
    const build = options.build ?? (options.env?.SLIPWAY_FAILPOINTS === undefined ? 'release' : 'test');
    const child = spawn(
      process.execPath,
      [
        slipwaydEntries[build],
        '--data-dir',
        this.dataDir,
        '--api',
        `127.0.0.1:${this.apiPort}`,
        '--edge',
        `127.0.0.1:${this.edgePort}`,
        '--catalog-http',
        `127.0.0.1:${this.catalogPort}`,
        '--dns',
        `127.0.0.1:${this.dnsPort}`,
        '--node-name',
        'e2e',
        '--log-level',
        options.logLevel ?? 'warn',
        ...(this.isTls ? ['--tls', 'self-signed'] : []),
        ...(this.containers === 'off' ? ['--docker', 'off'] : ['--docker', 'on']),
        ...(this.containers === 'swarm' ? ['--swarm', 'on'] : this.containers === 'docker' ? ['--swarm', 'off'] : []),
        ...(options.args ?? []),
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          SLIPWAY_INSTANCE_PORTS: `${this.instancePortFrom}-${this.instancePortFrom + 99}`,
          SLIPWAY_DRAIN_MS: '200',
          // Where slipwayd registers itself for the CLI: this harness's, never the user's own config.
          XDG_CONFIG_HOME: this.slipwaydConfigHome,
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    this.child = child;
    // A slipwayd that refuses to start ends the wait at once ('close': its output is all read by then).
    const closed = new Promise<never>((_, reject) =>
      child.once('close', (code) => reject(new Error(`slipwayd exited with ${code}: ${this.output}`))),
    );
    closed.catch(() => undefined);
    await Promise.race([closed, waitFor(() => this.api.ready(), { timeoutMs: 30_000, intervalMs: 100 })]);
  }

  /** Sends a signal and waits for the process to exit. */
  async kill(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    this.child = undefined;
    return code;
  }

  /** Runs the real CLI against this slipwayd; `input` is written to its stdin, which is closed after it. */
  cli(
    args: readonly string[],
    options: { cwd?: string; input?: string; env?: Record<string, string | undefined> } = {},
  ): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cliEntry, ...args], {
        cwd: options.cwd ?? repoRoot,
        env: { ...process.env, ...this.cliEnv(), ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.end(options.input);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  /**
   * The CLI's surroundings, as on the machine slipwayd runs on: it finds the admin token in `SLIPWAY_DATA_DIR`, and
   * keeps saved logins in a config dir of this harness (never the user's own).
   */
  cliEnv(): Record<string, string> {
    return {
      SLIPWAY_API_URL: this.url,
      NO_COLOR: '1',
      SLIPWAY_DATA_DIR: this.dataDir,
      XDG_CONFIG_HOME: join(this.dataDir, 'cli-config'),
    };
  }

  /** The admin token slipwayd wrote on its first start, found the way the CLI finds it. */
  adminToken(): Promise<string | undefined> {
    return readAdminToken({ SLIPWAY_DATA_DIR: this.dataDir }, repoRoot);
  }

  /** `fetch` of an API path with the admin token, for answers the typed client does not expose. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const token = await this.adminToken();
    const headers = new Headers(init.headers);
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    return this.fetchFn()(`${this.url}${path}`, { ...init, headers });
  }

  edge(host: string, path = '/', headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return edgeGet(this.edgePort, host, path, headers);
  }

  /** Waits until slipwayd's output (its log) matches `pattern`, e.g. a failpoint being hit. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => {
        if (!pattern.test(this.output)) throw new Error(`slipwayd output does not match ${String(pattern)} yet`);
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  /** Requests `host` through the edge one after another until stopped, counting answers that are not 200. */
  pollEdge(host: string, options: { intervalMs?: number } = {}): EdgePoller {
    return startEdgePoller(this.edgePort, host, options.intervalMs ?? 20);
  }

  /** Waits for a deployment to end and returns it. */
  async settle(deploymentId: string, timeoutMs = 60_000) {
    return waitFor(
      async () => {
        const deployment = await this.api.deployments.get(deploymentId);
        if (deployment.state === 'pending' || deployment.state === 'running')
          throw new Error(`deployment still ${deployment.state} in ${deployment.phase}`);
        return deployment;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Pids of the app instances this slipwayd's runtime knows, from its state files. */
  instancePids(): number[] {
    const dir = join(this.dataDir, 'instances');
    if (!existsSync(dir)) return [];
    const pids: number[] = [];
    for (const id of readdirSync(dir)) {
      const file = join(dir, id, 'instance.json');
      if (!existsSync(file)) continue;
      const state = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
      if (typeof state.pid === 'number') pids.push(state.pid);
    }
    return pids;
  }

  /** The label on every container, service, network and image this slipwayd made on the engine. */
  namespaceLabel(): string | undefined {
    const namespace = readFileSafe(join(this.dataDir, 'runtime-namespace'));
    return namespace === '' ? undefined : `slipway.namespace=${namespace}`;
  }

  /** Stops slipwayd, the edge and every instance (processes, containers, services), and deletes the data dir. */
  async destroy(): Promise<void> {
    await this.kill('SIGKILL');
    const label = this.namespaceLabel();
    if (label !== undefined && this.containers !== 'off') removeDockerObjectsLabelled(label);
    const edgePid = Number(readFileSafe(join(this.dataDir, 'edge', 'edge.pid')));
    for (const pid of [...this.instancePids(), ...(edgePid > 0 ? [edgePid] : [])]) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
