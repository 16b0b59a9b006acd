/** RuntimeDriver for local processes: detached process groups whose state and logs live in files, so they outlive the control plane. */
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SlipwayError } from '@slipway/contract';
import {
  abortableCall,
  type ExecResult,
  type InstanceSpec,
  type InstanceStatus,
  type RuntimeDriver,
} from '@slipway/core';
import {
  createInstanceStateFiles,
  isNotFound,
  isSafeInstanceId,
  statusOfRecord,
  type InstanceRecord,
} from './instance-state-files.js';
import { createPortAllocator } from './port-allocator.js';
import { logStreamFiles, readInstanceLogs } from './read-instance-logs.js';
import { isSameProcessRunning, readProcStat } from './read-proc-stat.js';
import { createLogRotator } from './log-rotator.js';
import { createProcessGroupStats } from './process-group-stats.js';
import { readListeningPorts } from './read-listening-ports.js';
import { createRetiredInstanceLogs, defaultRetiredLogLimits } from './retired-instance-logs.js';
import { runExec } from './run-exec.js';
import type { ProcessDriverOptions } from './process-driver-options.js';
import { isDirectory } from '../builder/detect-builder.js';
import { killSandboxRemains, prepareInstanceSandbox, sandboxedRun, type InstanceSandbox } from './instance-sandbox.js';
import { stopProcessGroup } from './stop-process-group.js';
import { instanceEnv, instanceLogStreams, spawnDetached, startFailed } from './spawn-instance.js';

export type { ProcessDriverOptions } from './process-driver-options.js';

export type ProcessDriver = RuntimeDriver & {
  /** Stops the periodic log rotation. Instances keep running: they belong to the machine, not to this object. */
  close(): Promise<void>;
};

const logStreams = instanceLogStreams;
const logRotationIntervalMs = 5_000;
const logPollMs = 200;
/** Bound on waiting for the exit event of our own child after its group is gone. */
const exitRecordWaitMs = 5_000;

/** A child this driver object spawned: its exit is observed exactly (code and signal), and its env is known. */
interface OwnChild {
  pid: number;
  env: Record<string, string>;
  hasExited: boolean;
  /** Settles once the exit has been written to the state file. */
  exitRecorded: Promise<void>;
}

interface ExitFacts {
  exitCode: number | null;
  exitSignal: string | null;
}

export function createProcessDriver(options: ProcessDriverOptions): ProcessDriver {
  const host = options.host ?? '127.0.0.1';
  const logFiles = options.logFiles ?? 3;
  const log = options.logger.child({ component: 'process-driver' });
  const files = createInstanceStateFiles(options.stateDir);
  const ports = createPortAllocator({ ...options.portRange, hosts: [...new Set(['127.0.0.1', host])] });
  const children = new Map<string, OwnChild>();
  const adoptedIds = new Set<string>();
  const groupStats = createProcessGroupStats();
  const startingIds = new Set<string>();
  const stateUpdates = new Map<string, Promise<void>>();
  const retired = createRetiredInstanceLogs(
    options.retiredLogs?.dir ?? `${options.stateDir}-retired`,
    { ...defaultRetiredLogLimits, ...options.retiredLogs },
    log,
  );
  const rotator = createLogRotator({
    listLogPaths: async () =>
      (await files.listInstanceIds()).flatMap((id) => logStreams.map((stream) => files.logPath(id, stream))),
    maxBytes: options.logMaxBytes ?? 10 * 1024 * 1024,
    keep: logFiles,
    intervalMs: logRotationIntervalMs,
    logger: log,
  });

  /** Runs state-file updates of one instance one after another, so an exit is never overwritten by an older write. */
  function serialize(instanceId: string, task: () => Promise<void>): Promise<void> {
    const run = (stateUpdates.get(instanceId) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    stateUpdates.set(instanceId, settled);
    void settled.then(() => {
      if (stateUpdates.get(instanceId) === settled) stateUpdates.delete(instanceId);
    });
    return run;
  }

  async function writeUnlessRemoved(record: InstanceRecord): Promise<void> {
    try {
      await files.write(record);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Records an exit; exact facts (from our own child's exit event) replace an earlier "exited, code unknown". */
  function recordExit(instanceId: string, pid: number, facts: ExitFacts, exitedAtMs: number, isExact: boolean) {
    return serialize(instanceId, async () => {
      const record = await files.read(instanceId);
      if (record === undefined || record.pid !== pid) return;
      const isUnknown = record.state === 'exited' && record.exitCode === null && record.exitSignal === null;
      if (record.state === 'exited' && !(isExact && isUnknown)) return;
      await writeUnlessRemoved({ ...record, ...facts, state: 'exited', exitedAtMs: record.exitedAtMs ?? exitedAtMs });
      log.info({ instanceId, pid, ...facts }, 'instance exited');
    });
  }

  function ownChildOf(record: InstanceRecord): OwnChild | undefined {
    const own = children.get(record.instanceId);
    return own?.pid === record.pid ? own : undefined;
  }

  /** Brings a `running` record up to date: our own children by their exit event, adopted ones by pid and start time. */
  async function refresh(record: InstanceRecord): Promise<InstanceRecord> {
    if (record.state !== 'running') return record;
    const own = ownChildOf(record);
    if (own !== undefined) {
      // Until its exit event, our child may be a zombie: alive to signal 0 but not to us. Trust the event.
      if (!own.hasExited) return record;
      await own.exitRecorded;
    } else if (isSameProcessRunning(record.pid, record.startTicks)) {
      if (!adoptedIds.has(record.instanceId)) {
        adoptedIds.add(record.instanceId);
        log.info({ instanceId: record.instanceId, pid: record.pid, port: record.port }, 'instance adopted');
      }
      return record;
    } else {
      if (record.sandbox !== undefined) killSandboxRemains(record.pid, record.startTicks);
      // Not our child: its exit status went to whoever was its parent; we only know that it is gone.
      await recordExit(record.instanceId, record.pid, { exitCode: null, exitSignal: null }, Date.now(), false);
    }
    return (await files.read(record.instanceId)) ?? { ...record, state: 'exited', exitedAtMs: Date.now() };
  }

  async function findRecord(instanceId: string): Promise<InstanceRecord | undefined> {
    if (!isSafeInstanceId(instanceId)) return undefined;
    const record = await files.read(instanceId);
    return record === undefined ? undefined : refresh(record);
  }

  async function getRecord(instanceId: string): Promise<InstanceRecord> {
    const record = await findRecord(instanceId);
    if (record === undefined) {
      throw new SlipwayError('INSTANCE_NOT_FOUND', `no instance ${instanceId}`, { details: { instanceId } });
    }
    return record;
  }

  async function listRecords(): Promise<InstanceRecord[]> {
    const records: InstanceRecord[] = [];
    for (const instanceId of await files.listInstanceIds()) {
      const record = await findRecord(instanceId);
      if (record !== undefined) records.push(record);
    }
    return records.sort((a, b) => a.startedAtMs - b.startedAtMs);
  }

  async function start(spec: InstanceSpec): Promise<InstanceStatus> {
    const { instanceId } = spec;
    if (!isSafeInstanceId(instanceId)) {
      throw startFailed(instanceId, 'the instance id must be a plain name ([A-Za-z0-9._-])');
    }
    if (startingIds.has(instanceId) || (await findRecord(instanceId))?.state === 'running') {
      throw startFailed(instanceId, `instance ${instanceId} is already running`);
    }
    if (!(await isDirectory(spec.workDir))) {
      throw startFailed(instanceId, `work dir ${spec.workDir} does not exist`, { workDir: spec.workDir });
    }
    startingIds.add(instanceId);
    try {
      if (spec.listensOnPort === false) {
        await mkdir(files.dirOf(instanceId), { recursive: true, mode: 0o700 });
        return await spawnInstance(spec, null);
      }
      const inUse = new Set(
        (await listRecords()).flatMap((r) => (r.state === 'running' && r.port !== null ? [r.port] : [])),
      );
      return await ports.withPort(inUse, instanceId, async (port) => {
        await mkdir(files.dirOf(instanceId), { recursive: true, mode: 0o700 });
        return spawnInstance(spec, port);
      });
    } finally {
      startingIds.delete(instanceId);
    }
  }

  async function spawnInstance(spec: InstanceSpec, port: number | null): Promise<InstanceStatus> {
    const { instanceId } = spec;
    const sandbox = await prepareSandbox(spec);
    const env = instanceEnv(spec.env, port, sandbox);
    const child = spawnDetached(spec, env, (stream) => files.logPath(spec.instanceId, stream), sandbox);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const pid = child.pid;
    if (pid === undefined) {
      throw startFailed(instanceId, `could not spawn the instance: ${(await spawnError).message}`);
    }
    child.on('error', (error) => log.warn({ instanceId, pid, err: error }, 'instance process error'));
    // Read right after spawn: until our event loop reaps it, the pid cannot have been reused, even if it already exited.
    const procStat = readProcStat(pid);
    if (procStat === undefined) {
      killGroupQuietly(pid);
      throw startFailed(instanceId, `cannot read /proc/${pid}/stat (the process driver needs Linux procfs)`);
    }
    const record: InstanceRecord = {
      version: 1,
      instanceId,
      labels: { ...spec.labels },
      command: spec.command,
      workDir: spec.workDir,
      envKeys: Object.keys(spec.env).sort(),
      host,
      port,
      pid,
      startTicks: procStat.startTicks,
      startedAtMs: Date.now(),
      stopGraceMs: spec.stopGraceMs,
      state: 'running',
      exitCode: null,
      exitSignal: null,
      exitedAtMs: null,
      ...(sandbox === undefined ? {} : { sandbox: sandbox.identity }),
    };
    // Queued before the exit listener exists, so the exit is always written after the start.
    const written = serialize(instanceId, () => files.write(record));
    const own: OwnChild = { pid, env, hasExited: false, exitRecorded: Promise.resolve() };
    own.exitRecorded = new Promise((resolve) => {
      child.once('exit', (exitCode, exitSignal) => {
        own.hasExited = true;
        if (sandbox !== undefined) killSandboxRemains(pid, procStat.startTicks);
        void recordExit(instanceId, pid, { exitCode, exitSignal }, Date.now(), true)
          .catch((error: unknown) => log.warn({ instanceId, pid, err: error }, 'could not record instance exit'))
          .finally(resolve);
      });
    });
    children.set(instanceId, own);
    adoptedIds.delete(instanceId);
    child.unref();
    try {
      await written;
    } catch (error) {
      killGroupQuietly(pid);
      throw startFailed(instanceId, 'could not write the instance state file', {}, error);
    }
    log.info({ instanceId, pid, port }, 'instance started');
    return statusOfRecord(record);
  }

  /** The project's user, owning the release and a fresh scratch dir; undefined when instances are not sandboxed. */
  async function prepareSandbox(spec: InstanceSpec): Promise<InstanceSandbox | undefined> {
    if (options.sandbox === undefined) return undefined;
    try {
      return await prepareInstanceSandbox(options.sandbox, spec, files.scratchPath(spec.instanceId));
    } catch (error) {
      throw startFailed(spec.instanceId, 'could not prepare the instance sandbox', {}, error);
    }
  }

  async function stop(instanceId: string, stopOptions?: { graceMs?: number }): Promise<void> {
    const record = isSafeInstanceId(instanceId) ? await files.read(instanceId) : undefined;
    if (record === undefined) return;
    // Runs for exited instances too: members of the group the main process left behind are stopped as well.
    const outcome = await stopProcessGroup({
      pid: record.pid,
      startTicks: record.startTicks,
      graceMs: stopOptions?.graceMs ?? record.stopGraceMs,
      isLeaderSpared: record.sandbox !== undefined,
    });
    const own = ownChildOf(record);
    if (own !== undefined) await Promise.race([own.exitRecorded, sleep(exitRecordWaitMs, undefined, { ref: false })]);
    else await refresh(record);
    if (outcome === 'stuck') log.warn({ instanceId, pid: record.pid }, 'instance survived sigkill');
    else if (outcome !== 'none') log.info({ instanceId, pid: record.pid, outcome }, 'instance stopped');
  }

  async function remove(instanceId: string): Promise<void> {
    if (!isSafeInstanceId(instanceId)) return;
    await stop(instanceId);
    await serialize(instanceId, async () => {
      const record = await files.read(instanceId);
      if (record !== undefined) {
        const { labels, startedAtMs, exitCode } = record;
        await retired.keep({ instanceId, labels, startedAtMs, exitCode }, files.dirOf(instanceId));
      }
      await files.removeDir(instanceId);
    });
    children.delete(instanceId);
    adoptedIds.delete(instanceId);
    groupStats.forget(instanceId);
    log.info({ instanceId }, 'instance removed');
  }

  return {
    capabilities: {
      survivesControlPlaneRestart: true,
      enforcesResourceLimits: false,
      supportsExec: true,
      runsArtifacts: true,
      runsImages: false,
    },
    // Every call but `logs` runs under its deadline (`abortableCall`): it rejects as soon as its signal aborts. What
    // it waits on is local (files, /proc, signals to a process group), so nothing is left waiting on a peer.
    start: (spec, callOptions) => abortableCall(callOptions?.signal, () => start(spec)),
    stop: (instanceId, callOptions) => abortableCall(callOptions?.signal, () => stop(instanceId, callOptions)),
    stats: (instanceId, callOptions) =>
      abortableCall(callOptions?.signal, async () => {
        const record = await findRecord(instanceId);
        return record?.state === 'running' ? groupStats.sample(instanceId, record.pid, record.startTicks) : undefined;
      }),
    remove: (instanceId, callOptions) => abortableCall(callOptions?.signal, () => remove(instanceId)),

    listeningPorts: (instanceId, callOptions) =>
      abortableCall(callOptions?.signal, async () => {
        const record = await findRecord(instanceId);
        return record?.state === 'running' ? readListeningPorts(record.pid, record.startTicks) : undefined;
      }),

    inspect: (instanceId, callOptions) =>
      abortableCall(callOptions?.signal, async () => {
        const record = await findRecord(instanceId);
        return record === undefined ? undefined : statusOfRecord(record);
      }),

    list: (callOptions) =>
      abortableCall(callOptions?.signal, async () => {
        await rotator.rotateNow();
        await retired.prune().catch((error: unknown) => log.warn({ err: error }, 'retired logs prune failed'));
        return (await listRecords()).map(statusOfRecord);
      }),

    retiredInstances: (callOptions) => abortableCall(callOptions?.signal, () => retired.list()),

    async *logs(instanceId, logOptions) {
      if ((await findRecord(instanceId)) === undefined) {
        const kept = await retired.readLogs(instanceId, logOptions.tailLines);
        if (kept === undefined) await getRecord(instanceId);
        else yield* kept;
        return;
      }
      const streams = logStreamFiles((stream) => files.logPath(instanceId, stream), logFiles);
      yield* readInstanceLogs(streams, {
        tailLines: logOptions.tailLines,
        follow: logOptions.follow,
        signal: logOptions.signal,
        pollMs: logPollMs,
        isGone: async () => {
          const record = await files.read(instanceId);
          return record === undefined || (logOptions.untilExit === true && (await refresh(record)).state === 'exited');
        },
      });
    },

    exec: (instanceId, command, execOptions) =>
      abortableCall(execOptions.signal, () => exec(instanceId, command, execOptions.timeoutMs)),

    close: () => rotator.close(),
  };

  async function exec(instanceId: string, command: string, timeoutMs: number): Promise<ExecResult> {
    const record = await getRecord(instanceId);
    // Env values are never on disk: an instance adopted from an earlier control plane only gets PORT back.
    const env = ownChildOf(record)?.env ?? instanceEnv({}, record.port);
    const { sandbox } = options;
    if (record.sandbox === undefined || sandbox === undefined) {
      return runExec({ command, cwd: record.workDir, env, timeoutMs });
    }
    // A sandbox of its own with the instance's view (user, release, scratch dir): it sees no other process.
    const context = { sandbox, identity: record.sandbox, scratchDir: files.scratchPath(instanceId) };
    const argv = sandbox.argv({ ...sandboxedRun(context, record.workDir), command });
    return runExec({ command, argv, cwd: record.workDir, env: sandbox.env(env), timeoutMs });
  }
}

function killGroupQuietly(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
