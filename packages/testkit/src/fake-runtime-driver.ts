/** An in-memory RuntimeDriver for core unit tests: it passes the driver contract suite and lets tests script crashes, output and exec results. */
import { createServer as createHttpServer } from 'node:http';
import { SlipwayError } from '@slipway/contract';
import {
  abortableCall,
  type ExecResult,
  type InstanceSpec,
  type InstanceStatus,
  type LogLine,
  type RuntimeCallOptions,
  type RuntimeCapabilities,
  type RuntimeDriver,
} from '@slipway/core';

export { fakeRuntimePrograms } from './fake-runtime-programs.js';
import {
  canListen,
  changed,
  instancesOf,
  isDirectory,
  lineAt,
  notify,
  snapshot,
  startFailed,
  type FakeInstance,
} from './fake-runtime-instances.js';

/** The machine the fake's instances live on: they outlive a driver object, as processes outlive the control plane. */
export interface FakeRuntimeWorld {
  readonly kind: 'fake-runtime-world';
}

export function createFakeRuntimeWorld(): FakeRuntimeWorld {
  return { kind: 'fake-runtime-world' };
}

export interface FakeRuntimeDriverOptions {
  /** Share one world between driver objects to play a control plane restart; default: a world of its own. */
  world?: FakeRuntimeWorld;
  /** Inclusive range `PORT` is allocated from (ports are probed by binding, as the process driver does). */
  portRange?: { from: number; to: number };
  host?: string;
  capabilities?: Partial<RuntimeCapabilities>;
  nowMs?: () => number;
  /** Whether a work dir exists; default: asks the real filesystem. Pass `() => true` for made-up paths. */
  isWorkDir?: (path: string) => boolean;
}

export interface FakeExecRequest {
  status: InstanceStatus;
  command: string;
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
}

export type FakeRuntimeDriver = RuntimeDriver & {
  close(): Promise<void>;
  /** The instance exits by itself with this code, as a crashing process does. */
  crash(instanceId: string, exitCode?: number): void;
  /** The instance prints a line. */
  writeLog(instanceId: string, line: string, stream?: LogLine['stream']): void;
  /** The next start fails with this code. */
  failNextStart(code?: 'START_FAILED' | 'PORT_UNAVAILABLE'): void;
  /** The instance ignores the polite stop signal: a stop waits the grace period, then kills it (SIGKILL). */
  ignoreStopSignal(instanceId: string): void;
  /** Decides every later exec; the built-in exec vocabulary no longer applies. */
  setExecHandler(handler: (request: FakeExecRequest) => ExecResult | Promise<ExecResult>): void;
  /** Every spec started through this driver object, env included, oldest first. */
  startedSpecs(): readonly InstanceSpec[];
  /**
   * The driver stops answering, as an engine that accepts requests and never replies: every later call (but `logs`)
   * waits until its signal aborts — then rejects with its coded error — or until `answer()`.
   */
  hang(): void;
  /** Calls answer again, the ones waiting included. */
  answer(): void;
  /** Calls waiting on `hang()` now. */
  readonly hungCalls: number;
};

const maxLines = 10_000;
const execTimeoutExitCode = 124;

export function createFakeRuntimeDriver(options: FakeRuntimeDriverOptions = {}): FakeRuntimeDriver {
  const world = options.world ?? createFakeRuntimeWorld();
  const instances = instancesOf(world);
  const { from, to } = options.portRange ?? { from: 47_000, to: 47_999 };
  const host = options.host ?? '127.0.0.1';
  const nowMs = options.nowMs ?? Date.now;
  const isWorkDir = options.isWorkDir ?? isDirectory;
  const started: InstanceSpec[] = [];
  let pendingStartFailure: 'START_FAILED' | 'PORT_UNAVAILABLE' | undefined;
  let execHandler: ((request: FakeExecRequest) => ExecResult | Promise<ExecResult>) | undefined;
  /** While hung, the calls waiting for an answer. */
  let hung: Set<() => void> | undefined;
  let hungCalls = 0;

  /** Runs a call under its deadline, after waiting for an answer while the driver is hung. */
  const answered = <T>(callOptions: RuntimeCallOptions | undefined, work: () => Promise<T>): Promise<T> =>
    abortableCall(
      callOptions?.signal,
      async () => {
        if (hung !== undefined) {
          const waiting = hung;
          hungCalls += 1;
          await new Promise<void>((resolve) => {
            waiting.add(resolve);
            callOptions?.signal?.addEventListener(
              'abort',
              () => {
                waiting.delete(resolve);
                resolve();
              },
              { once: true },
            );
          }).finally(() => (hungCalls -= 1));
          callOptions?.signal?.throwIfAborted();
        }
        return work();
      },
      'fake runtime call',
    );

  const find = (instanceId: string): FakeInstance | undefined => instances.get(instanceId);
  const get = (instanceId: string): FakeInstance => {
    const instance = find(instanceId);
    if (instance === undefined) {
      throw new SlipwayError('INSTANCE_NOT_FOUND', `no instance ${instanceId}`, { details: { instanceId } });
    }
    return instance;
  };

  function print(instance: FakeInstance, line: string, stream: LogLine['stream'] = 'stdout'): void {
    instance.lines.push({ stream, line });
    if (instance.lines.length > maxLines) {
      instance.lines.shift();
      instance.droppedLines += 1;
    }
    notify(instance);
  }

  function exit(instance: FakeInstance, exitCode: number | null, exitSignal: string | null): void {
    if (instance.status.state === 'exited') return;
    instance.status = { ...instance.status, state: 'exited', exitCode, exitSignal, exitedAtMs: nowMs() };
    instance.server?.closeAllConnections();
    instance.server?.close();
    instance.server = undefined;
    notify(instance);
  }

  function act(instance: FakeInstance): void {
    const [program = '', ...args] = instance.spec.command.trim().split(/\s+/);
    // Acted out after start returns, as a real process does its work after it exists.
    switch (program) {
      case 'fake:http-server':
        serve(instance);
        return;
      case 'fake:exit':
        queueMicrotask(() => exit(instance, Number(args[0] ?? 0), null));
        return;
      case 'fake:oom':
        queueMicrotask(() => {
          exit(instance, 137, 'SIGKILL');
          instance.status = { ...instance.status, oomKilled: true };
        });
        return;
      case 'fake:chatty':
        queueMicrotask(() => {
          for (let index = 1; index <= Number(args[0] ?? 0); index += 1) print(instance, `line ${index}`);
        });
        return;
      case 'fake:print-env':
      case 'fake:print-env-and-exit':
        queueMicrotask(() => {
          for (const name of args) print(instance, `${name}=${instance.env[name] ?? ''}`);
          if (program === 'fake:print-env-and-exit') exit(instance, 0, null);
        });
        return;
      default:
        return;
    }
  }

  function serve(instance: FakeInstance): void {
    const server = createHttpServer((_request, response) => response.end('ok'));
    instance.server = server;
    server.once('error', (error) => {
      print(instance, error.message, 'stderr');
      exit(instance, 1, null);
    });
    server.listen({ port: instance.status.port, host }, () => {
      if (instance.status.state === 'running') print(instance, 'listening');
      else server.close();
    });
  }

  async function allocatePort(): Promise<number | undefined> {
    const inUse = new Set(
      [...instances.values()].filter((other) => other.status.state === 'running').map((other) => other.status.port),
    );
    for (let port = from; port <= to; port += 1) {
      if (!inUse.has(port) && (await canListen(port, host))) return port;
    }
    return undefined;
  }

  async function start(spec: InstanceSpec): Promise<InstanceStatus> {
    const failure = pendingStartFailure;
    pendingStartFailure = undefined;
    if (failure !== undefined) {
      throw new SlipwayError(failure, `scripted start failure of ${spec.instanceId}`, {
        details: { instanceId: spec.instanceId },
      });
    }
    if (find(spec.instanceId)?.status.state === 'running') {
      throw startFailed(spec.instanceId, `instance ${spec.instanceId} is already running`);
    }
    if (spec.image === undefined && !isWorkDir(spec.workDir)) {
      throw startFailed(spec.instanceId, `work dir ${spec.workDir} does not exist`);
    }
    if (spec.image !== undefined && !spec.image.startsWith('fake-image:')) {
      throw startFailed(spec.instanceId, `image ${spec.image} does not exist`);
    }
    const port = await allocatePort();
    if (port === undefined) {
      throw new SlipwayError('PORT_UNAVAILABLE', `no free port in ${from}-${to}`, {
        details: { instanceId: spec.instanceId, from, to },
      });
    }
    const instance: FakeInstance = {
      spec: { ...spec, labels: { ...spec.labels }, env: { ...spec.env } },
      env: { ...spec.env, PORT: String(port) },
      status: {
        instanceId: spec.instanceId,
        labels: { ...spec.labels },
        state: 'running',
        pid: null,
        host,
        port,
        startedAtMs: nowMs(),
        exitCode: null,
        exitSignal: null,
        exitedAtMs: null,
      },
      lines: [],
      droppedLines: 0,
      onChange: new Set(),
      server: undefined,
      ignoresStopSignal: false,
      isRemoved: false,
    };
    instances.set(spec.instanceId, instance);
    started.push(instance.spec);
    act(instance);
    return snapshot(instance);
  }

  async function stop(instanceId: string, stopOptions?: { graceMs?: number }): Promise<void> {
    const instance = find(instanceId);
    if (instance === undefined || instance.status.state === 'exited') return;
    if (!instance.ignoresStopSignal) {
      exit(instance, null, 'SIGTERM');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, stopOptions?.graceMs ?? instance.spec.stopGraceMs));
    exit(instance, null, 'SIGKILL');
  }

  async function* logs(
    instanceId: string,
    logOptions: { tailLines: number; follow: boolean; signal?: AbortSignal },
  ): AsyncGenerator<LogLine> {
    const instance = get(instanceId);
    const end = instance.droppedLines + instance.lines.length;
    let next = Math.max(instance.droppedLines, end - Math.max(0, logOptions.tailLines));
    while (next < end) yield lineAt(instance, next++);
    if (!logOptions.follow) return;
    for (;;) {
      while (next < instance.droppedLines + instance.lines.length) yield lineAt(instance, next++);
      if (instance.isRemoved || !(await changed(instance, logOptions.signal))) return;
      next = Math.max(next, instance.droppedLines);
    }
  }

  async function exec(instanceId: string, command: string, execOptions: { timeoutMs: number }): Promise<ExecResult> {
    const instance = get(instanceId);
    if (execHandler !== undefined) {
      return execHandler({
        status: snapshot(instance),
        command,
        env: { ...instance.env },
        timeoutMs: execOptions.timeoutMs,
      });
    }
    const [program, code, ...words] = command.trim().split(/\s+/);
    if (program === 'fake:echo-exit') return { exitCode: Number(code ?? 0), output: `${words.join(' ')}\n` };
    if (program === 'fake:hang') {
      await new Promise((resolve) => setTimeout(resolve, execOptions.timeoutMs));
      return { exitCode: execTimeoutExitCode, output: `[exec timed out after ${execOptions.timeoutMs} ms]` };
    }
    return { exitCode: 0, output: '' };
  }

  async function statsOf(instanceId: string): Promise<Awaited<ReturnType<RuntimeDriver['stats']>>> {
    const instance = find(instanceId);
    if (instance === undefined || instance.status.state !== 'running') return undefined;
    const limit = instance.status.limits?.memoryBytes;
    return {
      memoryBytes: 32 * 1024 * 1024,
      cpus: 0,
      pids: 1,
      ...(limit === undefined ? {} : { memoryLimitBytes: limit }),
    };
  }

  return {
    capabilities: {
      survivesControlPlaneRestart: true,
      enforcesResourceLimits: false,
      supportsExec: true,
      runsArtifacts: true,
      runsImages: true,
      ...options.capabilities,
    },
    start: (spec, callOptions) => answered(callOptions, () => start(spec)),
    stop: (instanceId, callOptions) => answered(callOptions, () => stop(instanceId, callOptions)),
    logs,
    exec: (instanceId, command, callOptions) => answered(callOptions, () => exec(instanceId, command, callOptions)),

    inspect: (instanceId, callOptions) =>
      answered(callOptions, async () => {
        const instance = find(instanceId);
        return instance === undefined ? undefined : snapshot(instance);
      }),

    // A running fake uses a fixed 32 MiB, no CPU and one process.
    stats: (instanceId, callOptions) => answered(callOptions, () => statsOf(instanceId)),

    list: (callOptions) =>
      answered(callOptions, async () =>
        [...instances.values()].map(snapshot).sort((a, b) => a.startedAtMs - b.startedAtMs),
      ),

    remove: (instanceId, callOptions) =>
      answered(callOptions, async () => {
        const instance = find(instanceId);
        if (instance === undefined) return;
        await stop(instanceId);
        instances.delete(instanceId);
        instance.isRemoved = true;
        notify(instance);
      }),

    hang() {
      hung ??= new Set();
    },
    answer() {
      const waiting = hung;
      hung = undefined;
      for (const resolve of waiting ?? []) resolve();
    },
    get hungCalls() {
      return hungCalls;
    },

    async close() {},

    crash(instanceId, exitCode = 1) {
      exit(get(instanceId), exitCode, null);
    },
    writeLog(instanceId, line, stream = 'stdout') {
      print(get(instanceId), line, stream);
    },
    failNextStart(code = 'START_FAILED') {
      pendingStartFailure = code;
    },
    ignoreStopSignal(instanceId) {
      get(instanceId).ignoresStopSignal = true;
    },
    setExecHandler(handler) {
      execHandler = handler;
    },
    startedSpecs: () => [...started],
  };
}
