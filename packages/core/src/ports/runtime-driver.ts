/** The runtime port: starts, stops and observes instances (child processes, containers, tasks). */

export interface InstanceSpec {
  /** Slipway's id for the instance; the driver keys everything on it. */
  instanceId: string;
  /** Labels recorded with the instance (app, environment, release, process, deployment) so it can be re-adopted. */
  labels: Readonly<Record<string, string>>;
  /** Shell command line, run with `/bin/sh -c`. */
  command: string;
  /** Absolute path of the release artifact; the instance's working directory. */
  workDir: string;
  /** Environment variables; the driver adds `PORT` (and keeps `PATH` when not given). */
  env: Readonly<Record<string, string>>;
  /** Time between the polite stop signal and the forced kill, when stopped. */
  stopGraceMs: number;
}

export interface InstanceStatus {
  instanceId: string;
  labels: Readonly<Record<string, string>>;
  state: 'running' | 'exited';
  /** OS process id of the instance's main process; null where the runtime has none. */
  pid: number | null;
  /** Address the instance listens on for traffic (`PORT`), reachable from the edge router. */
  host: string;
  port: number;
  startedAtMs: number;
  /** Exit code once exited; null while running or when unknown (e.g. exited while the control plane was down). */
  exitCode: number | null;
  /** Signal name when killed by a signal. */
  exitSignal: string | null;
  exitedAtMs: number | null;
}

export interface RuntimeCapabilities {
  /** Instances keep running when the control plane process dies, and `list()` finds them again. */
  readonly survivesControlPlaneRestart: boolean;
  /** Memory/CPU limits are enforced. */
  readonly enforcesResourceLimits: boolean;
  /** `exec()` is available (exec health checks). */
  readonly supportsExec: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface ExecResult {
  exitCode: number;
  /** Combined stdout and stderr, truncated to a few KiB. */
  output: string;
}

export interface RuntimeDriver {
  readonly capabilities: RuntimeCapabilities;

  /**
   * Starts an instance and returns once its process exists (not once it is healthy).
   * Errors: `START_FAILED` (work dir missing, command cannot run), `PORT_UNAVAILABLE` (no free port in range).
   * Not idempotent: starting an id that is running fails with `START_FAILED`.
   */
  start(spec: InstanceSpec): Promise<InstanceStatus>;

  /**
   * Stops an instance: polite signal, then a forced kill after `graceMs` (default: the spec's `stopGraceMs`).
   * Idempotent: stopping an exited or unknown instance resolves.
   */
  stop(instanceId: string, options?: { graceMs?: number }): Promise<void>;

  /** The current status, or undefined when the driver knows no such instance. */
  inspect(instanceId: string): Promise<InstanceStatus | undefined>;

  /** Every instance the driver knows, running or exited, including ones started by an earlier control plane process. */
  list(): Promise<InstanceStatus[]>;

  /**
   * The instance's output: the last `tailLines` lines, then (with `follow`) new lines until the signal aborts.
   * Errors: `INSTANCE_NOT_FOUND`.
   */
  logs(
    instanceId: string,
    options: { tailLines: number; follow: boolean; signal?: AbortSignal },
  ): AsyncIterable<LogLine>;

  /** Runs a command in the instance's context (working directory and environment). Errors: `INSTANCE_NOT_FOUND`. */
  exec(instanceId: string, command: string, options: { timeoutMs: number }): Promise<ExecResult>;

  /** Forgets an exited instance and deletes what it left (log files, state). Idempotent. Stops it first if it runs. */
  remove(instanceId: string): Promise<void>;
}
