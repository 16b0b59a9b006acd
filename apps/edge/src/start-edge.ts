/** Starts the edge router: loads the persisted table, serves traffic and the admin socket, writes the pid file, shuts down gracefully. */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EdgeMetrics, RouterStatus, RoutingTable } from '@slipway/contract';
import { SlipwayError } from './slipway-error.js';
import { createAdminServer } from './admin-server.js';
import { writeFileAtomic } from '@slipway/atomic-file';
import { silentLog, type EdgeLog } from './edge-log.js';
import { handOver, type HandoverCommand, type Takeover } from './handover.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { readTableFile, writeTableFile } from './table-file.js';
import { createCertificateSet } from './certificate-set.js';
import { checkEdgeTlsState, readTlsStateFile, writeTlsStateFile } from './edge-tls-state.js';
import type { ClientLimits, ClientTimeouts } from './client-limits.js';
import { mergeEdgeMetrics } from './traffic-metrics.js';
import { createTrafficRouter } from './traffic-router.js';
import { startTrafficWorkers } from './traffic-workers.js';
import { createWakeSignals } from './wake-signals.js';
import type { TrustedProxies } from './trusted-proxies.js';
import { loadEdgeTracer, type EdgeTracingSettings } from './edge-tracer.js';
import type { UpstreamPoolOptions } from './upstream-pool.js';
import { drain, drainKeepingIdle, drainTraffic } from './drain-traffic.js';
import { planSuccessor } from './successor-plan.js';
import {
  boundAddress,
  isSocketAnswering,
  listenOnHandle,
  listenTraffic,
  removePidFileIfOurs,
} from './edge-listening.js';

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
  /** How to start a successor for a graceful restart (`POST /handover`); without it the router cannot hand over. */
  handoverCommand?: HandoverCommand;
  /** Set when this router takes over from a running one: its listening socket, and the handover steps. */
  takeover?: Takeover;
  /** Processes serving traffic, this one included (default 1); more need `handoverCommand` to start them. */
  workers?: number;
  /**
   * Timeouts of each phase of a client connection: idle keep-alive, request head, request body (between two reads),
   * sending (no byte taken by the client), linger after the last answer (defaults 75 s, 30 s, 60 s, 60 s, 5 s).
   */
  clientTimeouts?: Partial<ClientTimeouts>;
  /** Peers (proxies in front of the router) whose X-Forwarded-*, X-Real-IP and Forwarded are kept (default none). */
  trustedProxies?: TrustedProxies;
  /**
   * Client connections open in all and from one address, and requests sent ahead of their answers on one connection
   * (defaults 8,192, 512 and 64); per process: each traffic worker has its own.
   */
  clientLimits?: Partial<ClientLimits>;
  /**
   * An HTTPS listener beside the plain one, with one certificate (PEM) for every host; served by this process only
   * (extra workers serve the plain listener). Requests through it reach apps with `X-Forwarded-Proto: https`.
   */
  tls?: { listen: ListenAddress; cert: string; key: string };
  /** What slipwayd computed its settings to be (`--settings-fingerprint`), reported by `GET /status`. */
  settingsFingerprint?: string;
  /** OpenTelemetry traces of sampled requests, exported over OTLP/HTTP (docs/tracing.md); off when absent. */
  tracing?: EdgeTracingSettings;
}

export interface RunningEdge {
  /** `host:port` traffic is served on. */
  address: string;
  /** `host:port` HTTPS traffic is served on, when there is a TLS listener. */
  secureAddress: string | undefined;
  /** Stops accepting, lets in-flight requests finish (bounded), removes the socket and pid files. Idempotent. */
  close(): Promise<void>;
  /**
   * Graceful restart: starts a successor (with `args` as its flags when given, else this router's), hands it the
   * listening sockets whose address it keeps, and once it serves, stops accepting and drains (bounded). Resolves with
   * the successor's pid. Errors: `VALIDATION_FAILED` (see `planSuccessor`); `UNAVAILABLE` (no handover command,
   * already stopping, or the successor failed; this router then keeps serving).
   */
  handOver(args?: readonly string[]): Promise<number>;
  /** Resolves once the router has stopped, by `close` or after a handover. */
  readonly stopped: Promise<void>;
  /** This process's client connections: open now, and refused for the caps since the start. */
  clientConnections(): { open: number; refused: number; handshaking: number };
}

export interface EdgeStateFiles {
  table: string;
  /** Per-host certificates and ACME challenges (mode 0600). */
  tls: string;
  pid: string;
  adminSocket: string;
}

/** Linux `sun_path` is 108 bytes including the terminating NUL. */
const maxSocketPathBytes = 107;

export function edgeStateFiles(stateDir: string): EdgeStateFiles {
  const dir = resolve(stateDir);
  return {
    table: join(dir, 'table.json'),
    pid: join(dir, 'edge.pid'),
    adminSocket: join(dir, 'admin.sock'),
    tls: join(dir, 'tls.json'),
  };
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
  // Taking over, the router answering there is the one handing over.
  if (options.takeover === undefined && (await isSocketAnswering(files.adminSocket))) {
    throw new SlipwayError(
      'PORT_UNAVAILABLE',
      `Another edge router already serves ${files.adminSocket}; stop it first or use another state directory.`,
    );
  }

  let table: RoutingTable = await readTableFile(files.table, log);
  const wakes = createWakeSignals();
  const router = createTrafficRouter(table, {
    log,
    onWake: wakes.signal,
    accessLogFile: options.accessLogFile,
    passiveHealth: options.passiveHealth,
    clientTimeouts: options.clientTimeouts,
    trustedProxies: options.trustedProxies,
    clientLimits: options.clientLimits,
    tls: options.tls === undefined ? undefined : { cert: options.tls.cert, key: options.tls.key },
    tracer: options.tracing === undefined ? undefined : await loadEdgeTracer(options.tracing),
  });
  // An unusable persisted state is logged and left out: slipwayd sends the state it wants again.
  try {
    router.applyCertificates(createCertificateSet(await readTlsStateFile(files.tls, log)));
  } catch (error) {
    log.error({ err: error }, 'tls state unusable, starting without');
  }
  const trafficServer = router.traffic;
  const traffic = trafficServer.server;
  const secureTraffic = trafficServer.secureServer;
  const handedTraffic = options.takeover?.traffic;
  if (handedTraffic === undefined) await listenTraffic(traffic, options.listen);
  else await listenOnHandle(traffic, handedTraffic);
  if (secureTraffic !== undefined && options.tls !== undefined) {
    const handle = options.takeover?.secureTraffic;
    try {
      if (handle === undefined) await listenTraffic(secureTraffic, options.tls.listen);
      else await listenOnHandle(secureTraffic, handle);
    } catch (error) {
      traffic.close();
      throw error;
    }
  }
  const address = formatListenAddress(boundAddress(traffic, options.listen.host));
  const secureAddress =
    secureTraffic === undefined || options.tls === undefined
      ? undefined
      : formatListenAddress(boundAddress(secureTraffic, options.tls.listen.host));
  /** HTTP-01 challenges under way, as the workers are given them (a worker started later gets them too). */
  let http01: ReadonlyMap<string, string> | undefined;
  const workerCount = Math.max(1, options.workers ?? 1);
  const workers =
    workerCount > 1 && options.handoverCommand !== undefined
      ? startTrafficWorkers({
          count: workerCount - 1,
          entry: options.handoverCommand.entry,
          args: options.handoverCommand.args,
          traffic,
          currentTable: () => table,
          currentHttp01: () => http01,
          onWake: wakes.signal,
          log,
        })
      : undefined;

  // PUTs are applied one after the other so the file on disk and the table served always agree.
  let applying: Promise<void> = Promise.resolve();
  let isHandingOver = false;
  const applyTable = (next: RoutingTable): Promise<void> => {
    // The successor reads the table file once; a table applied here meanwhile would be lost. slipwayd retries.
    if (isHandingOver) {
      return Promise.reject(
        new SlipwayError('UNAVAILABLE', 'The edge router is handing over to its successor; apply the table again.'),
      );
    }
    const run = applying.then(async () => {
      await writeTableFile(files.table, next);
      table = next;
      router.apply(next);
      await workers?.applyTable(next);
    });
    applying = run.catch(() => undefined);
    return run;
  };
  /** Checked and built before anything changes, then persisted, served, and given to the workers, in PUT order. */
  const applyTls = (body: unknown): Promise<number> => {
    const state = checkEdgeTlsState(body);
    const certificates = createCertificateSet(state);
    const run = applying.then(async () => {
      await writeTlsStateFile(files.tls, state);
      router.applyCertificates(certificates);
      http01 = certificates.http01;
      await workers?.applyHttp01(http01);
      return certificates.hostCount;
    });
    applying = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  const status = (): RouterStatus => ({
    isRunning: true,
    pid: process.pid,
    address,
    routes: table.routes.length,
    workers: 1 + (workers?.servingCount() ?? 0),
    ...(options.settingsFingerprint === undefined ? {} : { settingsFingerprint: options.settingsFingerprint }),
  });

  const inFlight = async (instanceIds: readonly string[]): Promise<Record<string, number>> => {
    const counts = router.inFlight(instanceIds);
    for (const answer of (await workers?.inFlight(instanceIds)) ?? [])
      for (const id of instanceIds) counts[id] = (counts[id] ?? 0) + (answer[id] ?? 0);
    return counts;
  };
  const metrics = async (): Promise<EdgeMetrics> =>
    mergeEdgeMetrics([router.metrics(), ...((await workers?.metrics()) ?? [])]);

  let stopping: Promise<void> | undefined;
  let markStopped = (): void => undefined;
  const stopped = new Promise<void>((resolveStopped) => {
    markStopped = resolveStopped;
  });
  const handOverNow = async (args?: readonly string[]): Promise<number> => {
    const command = options.handoverCommand;
    if (command === undefined) {
      throw new SlipwayError('UNAVAILABLE', 'This edge router runs in-process and cannot start a successor.');
    }
    if (isHandingOver || stopping !== undefined) {
      throw new SlipwayError('UNAVAILABLE', 'The edge router is already handing over or stopping.');
    }
    const plan = planSuccessor(
      { command, listen: options.listen, secureListen: options.tls?.listen, stateDir: options.stateDir },
      args,
    );
    isHandingOver = true;
    await applying;
    log.info(
      {
        hasNewFlags: args !== undefined,
        isTrafficHandedOver: plan.isTrafficHandedOver,
        isSecureTrafficHandedOver: plan.isSecureTrafficHandedOver,
      },
      'edge router handing over',
    );
    let successorPid: number;
    try {
      successorPid = await handOver({
        command: plan.command,
        traffic: plan.isTrafficHandedOver ? traffic : undefined,
        secureTraffic: plan.isSecureTrafficHandedOver ? secureTraffic : undefined,
        releaseAdmin: () => {
          // A waiting `GET /wakes` is answered, so slipwayd asks the successor next.
          wakes.flush();
          admin.close();
          admin.closeIdleConnections();
        },
        reclaimAdmin: listenAdmin,
      });
    } catch (error) {
      isHandingOver = false;
      // A warning, as it still serves: the successor's own error (why it failed to start) stays the last one logged.
      log.warn({ err: error }, 'edge router handover failed, still serving');
      throw error;
    }
    log.info({ successorPid, shutdownGraceMs }, 'edge router handed over, draining');
    stopping = stopAfterHandover();
    return successorPid;
  };

  const admin = createAdminServer({
    currentTable: () => table,
    applyTable,
    applyTls,
    status,
    inFlight,
    metrics,
    wakes: wakes.take,
    handOver: handOverNow,
    log,
  });
  /** Only a socket nobody answers on is removed: that one is left over from a router that died (or handed over). */
  async function listenAdmin(): Promise<void> {
    await rm(files.adminSocket, { force: true });
    await new Promise<void>((resolveListen, reject) => {
      admin.once('error', reject);
      admin.listen(files.adminSocket, () => {
        admin.off('error', reject);
        resolveListen();
      });
    });
    await chmod(files.adminSocket, 0o600);
  }
  try {
    // Both accept on the listening socket now; the predecessor lets go of the admin socket for us.
    await options.takeover?.listening();
    // The pid file comes first: whoever sees the router answer may rely on it (to stop it, or to find it
    // again should it stop answering), and a client that finds it before the socket answers waits.
    await writeFileAtomic(files.pid, `${process.pid}\n`, { mode: 0o644 });
    await listenAdmin();
    options.takeover?.ready();
  } catch (error) {
    traffic.close();
    secureTraffic?.close();
    admin.close();
    await removePidFileIfOurs(files.pid);
    throw error;
  }
  log.info(
    { address, secureAddress, stateDir: resolve(options.stateDir), routes: table.routes.length },
    'edge router started',
  );

  /** The admin socket and the pid file are the successor's now: only the traffic is drained. */
  async function stopAfterHandover(): Promise<void> {
    router.markClosing();
    await Promise.all([drainKeepingIdle(trafficServer, shutdownGraceMs), workers?.stop(shutdownGraceMs)]);
    await router.release();
    log.info({}, 'edge router stopped after handover');
    markStopped();
  }

  const close = (): Promise<void> => {
    stopping ??= (async () => {
      router.markClosing();
      wakes.flush();
      log.info({ shutdownGraceMs }, 'edge router stopping');
      await Promise.all([
        drainTraffic(trafficServer, shutdownGraceMs),
        drain(admin, 1_000),
        workers?.stop(shutdownGraceMs),
      ]);
      await router.release();
      await rm(files.adminSocket, { force: true });
      await removePidFileIfOurs(files.pid);
      log.info({}, 'edge router stopped');
      markStopped();
    })();
    return stopping;
  };
  const clientConnections = (): { open: number; refused: number; handshaking: number } => ({
    open: trafficServer.connectionCount(),
    refused: trafficServer.refusedCount(),
    handshaking: trafficServer.handshakeCount(),
  });
  return { address, secureAddress, close, handOver: handOverNow, stopped, clientConnections };
}
