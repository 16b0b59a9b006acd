/**
 * One router process per core, as an option (`--workers N`): the primary keeps the admin socket and the table
 * file and serves traffic itself; N-1 worker processes are given its listening socket (the kernel spreads new
 * connections over the processes accepting on it) and the table, and answer for their in-flight counts and
 * counters. A worker that dies is started again; a worker whose primary died drains and exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import type { EdgeMetrics, RoutingTable, WakeRequest } from '@slipway/contract';
import type { EdgeLog } from './edge-log.js';

/** The flag that makes the edge program a traffic worker of the primary that forked it. */
export const trafficWorkerFlag = '--traffic-worker';

type ToWorker =
  | { type: 'start'; table: RoutingTable; http01: [string, string][] }
  | { type: 'table'; id: number; table: RoutingTable }
  | { type: 'http01'; id: number; http01: [string, string][] }
  | { type: 'inflight'; id: number; instanceIds: readonly string[] }
  | { type: 'metrics'; id: number }
  | { type: 'stop'; graceMs: number };

type FromWorker =
  { type: 'started' } | { type: 'reply'; id: number; value: unknown } | { type: 'wake'; request: WakeRequest };

export type WorkerMessage = ToWorker;
export type WorkerReply = FromWorker;

export interface TrafficWorkersOptions {
  /** Extra processes besides the primary. */
  readonly count: number;
  /** The edge program and its flags (the worker flag is added). */
  readonly entry: string;
  readonly args: readonly string[];
  readonly traffic: Server;
  readonly currentTable: () => RoutingTable;
  /** HTTP-01 key authorizations by token under way (every process answers them: any may accept the validation). */
  readonly currentHttp01: () => ReadonlyMap<string, string> | undefined;
  /** A worker held a wakeable route's first request (scale to zero). */
  readonly onWake: (request: WakeRequest) => void;
  readonly log: EdgeLog;
}

export interface TrafficWorkers {
  /** Sends the table to every worker; resolves once each running worker has it (a late one is restarted). */
  applyTable(table: RoutingTable): Promise<void>;
  /** Sends the HTTP-01 challenges under way to every worker, as `applyTable`. */
  applyHttp01(http01: ReadonlyMap<string, string> | undefined): Promise<void>;
  /** Each running worker's in-flight counts; a worker that does not answer counts as 1 for every id. */
  inFlight(instanceIds: readonly string[]): Promise<Record<string, number>[]>;
  metrics(): Promise<EdgeMetrics[]>;
  /** Workers serving now (started, not exited). */
  servingCount(): number;
  /** Tells every worker to stop accepting and drain (bounded by `graceMs`); resolves once all have exited. */
  stop(graceMs: number): Promise<void>;
}

/** How long a worker may take to answer the primary before it is considered stuck. */
const replyTimeoutMs = 5_000;
const restartDelayMs = 1_000;

interface Worker {
  readonly child: ChildProcess;
  isStarted: boolean;
}

export function startTrafficWorkers(options: TrafficWorkersOptions): TrafficWorkers {
  const { log } = options;
  const workers = new Set<Worker>();
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  let isStopping = false;

  function spawnWorker(): void {
    const child = fork(options.entry, [...options.args, trafficWorkerFlag], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker: Worker = { child, isStarted: false };
    workers.add(worker);
    child.on('message', (message: FromWorker) => {
      if (message.type === 'started') worker.isStarted = true;
      else if (message.type === 'wake') options.onWake(message.request);
      else pending.get(message.id)?.(message.value);
    });
    child.once('exit', (code, signal) => {
      workers.delete(worker);
      if (isStopping) return;
      log.warn({ pid: child.pid, code, signal }, 'traffic worker exited, starting another');
      setTimeout(() => {
        if (!isStopping) spawnWorker();
      }, restartDelayMs).unref();
    });
    child.once('error', (error) => log.error({ err: error }, 'traffic worker failed'));
    child.send(
      { type: 'start', table: options.currentTable(), http01: [...(options.currentHttp01() ?? [])] } satisfies ToWorker,
      options.traffic,
    );
  }

  /**
   * Asks each worker (one still starting answers once started: messages keep their order); `fallback` stands for
   * one that does not answer in time (and is then restarted).
   */
  function ask<T>(build: (id: number) => ToWorker, fallback: T): Promise<T[]> {
    const asked = [...workers].filter((worker) => worker.child.connected);
    return Promise.all(
      asked.map(
        (worker) =>
          new Promise<T>((resolveAnswer) => {
            const id = nextId;
            nextId += 1;
            const timer = setTimeout(() => {
              pending.delete(id);
              log.warn({ pid: worker.child.pid }, 'traffic worker did not answer, restarting it');
              worker.child.kill('SIGKILL');
              resolveAnswer(fallback);
            }, replyTimeoutMs);
            pending.set(id, (value) => {
              clearTimeout(timer);
              pending.delete(id);
              resolveAnswer(value as T);
            });
            worker.child.send(build(id));
          }),
      ),
    );
  }

  for (let i = 0; i < options.count; i += 1) spawnWorker();

  return {
    async applyTable(table) {
      await ask((id) => ({ type: 'table', id, table }), undefined);
    },
    async applyHttp01(http01) {
      await ask((id) => ({ type: 'http01', id, http01: [...(http01 ?? [])] }), undefined);
    },
    inFlight: (instanceIds) =>
      ask((id) => ({ type: 'inflight', id, instanceIds }), Object.fromEntries(instanceIds.map((id) => [id, 1]))),
    metrics: async () =>
      (await ask<EdgeMetrics | undefined>((id) => ({ type: 'metrics', id }), undefined)).filter(
        (snapshot): snapshot is EdgeMetrics => snapshot !== undefined,
      ),
    servingCount: () => [...workers].filter((worker) => worker.isStarted).length,
    async stop(graceMs) {
      isStopping = true;
      await Promise.all(
        [...workers].map(
          (worker) =>
            new Promise<void>((resolveExit) => {
              if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolveExit();
              worker.child.once('exit', () => resolveExit());
              const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs + 2_000);
              worker.child.once('exit', () => clearTimeout(timer));
              if (worker.child.connected) worker.child.send({ type: 'stop', graceMs } satisfies ToWorker);
              else worker.child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
