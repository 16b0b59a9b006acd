/** The RouterTable port over Slipway's own edge router: a detached process driven through its admin unix socket. */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  SlipwayError,
  type EdgeMetrics,
  type WakeRequest,
  type EdgeTlsState,
  type RouterStatus,
  type RoutingTable,
} from '@slipway/contract';
import type { EdgeTls, Logger, RouterTable } from '@slipway/core';
import { createEdgeAdminClient } from './edge-admin-client.js';
import { resolveEdgeSettings, type EdgeSettings } from './edge-settings.js';
import {
  edgeProcessState,
  formatListenAddress,
  lastLoggedError,
  portUnavailable,
  portUnavailableExitCode,
  probeListenAddress,
  readPidFile,
  sleep,
  spawnDetachedEdge,
  waitForExit,
  type ListenAddress,
} from './edge-process.js';

/** A SIGKILLed process exits without running any code of its own, but a busy machine may take a while to reap it. */
const killedExitTimeoutMs = 5_000;

export interface EdgeRouterTableOptions {
  /** Holds `table.json`, `edge.pid`, `admin.sock` and `edge.log`. */
  stateDir: string;
  listen: ListenAddress;
  /** Path of the bundled router, `apps/edge/dist/edge.mjs`. */
  edgeEntry: string;
  logger: Logger;
  /**
   * How long `ensureRunning` waits for a router that is alive but not answering yet, its own or one another
   * caller started, and for a dying one to let go of its port (default 30 s: a Node process can take
   * seconds to boot on a busy 2-core machine, and slipwayd calls this at startup, when machines are busiest).
   */
  startTimeoutMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL (default 10 s; the router itself drains for 5 s). */
  stopTimeoutMs?: number;
  /**
   * More flags for the router (`--workers N`, the TLS listener, client limits, trusted proxies). A running router
   * started with other settings is handed over to one with these (see `ensureRunning`).
   */
  edgeArgs?: readonly string[];
  /** Files whose contents are settings too (the TLS certificate and key): a renewed one is a changed setting. */
  settingFiles?: readonly string[];
}

export interface EdgeRouterTable extends RouterTable, EdgeTls {
  /**
   * Idempotent: adopts a router already answering on the state dir's socket, waits for one that is starting or
   * dying, else spawns one detached; resolves once it answers (its pid file is then written). A router running with
   * other settings (its reported fingerprint differs) is handed over to one with these, without dropping a request.
   * Concurrent calls share one attempt. Errors: `PORT_UNAVAILABLE`, `START_FAILED` (also when the handover to new
   * settings failed: the old router then keeps serving, and the message says how to proceed), `UNAVAILABLE`.
   */
  ensureRunning(): Promise<void>;
  /**
   * Restarts (or upgrades, when its bundle changed) the router without dropping a request, with the settings given
   * here: the running router starts a successor, hands it the listening sockets whose address stays, and once the
   * successor serves, stops accepting and drains. Starts one when none runs. Resolves once the successor answers.
   * Errors: `UNAVAILABLE` (the old one keeps serving).
   */
  restart(): Promise<void>;
  /** Stops the router (SIGTERM, then SIGKILL). For stopping everything on purpose, and tests: the router is meant to outlive slipwayd. Idempotent. */
  stop(): Promise<void>;
}

export function createEdgeRouterTable(options: EdgeRouterTableOptions): EdgeRouterTable {
  const stateDir = resolve(options.stateDir);
  const files = {
    pid: join(stateDir, 'edge.pid'),
    adminSocket: join(stateDir, 'admin.sock'),
    log: join(stateDir, 'edge.log'),
  };
  const address = formatListenAddress(options.listen);
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const logger = options.logger.child({ component: 'edge-router-table' });
  const admin = createEdgeAdminClient({ socketPath: files.adminSocket });
  let ensuring: Promise<void> | undefined;

  async function waitForStatus(
    timeoutMs: number,
    hasExited: () => boolean = () => false,
  ): Promise<RouterStatus | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await admin.findStatus();
      if (status !== undefined || hasExited() || Date.now() >= deadline) return status;
      await sleep(50);
    }
  }

  const wantedSettings = (): Promise<EdgeSettings> =>
    resolveEdgeSettings({
      listen: options.listen,
      stateDir,
      extraArgs: options.edgeArgs,
      settingFiles: options.settingFiles,
    });

  /**
   * Hands over to a router with `settings`, and waits until it answers us. A router from before settings could be
   * handed over starts its successor with its own flags; that successor, being current, takes the second attempt.
   * Errors: `UNAVAILABLE` (the running router keeps serving).
   */
  async function handOverTo(settings: EdgeSettings, previousPid: number | null): Promise<RouterStatus> {
    for (let attempt = 1; ; attempt += 1) {
      const successorPid = await admin.handOver(settings.args);
      // The successor answered its predecessor once it served the admin socket; make sure it answers us too.
      const status = await waitForStatus(startTimeoutMs);
      if (status?.pid !== successorPid) {
        throw new SlipwayError(
          'UNAVAILABLE',
          `The edge router handed over to pid ${successorPid}, but ${status === undefined ? 'nothing' : `pid ${String(status.pid)}`} answers on ${files.adminSocket}.`,
        );
      }
      if (status.settingsFingerprint === settings.fingerprint || attempt === 2) {
        logger.info({ pid: successorPid, previousPid, address: status.address }, 'edge router handed over');
        return status;
      }
    }
  }

  /** Adopts a router running with these settings; hands one with other settings over to a router with these. */
  async function adopt(status: RouterStatus): Promise<void> {
    const settings = await wantedSettings();
    if (status.settingsFingerprint === settings.fingerprint) {
      logger.debug({ pid: status.pid, address }, 'edge router already running');
      return;
    }
    // A router started in-process (tests) answers with our own pid and cannot start a successor.
    if (status.pid === process.pid) {
      logger.warn({ pid: status.pid }, 'edge router runs in-process with other settings; kept as it is');
      return;
    }
    logger.info(
      { pid: status.pid, address: status.address, configuredAddress: address },
      'edge router runs with other settings; handing over to one with these',
    );
    let successor: RouterStatus;
    try {
      successor = await handOverTo(settings, status.pid);
    } catch (error) {
      // The successor's own error (e.g. a port another process holds) is the last one the routers logged.
      const lastError = await lastLoggedError(files.log);
      const sentence = (text: string): string => text.replace(/[.\s]+$/, '');
      const reason = `${sentence((error as Error).message)}${lastError === undefined ? '' : `; the router log's last error: ${sentence(lastError)}`}`;
      const pid = String(status.pid);
      throw new SlipwayError(
        'START_FAILED',
        `The edge router (pid ${pid}, on ${status.address}) runs with other settings than these (listen address, TLS listener or certificate, client limits, timeouts, trusted proxies or workers), and handing over to one with the new settings failed: ${reason}. It keeps serving with its previous settings. Fix the cause (see ${files.log}) and start slipwayd again, or stop the router on purpose (\`kill ${pid}\`: it drains, then exits) and start slipwayd again, which starts one with the new settings.`,
        { details: { pid: status.pid, address: status.address, configuredAddress: address }, cause: error },
      );
    }
    if (successor.settingsFingerprint !== settings.fingerprint) {
      logger.warn({ pid: successor.pid }, 'edge router did not take the new settings');
    } else {
      logger.info({ pid: successor.pid, address: successor.address }, 'edge router settings applied');
    }
  }

  /**
   * Waits on the router recorded in the pid file while it lives: until it answers (it was starting), or is
   * gone (it crashed, or the pid is an unrelated process now), so a new one may start on its port.
   */
  async function awaitRecordedRouter(pid: number): Promise<RouterStatus | undefined> {
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const state = await edgeProcessState(pid, stateDir);
      if (state === 'gone') return undefined;
      if (state === 'running') {
        const status = await admin.findStatus();
        if (status !== undefined) return status;
      }
      if (Date.now() >= deadline) {
        throw new SlipwayError(
          'UNAVAILABLE',
          state === 'running'
            ? `The edge router (pid ${pid}) is running but has not answered on ${files.adminSocket} within ${startTimeoutMs} ms; stop it (\`kill ${pid}\`, or \`kill -9 ${pid}\` if it does not exit) and retry.`
            : `The edge router (pid ${pid}) has not finished exiting within ${startTimeoutMs} ms, so a new one cannot take its port yet; retry.`,
          { details: { pid, state } },
        );
      }
      await sleep(50);
    }
  }

  async function start(): Promise<void> {
    const running = await admin.findStatus();
    if (running !== undefined) return adopt(running);

    const recordedPid = await readPidFile(files.pid);
    // Never start a second router beside a live one: it may be starting (another slipwayd spawned it) or dying.
    if (recordedPid !== undefined && recordedPid !== process.pid) {
      const late = await awaitRecordedRouter(recordedPid);
      if (late !== undefined) return adopt(late);
    }

    const settings = await wantedSettings();
    await probeListenAddress(options.listen);
    const child = await spawnDetachedEdge({
      edgeEntry: options.edgeEntry,
      stateDir,
      logFile: files.log,
      args: settings.args,
    });
    logger.info({ pid: child.pid, address, stateDir }, 'edge router spawned');
    const status = await waitForStatus(startTimeoutMs, () => child.exit !== undefined);
    if (status !== undefined) {
      logger.info({ pid: status.pid, address: status.address, routes: status.routes }, 'edge router started');
      return;
    }
    const exit = child.exit;
    // A pid of -1 (spawn failed) must never reach kill: it would signal every process we may signal.
    if (exit === undefined && child.pid > 0) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      // So the next attempt finds the port free rather than held by this one's remains.
      await waitForExit(child.pid, killedExitTimeoutMs);
    }
    if (exit === undefined) {
      throw new SlipwayError(
        'START_FAILED',
        `The edge router did not answer on ${files.adminSocket} within ${startTimeoutMs} ms; see ${files.log}.`,
      );
    }
    // Ours lost a race to a router another process started on this state dir meanwhile: that one serves.
    const winner = await admin.findStatus();
    if (winner !== undefined) return adopt(winner);
    const reason =
      exit.error?.message ??
      (await lastLoggedError(files.log)) ??
      `exit code ${String(exit.code)}, signal ${String(exit.signal)}`;
    if (exit.code === portUnavailableExitCode) throw portUnavailable(options.listen, 'EADDRINUSE', new Error(reason));
    throw new SlipwayError('START_FAILED', `The edge router exited before answering: ${reason} (log: ${files.log}).`, {
      details: { exitCode: exit.code, signal: exit.signal },
    });
  }

  function ensureRunning(): Promise<void> {
    // Concurrent callers share one attempt, so two routers are never spawned side by side.
    ensuring ??= start().finally(() => {
      ensuring = undefined;
    });
    return ensuring;
  }

  async function apply(table: RoutingTable): Promise<void> {
    await admin.putTable(table);
    logger.debug({ routes: table.routes.length }, 'routing table applied');
  }

  async function applyTls(state: EdgeTlsState): Promise<void> {
    await admin.putTls(state);
    logger.debug(
      { hosts: state.certificates.length, challenges: state.http01.length + state.tlsAlpn01.length },
      'tls state applied',
    );
  }

  function inFlight(instanceIds: readonly string[]): Promise<Record<string, number>> {
    return admin.inFlight(instanceIds);
  }

  function metrics(): Promise<EdgeMetrics> {
    return admin.metrics();
  }

  function awaitWakes(waitMs: number, signal?: AbortSignal): Promise<WakeRequest[]> {
    return admin.wakes(waitMs, signal);
  }

  async function status(): Promise<RouterStatus> {
    return (await admin.findStatus()) ?? { isRunning: false, pid: null, address, routes: 0 };
  }

  async function stop(): Promise<void> {
    const answering = await admin.findStatus();
    const pid = answering?.pid ?? (await readPidFile(files.pid));
    // Never signal ourselves: a router started in-process (tests) answers with our own pid.
    if (pid === null || pid === undefined || pid === process.pid) return;
    if (answering === undefined) {
      const state = await edgeProcessState(pid, stateDir);
      if (state === 'exiting') await waitForExit(pid, stopTimeoutMs);
      if (state !== 'running') {
        await rm(files.pid, { force: true });
        return;
      }
    }
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return; // Already gone.
    }
    if (!(await waitForExit(pid, stopTimeoutMs))) {
      logger.warn({ pid, stopTimeoutMs }, 'edge router ignored SIGTERM, killing it');
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      await waitForExit(pid, killedExitTimeoutMs);
      await Promise.all([rm(files.pid, { force: true }), rm(files.adminSocket, { force: true })]);
    }
    logger.info({ pid }, 'edge router stopped');
  }

  async function restart(): Promise<void> {
    const running = await admin.findStatus();
    if (running === undefined) return ensureRunning();
    await handOverTo(await wantedSettings(), running.pid);
  }

  return { ensureRunning, apply, applyTls, status, inFlight, metrics, awaitWakes, restart, stop };
}
