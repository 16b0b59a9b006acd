/**
 * What the edge router table's tests share: a fresh bundle of the edge and of a launcher standing in for slipwayd,
 * an upstream, temporary state dirs, and the cleanup of every router they started.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import type { Logger } from '@slipway/core';
import type { RoutingTable } from '@slipway/contract';
import { isEdgeProcessOf } from './edge-process.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
// Inside the repository so the bundle resolves its external npm packages (zod) from node_modules.
const bundleDir = join(repoRoot, 'apps/edge/dist', `.test-${process.pid}`);
export const edgeEntry = join(bundleDir, 'edge.mjs');
/** Stands in for slipwayd: a process that ensures the router runs, then exits. */
export const launcherEntry = join(bundleDir, 'launcher.mjs');

const externalNpm: Plugin = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@slipway/') ? undefined : { path: args.path, external: true },
    );
  },
};
// The options of scripts/build.mjs.
const bundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  plugins: [externalNpm],
  banner: {
    js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);",
  },
};

const launcherSource = `
import { createEdgeRouterTable } from './edge-router-table.ts';
const [stateDir, port, edgeEntry] = process.argv.slice(2);
const logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return logger; } };
const routerTable = createEdgeRouterTable({ stateDir, listen: { host: '127.0.0.1', port: Number(port) }, edgeEntry, logger });
await routerTable.ensureRunning();
process.stdout.write(JSON.stringify(await routerTable.status()));
`;

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
/** Routers the tests started, by pid, with their state dir: cleanup must not kill whatever process reuses a pid. */
export const startedRouters = new Map<number, string>();
const tempDirs: string[] = [];
let upstream: Server;
let upstreamPort: number;

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function newStateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-edge-rt-'));
  tempDirs.push(dir);
  return dir;
}

export function get(port: number, host: string): Promise<{ statusCode: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/hello', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function tableTo(host: string): RoutingTable {
  return {
    routes: [
      {
        host,
        pathPrefix: '/',
        app: 'hello',
        environment: 'production',
        process: 'web',
        timeoutMs: null,
        upstreams: [{ instanceId: 'i-1', host: '127.0.0.1', port: upstreamPort, releaseNumber: 1, weight: 1 }],
      },
    ],
  };
}

/** Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, session. */
export async function procStat(pid: number): Promise<{ parentPid: number; session: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parentPid: Number(fields[1]), session: Number(fields[3]) };
}

/** Registers the suite's set-up (bundles, upstream) and cleanup (routers, directories). */
export function useEdgeRouterFixtures(): void {
  beforeAll(async () => {
    // Always a fresh bundle of the current source: a stale apps/edge/dist/edge.mjs would test old code.
    await build({ ...bundleOptions, entryPoints: [join(repoRoot, 'apps/edge/src/main.ts')], outfile: edgeEntry });
    await build({
      ...bundleOptions,
      stdin: { contents: launcherSource, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
      outfile: launcherEntry,
    });
    upstream = createHttpServer((req, res) =>
      res.end(`hello from upstream, ${String(req.headers['x-forwarded-host'])}`),
    );
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const [pid, stateDir] of startedRouters) {
      if (pid > 0 && (await isEdgeProcessOf(pid, stateDir))) process.kill(pid, 'SIGKILL');
    }
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    await Promise.all([...tempDirs, bundleDir].map((dir) => rm(dir, { recursive: true, force: true })));
  });
}
