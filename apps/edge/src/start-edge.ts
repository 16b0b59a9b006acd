/** Starts the edge router: loads the persisted table, serves traffic and the admin socket, writes the pid file, shuts down gracefully. */
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { SlipwayError, type RouterStatus, type RoutingTable } from '@slipway/contract';
import { createFileAccessLog, noAccessLog, type AccessLog } from './access-log.js';
import { createAdminServer } from './admin-server.js';
import { writeFileAtomic } from './atomic-file.js';
import { silentLog, type EdgeLog } from './edge-log.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { createProxyHandler } from './proxy-handler.js';
import { createRouteIndex, type RoutingState } from './route-index.js';
import { readTableFile, writeTableFile } from './table-file.js';
import { createUpgradeHandler } from './upgrade-handler.js';
import { createTrafficMetrics } from './traffic-metrics.js';
import { createUpstreamPool, type UpstreamPoolOptions } from './upstream-pool.js';

export interface StartEdgeOptions {
  /** Where traffic is accepted; port 0 picks a free port (tests). */
  listen: ListenAddress;
  /** Holds `table.json`, `edge.pid` and `admin.sock`. */
  stateDir: string;
  log?: EdgeLog;
  /** How long shutdown waits for in-flight requests before cutting them (default 5 s). */
  shutdownGraceMs?: number;
  /** File the access log (one JSON line per request) is appended to; none when absent. */
  accessLogFile?: string;
  /** Passive health: failures in a row that eject an upstream, and for how long. */
  passiveHealth?: Pick<UpstreamPoolOptions, 'ejectAfterFailures' | 'ejectionCooldownMs'>;
}

export interface RunningEdge {
  /** `host:port` traffic is served on. */
  address: string;
  /** Stops accepting, lets in-flight requests finish (bounded), removes the socket and pid files. Idempotent. */
  close(): Promise<void>;
}

export interface EdgeStateFiles {
  table: string;
  pid: string;
  adminSocket: string;
}

/** Linux `sun_path` is 108 bytes including the terminating NUL. */
const maxSocketPathBytes = 107;

export function edgeStateFiles(stateDir: string): EdgeStateFiles {
  const dir = resolve(stateDir);
  return { table: join(dir, 'table.json'), pid: join(dir, 'edge.pid'), adminSocket: join(dir, 'admin.sock') };
}

export async function startEdge(options: StartEdgeOptions): Promise<RunningEdge> {
  const log = options.log ?? silentLog;
  const shutdownGraceMs = options.shutdownGraceMs ?? 5_000;
  const files = edgeStateFiles(options.stateDir);
  if (Buffer.byteLength(files.adminSocket) > maxSocketPathBytes) {
    throw new SlipwayError(
      'PORT_UNAVAILABLE',
      `The admin socket path ${files.adminSocket} is longer than ${maxSocketPathBytes} bytes, which unix sockets do not allow; choose a shorter state directory.`,
    );
  }
  await mkdir(resolve(options.stateDir), { recursive: true, mode: 0o700 });
  if (await isSocketAnswering(files.adminSocket)) {
    throw new SlipwayError(
      'PORT_UNAVAILABLE',
      `Another edge router already serves ${files.adminSocket}; stop it first or use another state directory.`,
    );
  }

  let table: RoutingTable = await readTableFile(files.table, log);
  const pool = createUpstreamPool(options.passiveHealth ?? {});
  const metrics = createTrafficMetrics();
  const accessLog: AccessLog =
    options.accessLogFile === undefined ? noAccessLog : createFileAccessLog(options.accessLogFile);
  const state: RoutingState = { routes: createRouteIndex(table, pool.slotFor, metrics), isClosing: false };
  const upgrades = createUpgradeHandler({ state, pool, log });
  const traffic = createServer(createProxyHandler({ state, pool, log, accessLog }));
  traffic.on('upgrade', upgrades.handle);
  await listenTraffic(traffic, options.listen);
  const address = formatListenAddress(boundAddress(traffic, options.listen.host));

  // PUTs are applied one after the other so the file on disk and the table served always agree.
  let applying: Promise<void> = Promise.resolve();
  const applyTable = (next: RoutingTable): Promise<void> => {
    const run = applying.then(async () => {
      await writeTableFile(files.table, next);
      table = next;
      state.routes = createRouteIndex(next, pool.slotFor, metrics);
      pool.retainOnly(next.routes.flatMap((route) => route.upstreams));
    });
    applying = run.catch(() => undefined);
    return run;
  };
  const status = (): RouterStatus => ({ isRunning: true, pid: process.pid, address, routes: table.routes.length });

  const inFlight = (instanceIds: readonly string[]): Record<string, number> =>
    Object.fromEntries(instanceIds.map((id) => [id, pool.inFlightOf(id)]));

  const admin = createAdminServer({
    currentTable: () => table,
    applyTable,
    status,
    inFlight,
    metrics: metrics.snapshot,
    log,
  });
  try {
    // The pid file comes first: whoever sees the router answer may rely on it (to stop it, or to find it
    // again should it stop answering), and a client that finds it before the socket answers waits.
    await writeFileAtomic(files.pid, `${process.pid}\n`, 0o644);
    // Only a socket nobody answers on is removed: that one is left over from a router that died.
    await rm(files.adminSocket, { force: true });
    await new Promise<void>((resolveListen, reject) => {
      admin.once('error', reject);
      admin.listen(files.adminSocket, () => resolveListen());
    });
    await chmod(files.adminSocket, 0o600);
  } catch (error) {
    traffic.close();
    admin.close();
    await removePidFileIfOurs(files.pid);
    throw error;
  }
  log.info({ address, stateDir: resolve(options.stateDir), routes: table.routes.length }, 'edge router started');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state.isClosing = true;
      log.info({ shutdownGraceMs }, 'edge router stopping');
      await Promise.all([drain(traffic, shutdownGraceMs, upgrades.destroyAll), drain(admin, 1_000, () => undefined)]);
      pool.destroyAll();
      await accessLog.close();
      await rm(files.adminSocket, { force: true });
      await removePidFileIfOurs(files.pid);
      log.info({}, 'edge router stopped');
    })();
    return closing;
  };
  return { address, close };
}

async function listenTraffic(server: Server, listen: ListenAddress): Promise<void> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
        const hint =
          error.code === 'EACCES'
            ? 'ports below 1024 need root or CAP_NET_BIND_SERVICE'
            : error.code === 'EADDRNOTAVAIL'
              ? 'that address is not one of this machine'
              : 'another process holds it';
        reject(
          new SlipwayError(
            'PORT_UNAVAILABLE',
            `The edge router cannot listen on ${formatListenAddress(listen)} (${error.code}: ${hint}); free it or choose another edge listen address.`,
            { cause: error },
          ),
        );
      } else reject(error);
    });
    server.listen({ host: listen.host, port: listen.port }, () => resolveListen());
  });
}

function boundAddress(server: Server, host: string): ListenAddress {
  const bound = server.address();
  return typeof bound === 'object' && bound !== null ? { host, port: bound.port } : { host, port: 0 };
}

/** Stops accepting, waits for open connections up to `graceMs`, then cuts what is left. */
async function drain(server: Server, graceMs: number, cutDetached: () => void): Promise<void> {
  const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolveGrace) => {
    timer = setTimeout(resolveGrace, graceMs);
  });
  await Promise.race([closed, graceOver]);
  clearTimeout(timer);
  server.closeAllConnections();
  cutDetached();
  await closed;
}

function isSocketAnswering(path: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolveAnswer(true);
    });
    socket.once('error', () => resolveAnswer(false));
  });
}

async function removePidFileIfOurs(path: string): Promise<void> {
  try {
    if (Number.parseInt(await readFile(path, 'utf8'), 10) === process.pid) await rm(path, { force: true });
  } catch {
    // Already gone.
  }
}
