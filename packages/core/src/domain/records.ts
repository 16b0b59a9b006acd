/** Persisted records of the domain; times are epoch milliseconds. */
import type {
  DeploymentPhase,
  DeploymentState,
  ErrorCode,
  InstanceState,
  Manifest,
  SourceView,
} from '@slipway/contract';
import type { ResourceLimits } from '../ports/runtime-driver.js';
import type { SourceRequest } from '../ports/source-fetcher.js';

export interface ProjectRecord {
  id: string;
  name: string;
  createdAtMs: number;
}

export interface EnvironmentRecord {
  id: string;
  projectId: string;
  name: string;
  createdAtMs: number;
}

export interface AppRecord {
  id: string;
  projectId: string;
  name: string;
  createdAtMs: number;
}

/** Desired state of one app in one environment; `version` guards it with optimistic concurrency. */
export interface AppEnvironmentRecord {
  appId: string;
  environmentId: string;
  currentReleaseId: string | null;
  /** Process type → desired replicas, set by `scale`; types absent here use the manifest's or 1 for `web`. */
  scale: Record<string, number>;
  config: Record<string, string>;
  /** `stopped` by `slipway stop`: no instance runs, and the controller starts none until `slipway start`. */
  runState: 'running' | 'stopped';
  /** Set by `slipway maintenance on`: the edge answers the app's routes with its maintenance page. */
  maintenance: MaintenanceSettings | null;
  version: number;
  updatedAtMs: number;
}

/** How the edge answers an app in maintenance (on, or stopped): 503, `Retry-After`, a page. */
export interface MaintenanceSettings {
  retryAfterSeconds: number;
  /** The HTML page to serve; null: the edge's own page. */
  page: string | null;
}

export interface ReleaseRecord {
  id: string;
  appId: string;
  environmentId: string;
  /** 1, 2, 3 … per app and environment. */
  number: number;
  artifactDir: string;
  builder: string;
  source: SourceView;
  /** Final process commands (builder + Procfile + manifest), each after the builder's `runtimePrefix`. */
  processes: Record<string, { command: string }>;
  /**
   * The shell prefix the builder declared for every command run in the release (`PATH` to its installed tools,
   * `NODE_ENV`…): already before each process command, put before one-off commands too; null when none.
   */
  runtimePrefix: string | null;
  /** The manifest as validated, with defaults. */
  manifest: Manifest;
  /** Config snapshot: manifest env merged under the app's config (`configVars`). */
  config: Record<string, string>;
  /**
   * The app environment's config vars the release was made with: what `config list` shows while it is current, and
   * what a rollback to it restores.
   */
  configVars: Record<string, string>;
  createdAtMs: number;
  /** The image the release runs, pinned by its id; null when it runs its artifact directory. */
  image: ReleaseImage | null;
}

/** A container image as a release records it: what was asked for, and the immutable id it resolved to. */
export interface ReleaseImage {
  /** The reference as built or given (`slipway-…/web:dep_…`, `local/busybox:latest`). */
  reference: string;
  /** The image id (`sha256:…`): what instances run, so a moved tag never changes a release. */
  digest: string;
}

/** `restart`: new instances of the current release replace the running ones, the strategy's way (`slipway restart`). */
export type DeploymentKind = 'deploy' | 'rollback' | 'config' | 'restart';

export interface DeploymentFailure {
  phase: DeploymentPhase;
  code: ErrorCode;
  reason: string;
}

/** A user's request to stop a deployment, persisted so it outlives a restart of the process running it. */
export interface DeploymentCancellation {
  /** The user who asked (the audit actor's name). */
  by: string;
  requestedAtMs: number;
}

export type DeploymentSource =
  | SourceRequest
  /** Rollback or config change: reuse an existing release's artifact. */
  | { kind: 'release'; releaseId: string };

export interface DeploymentRecord {
  id: string;
  appId: string;
  environmentId: string;
  kind: DeploymentKind;
  state: DeploymentState;
  phase: DeploymentPhase | null;
  source: DeploymentSource;
  /** Description of the fetched source (git commit …), once known. */
  sourceView: SourceView | null;
  releaseId: string | null;
  previousReleaseId: string | null;
  /** For `config` deployments: the config to snapshot into the new release. */
  config: Record<string, string> | null;
  failure: DeploymentFailure | null;
  /** Set once a cancel is requested; written only by `DeploymentRepository.requestCancellation`. */
  cancellation: DeploymentCancellation | null;
  /** The user who asked for it (an approval's author, who may not approve it); absent when unknown. */
  requestedBy?: string;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
}

export interface PhaseRecord {
  deploymentId: string;
  /** Order within the deployment, from 1. */
  seq: number;
  phase: DeploymentPhase;
  state: 'running' | 'succeeded' | 'failed' | 'skipped';
  startedAtMs: number;
  finishedAtMs: number | null;
  detail: string | null;
}

export interface InstanceRecord {
  id: string;
  appId: string;
  environmentId: string;
  releaseId: string;
  deploymentId: string | null;
  process: string;
  state: InstanceState;
  host: string | null;
  port: number | null;
  pid: number | null;
  restarts: number;
  lastExitCode: number | null;
  startedAtMs: number | null;
  /** When it last passed its health check; null until then. */
  healthyAtMs: number | null;
  /** Earliest time of the next restart (backoff). */
  restartAfterMs: number | null;
  updatedAtMs: number;
  /** The runtime driver that runs it (a name of the configured runtimes). */
  runtime: string;
  /** Limits the runtime enforces on it, as it reported them at start; null when none. */
  limits: ResourceLimits | null;
  /** Why it last exited, when the runtime said: `oom-killed` for going over its memory limit. */
  lastExitReason: 'oom-killed' | null;
}

export interface RouteRecord {
  id: string;
  appId: string;
  environmentId: string;
  host: string;
  pathPrefix: string;
  process: string;
  timeoutMs: number | null;
  origin: 'default' | 'manifest';
}

/** Who may route on a host: one project (see `host-ownership.ts`). */
export interface HostClaimRecord {
  /** A hostname, or `*.` and one for every host under it. */
  host: string;
  projectId: string;
  /** `default`: an app's own host; `first-use`: claimed by a deployment's routes; `granted`: by an admin. */
  origin: 'default' | 'first-use' | 'granted';
  /** The app whose default host it is; the claim goes with the app. */
  appId: string | null;
  createdAtMs: number;
}

export type EventType = 'phase' | 'log' | 'state';

export interface EventRecord {
  /** Global, increasing; assigned by the store. */
  seq: number;
  deploymentId: string;
  type: EventType;
  /** The event's fields as in `DeploymentEvent` without `seq`/`type`/`at`. */
  payload: Record<string, unknown>;
  atMs: number;
}

export interface JobRecord {
  id: string;
  kind: 'deployment';
  deploymentId: string;
  state: 'queued' | 'leased' | 'done' | 'failed';
  attempts: number;
  leaseOwner: string | null;
  leaseUntilMs: number | null;
  runAfterMs: number;
  lastError: string | null;
  createdAtMs: number;
}

/**
 * Who holds a job and at which attempt: every lease increments `attempts`, so a run that lost its lease (to another
 * worker, or to itself after a stall) is told apart from the run holding it now, and every write it makes is fenced.
 */
export interface JobLease {
  jobId: string;
  owner: string;
  attempt: number;
}
