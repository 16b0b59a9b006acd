/** The runtime port: starts, stops and observes instances (child processes, containers, tasks). */

/** Limits the runtime enforces on an instance; absent members are unlimited. */
export interface ResourceLimits {
  /** Memory, RAM only (no swap beyond it); an instance over it is killed (`oomKilled`). */
  memoryBytes?: number;
  /** CPU time as a number of CPUs, fractions allowed (0.5 = half of one CPU). */
  cpus?: number;
  /** Processes and threads the instance may have at once. */
  pids?: number;
}

export interface InstanceSpec {
  /** Slipway's id for the instance; the driver keys everything on it. */
  instanceId: string;
  /** Labels recorded with the instance (app, environment, release, process, deployment) so it can be re-adopted. */
  labels: Readonly<Record<string, string>>;
  /** Shell command line, run with `/bin/sh -c`. */
  command: string;
  /** Absolute path of the release artifact; the instance's working directory. */
  workDir: string;
  /**
   * Environment variables; the driver adds `PORT` when the instance listens, and a clean base (`PATH` of the system,
   * `HOME`, `LANG`) under them: nothing else of the control plane's own environment reaches an instance.
   */
  env: Readonly<Record<string, string>>;
  /**
   * Whether the instance serves on a port (a `web` process, or one with a route or a port health check). False: no
   * port is allocated, `PORT` is not set and the status reports `port: null`. Default true.
   */
  listensOnPort?: boolean;
  /** Time between the polite stop signal and the forced kill, when stopped. */
  stopGraceMs: number;
  /**
   * Image to run, for drivers that run images (`capabilities.runsImages`): an image id (`sha256:…`) or a reference
   * pinned by digest. `command`, when not empty, replaces the image's command and runs with `/bin/sh -c` in it;
   * `workDir` is then not used. Drivers that run artifacts (`runsArtifacts`) need it absent.
   */
  image?: string;
  /** Port the program listens on inside its container; default: the allocated port, also given as `PORT`. */
  containerPort?: number;
  /** Enforced by drivers with `capabilities.enforcesResourceLimits`; others ignore it. */
  limits?: ResourceLimits;
  /** Instances with the same scope share a private network (Slipway passes the project); default: one of the driver's. */
  networkScope?: string;
  /**
   * Names other instances of the scope's network reach this one by (the app's name, as compose services reach each
   * other); drivers without private networks ignore them.
   */
  networkAliases?: readonly string[];
  /** Names of `env` keys that hold secrets: drivers that can keep them out of the instance's visible spec do. */
  secretNames?: readonly string[];
  /** Placement constraints for runtimes of many machines (`node.labels.zone==a`); others ignore them. */
  placement?: readonly string[];
}

export interface InstanceStatus {
  instanceId: string;
  labels: Readonly<Record<string, string>>;
  state: 'running' | 'exited';
  /** OS process id of the instance's main process; null where the runtime has none. */
  pid: number | null;
  /** Address the instance listens on for traffic (`PORT`), reachable from the edge router. */
  host: string;
  /** Null for an instance that listens on no port (`spec.listensOnPort: false`). */
  port: number | null;
  startedAtMs: number;
  /** Exit code once exited; null while running or when unknown (e.g. exited while the control plane was down). */
  exitCode: number | null;
  /** Signal name when killed by a signal. */
  exitSignal: string | null;
  exitedAtMs: number | null;
  /** True when the runtime killed the instance for going over its memory limit. */
  oomKilled?: boolean;
  /** The limits the runtime enforces on it, read back from the runtime; absent when it enforces none. */
  limits?: ResourceLimits;
  /** Machine the instance runs on, for runtimes of many machines. */
  node?: string;
}

/** What a running instance uses now, as its runtime measures it. */
export interface InstanceStats {
  /** Resident memory (for a container: its cgroup's usage less the page cache), bytes. */
  memoryBytes: number;
  /** The memory limit the runtime enforces, bytes; absent when none. */
  memoryLimitBytes?: number;
  /** CPU used since the previous sample of this instance (or since it started), in CPUs: 0.5 = half of one CPU. */
  cpus: number;
  /** Processes and threads it runs. */
  pids: number;
}

/** An instance that was removed, whose logs the runtime still keeps for a while (`RuntimeDriver.retiredInstances`). */
export interface RetiredInstance {
  instanceId: string;
  labels: Readonly<Record<string, string>>;
  startedAtMs: number;
  exitCode: number | null;
  /** When it was removed (ms since the epoch). */
  retiredAtMs: number;
}

export interface RuntimeCapabilities {
  /** Instances keep running when the control plane process dies, and `list()` finds them again. */
  readonly survivesControlPlaneRestart: boolean;
  /** Memory/CPU limits are enforced. */
  readonly enforcesResourceLimits: boolean;
  /** `exec()` is available (exec health checks). */
  readonly supportsExec: boolean;
  /** Runs a release's artifact directory with a shell command (`spec.workDir`, no `spec.image`). */
  readonly runsArtifacts: boolean;
  /** Runs container images (`spec.image`). */
  readonly runsImages: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
  /**
   * When the line was written, as well as the runtime knows it (ms since the epoch): the engine's own time for a
   * container; for a process, whose log files carry no times, when a follower read it (within its poll interval) or,
   * for a line of the backlog, when its file was last written. Absent: unknown (the reader's time is used).
   */
  timeMs?: number;
}

export interface ExecResult {
  exitCode: number;
  /** Combined stdout and stderr, truncated to a few KiB. */
  output: string;
}

/**
 * The deadline of one runtime call. When `signal` aborts, the call rejects promptly with a coded error — the signal's
 * reason when it is a `SlipwayError`, else `RUNTIME_TIMEOUT` — and the driver abandons its request to the engine (an
 * aborted HTTP request, a wait that ends). What the call had already done may stand: a start aborted after the
 * engine created the instance leaves it for `list()` to report (and the controller to remove as an orphan).
 */
export interface RuntimeCallOptions {
  signal?: AbortSignal;
}

/**
 * Every method but `logs` takes its deadline as `options.signal` (`RuntimeCallOptions`); `logs` takes its own signal.
 * The controller's `RuntimeSet` gives every call one (`settings.runtimeCallTimeoutMs`), so a runtime whose engine
 * hangs holds no caller for longer.
 */
export interface RuntimeDriver {
  readonly capabilities: RuntimeCapabilities;

  /**
   * Starts an instance and returns once its process exists (not once it is healthy).
   * Errors: `START_FAILED` (work dir or image missing, command cannot run, limits refused), `PORT_UNAVAILABLE` (no
   * free port in range), `RUNTIME_UNAVAILABLE` (the runtime's engine does not answer).
   * Not idempotent: starting an id that is running fails with `START_FAILED`.
   */
  start(spec: InstanceSpec, options?: RuntimeCallOptions): Promise<InstanceStatus>;

  /**
   * Stops an instance: polite signal, then a forced kill after `graceMs` (default: the spec's `stopGraceMs`).
   * Idempotent: stopping an exited or unknown instance resolves.
   */
  stop(instanceId: string, options?: RuntimeCallOptions & { graceMs?: number }): Promise<void>;

  /** The current status, or undefined when the driver knows no such instance. */
  inspect(instanceId: string, options?: RuntimeCallOptions): Promise<InstanceStatus | undefined>;

  /** Every instance the driver knows, running or exited, including ones started by an earlier control plane process. */
  list(options?: RuntimeCallOptions): Promise<InstanceStatus[]>;

  /**
   * The instance's output: the last `tailLines` lines, then (with `follow`) new lines until the signal aborts, or
   * (with `untilExit`) until the instance has exited and all it wrote is read. Errors: `INSTANCE_NOT_FOUND`.
   */
  logs(
    instanceId: string,
    options: { tailLines: number; follow: boolean; signal?: AbortSignal; untilExit?: boolean },
  ): AsyncIterable<LogLine>;

  /**
   * What a running instance uses now; undefined when it is not running or the driver knows no such instance. Cheap
   * enough to call for every instance of an app on each `ps`.
   */
  stats(instanceId: string, options?: RuntimeCallOptions): Promise<InstanceStats | undefined>;

  /**
   * The TCP ports a running instance's processes listen on, ascending, read from the operating system; undefined when
   * the driver cannot tell (not running, unknown, or a runtime that does not look). Optional: drivers that cannot
   * look leave it out. Cheap enough to call while an instance starts.
   */
  listeningPorts?(instanceId: string, options?: RuntimeCallOptions): Promise<number[] | undefined>;

  /**
   * Runs a command in the instance's context (working directory and environment). Errors: `INSTANCE_NOT_FOUND`. The
   * command's own `timeoutMs` gives an exit code (124), not an error; `signal` is the deadline of the call itself.
   */
  exec(instanceId: string, command: string, options: RuntimeCallOptions & { timeoutMs: number }): Promise<ExecResult>;

  /**
   * Forgets an exited instance and deletes what it left (state), its logs kept for a while by drivers that implement
   * `retiredInstances`. Idempotent. Stops it first if it runs.
   */
  remove(instanceId: string, options?: RuntimeCallOptions): Promise<void>;

  /**
   * Removed instances whose logs are still kept (oldest first), for drivers that keep them: `logs()` of such an id
   * gives its last lines (never followed). Optional.
   */
  retiredInstances?(options?: RuntimeCallOptions): Promise<RetiredInstance[]>;
}
