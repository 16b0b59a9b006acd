// The proxies under test, each started in the foreground as a child process with one worker, in front of the same
// upstream: Slipway's edge, nginx, HAProxy, Caddy and a plain Node proxy (reference); plus `direct` (no proxy). Configs are generated into `dir`.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, repoRoot, sleep } from '../recovery/slipwayd-process.mjs';

export const benchHost = 'bench.localhost';
export const edgeEntry = join(repoRoot, 'apps', 'edge', 'dist', 'edge.mjs');

/** A started target: where wrk points, and the pids whose CPU time counts as the proxy's. */
export class Target {
  constructor(name, port, child) {
    this.name = name;
    this.port = port;
    this.child = child;
  }

  /** The child and every descendant (nginx's worker), read afresh: workers may be forked after start. */
  pids() {
    return this.child === undefined ? [] : processTree(this.child.pid);
  }

  async stop() {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Pids of `root` and its descendants, from the ppid field of /proc/<pid>/stat. */
export function processTree(root) {
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1)
    for (const [pid, ppid] of parentOf) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  return tree;
}

function launch(name, command, args, { env = {}, cwd, logFile } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  child.once('exit', (code, signal) => {
    if (logFile !== undefined) writeFileSync(logFile, stderr);
    child.exitSummary = `${name} exited (${signal ?? code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`;
  });
  return child;
}

/** Resolves once `port` accepts connections; throws with the child's last stderr if it exits or takes > 15 s. */
async function waitForPort(child, port, name) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await sleep(50);
      throw new Error(child.exitSummary ?? `${name} exited early`);
    }
    const isOpen = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (isOpen) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not listen on ${port} within 15 s`);
}

export async function startUpstream() {
  const port = await freePort();
  const child = launch('upstream', process.execPath, [join(repoRoot, 'bench', 'router', 'upstream.mjs'), String(port)]);
  await waitForPort(child, port, 'upstream');
  return new Target('upstream', port, child);
}

export function direct(upstreamPort) {
  return new Target('direct', upstreamPort, undefined);
}

/** Slipway's edge: one Node process; the table is given over the admin socket as slipwayd would. */
export async function startEdge(dir, upstreamPort, { nodeArgs = [], name = 'slipway-edge', edgeArgs = [] } = {}) {
  const stateDir = join(dir, name);
  mkdirSync(stateDir, { recursive: true });
  const port = await freePort();
  const child = launch(
    name,
    process.execPath,
    [...nodeArgs, edgeEntry, '--listen', `127.0.0.1:${port}`, '--state-dir', stateDir, ...edgeArgs],
    { cwd: dir, logFile: join(dir, `${name}.stderr`) },
  );
  const bundleSha256 = edgeBundleSha256();
  await waitForPort(child, port, name);
  const adminSocket = join(stateDir, 'admin.sock');
  for (let i = 0; !existsSync(adminSocket); i += 1) {
    if (i > 200) throw new Error(`${name}: no admin socket at ${adminSocket}`);
    await sleep(25);
  }
  const table = {
    routes: [
      {
        host: benchHost,
        pathPrefix: '/',
        app: 'bench',
        environment: 'production',
        process: 'web',
        timeoutMs: null,
        upstreams: [{ instanceId: 'bench-1', host: '127.0.0.1', port: upstreamPort, releaseNumber: 1, weight: 1 }],
      },
    ],
  };
  const answer = await adminPut(adminSocket, '/table', table);
  if (answer.status !== 200) throw new Error(`${name}: PUT /table answered ${answer.status}: ${answer.body}`);
  const target = new Target(name, port, child);
  target.bundleSha256 = bundleSha256;
  return target;
}

/** Whether this edge build has `--access-log FILE|off` (on by default, into the state dir). */
export function hasAccessLogFlag() {
  return readFileSync(edgeEntry, 'utf8').includes('--access-log');
}

/** Which edge bundle a process was started from: others may rebuild `apps/edge/dist` while the benchmark runs. */
export function edgeBundleSha256() {
  return createHash('sha256').update(readFileSync(edgeEntry)).digest('hex').slice(0, 12);
}

function adminPut(socketPath, path, body) {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path,
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        let answer = '';
        res.on('data', (chunk) => (answer += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: answer }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** The plain Node proxy (`plain-node-proxy.mjs`): node:http in and out, nothing else. */
export async function startPlainNode(dir, upstreamPort) {
  const port = await freePort();
  const script = join(repoRoot, 'bench', 'router', 'plain-node-proxy.mjs');
  const child = launch('node-plain', process.execPath, [script, String(port), String(upstreamPort)]);
  await waitForPort(child, port, 'node-plain');
  return new Target('node-plain', port, child);
}

/** nginx: master + one worker, HTTP/1.1 keep-alive pool to the upstream, no access log. */
export async function startNginx(dir, upstreamPort) {
  const prefix = join(dir, 'nginx');
  mkdirSync(prefix, { recursive: true });
  const port = await freePort();
  const config = `
user root;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_requests 1000000;
  upstream bench { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    server_name ${benchHost};
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, config);
  const child = launch('nginx', '/usr/sbin/nginx', ['-p', prefix, '-c', file, '-g', 'daemon off;']);
  await waitForPort(child, port, 'nginx');
  return new Target('nginx', port, child);
}

/** HAProxy: one process, one thread, idle upstream connections shared by all clients (`http-reuse always`, like nginx's pool). */
export async function startHaproxy(dir, upstreamPort) {
  const port = await freePort();
  const config = `
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
frontend bench
  bind 127.0.0.1:${port}
  default_backend upstream
backend upstream
  http-reuse always
  server up 127.0.0.1:${upstreamPort}
`;
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child = launch('haproxy', '/usr/sbin/haproxy', ['-db', '-f', file]);
  await waitForPort(child, port, 'haproxy');
  return new Target('haproxy', port, child);
}

/** Caddy: `reverse_proxy` with GOMAXPROCS=1, no admin endpoint, no automatic HTTPS, no access log. */
export async function startCaddy(dir, upstreamPort) {
  const home = join(dir, 'caddy');
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  const config = {
    admin: { disabled: true },
    logging: { logs: { default: { level: 'ERROR' } } },
    apps: {
      http: {
        servers: {
          bench: {
            listen: [`127.0.0.1:${port}`],
            automatic_https: { disable: true },
            routes: [
              {
                match: [{ host: [benchHost] }],
                handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: `127.0.0.1:${upstreamPort}` }] }],
              },
            ],
          },
        },
      },
    },
  };
  const file = join(home, 'caddy.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child = launch('caddy', '/usr/bin/caddy', ['run', '--config', file], {
    env: { GOMAXPROCS: '1', HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
  });
  await waitForPort(child, port, 'caddy');
  return new Target('caddy', port, child);
}

/** The plain Node proxy: node:http server and undici's `Pool.stream` (a reference, like `node-plain`). */
export async function startPlainUndici(dir, upstreamPort) {
  const port = await freePort();
  const script = join(repoRoot, 'bench', 'router', 'plain-undici-proxy.mjs');
  const child = launch('node-undici', process.execPath, [script, String(port), String(upstreamPort)]);
  await waitForPort(child, port, 'node-undici');
  return new Target('node-undici', port, child);
}
