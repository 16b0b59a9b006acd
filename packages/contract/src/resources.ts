/** Wire shapes of the resources the API returns. Times are ISO-8601 strings. */
import { z } from 'zod';
import { errorCodes } from './error-code.js';

export const deploymentPhases = ['fetch', 'build', 'release', 'rollout', 'finalize'] as const;
export type DeploymentPhase = (typeof deploymentPhases)[number];

export const deploymentStates = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type DeploymentState = (typeof deploymentStates)[number];

export const instanceStates = [
  'starting',
  'healthy',
  'unhealthy',
  'draining',
  'stopping',
  'stopped',
  'crashed',
] as const;
export type InstanceState = (typeof instanceStates)[number];

export const projectSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type ProjectView = z.infer<typeof projectSchema>;

export const appSchema = z.object({
  id: z.string(),
  name: z.string(),
  project: z.string(),
  createdAt: z.string(),
  environments: z.array(
    z.object({
      name: z.string(),
      currentRelease: z.number().int().nullable(),
      scale: z.record(z.string(), z.number().int()),
      routes: z.array(z.object({ host: z.string(), path: z.string(), process: z.string() })),
      instances: z.object({
        total: z.number().int(),
        healthy: z.number().int(),
        /** Instances reported as crash-looping (see `instanceSchema.crashLoop`). */
        crashLooping: z.number().int().optional(),
      }),
    }),
  ),
});
export type AppView = z.infer<typeof appSchema>;

export const sourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string() }),
  z.object({ kind: z.literal('git'), url: z.string(), ref: z.string().optional(), commit: z.string().optional() }),
  z.object({ kind: z.literal('archive'), fileName: z.string(), sizeBytes: z.number().int() }),
  z.object({ kind: z.literal('release'), releaseNumber: z.number().int() }),
  z.object({ kind: z.literal('image'), image: z.string() }),
]);
export type SourceView = z.infer<typeof sourceSchema>;

export const releaseSchema = z.object({
  id: z.string(),
  app: z.string(),
  environment: z.string(),
  number: z.number().int(),
  builder: z.string(),
  source: sourceSchema,
  processes: z.record(z.string(), z.object({ command: z.string() })),
  configKeys: z.array(z.string()),
  isCurrent: z.boolean(),
  createdAt: z.string(),
  /** The image it runs, pinned by id (`digest`); null when it runs its artifact directory. */
  image: z.object({ reference: z.string(), digest: z.string() }).nullable().optional(),
  /** `sha256:` of its config snapshot (keys and values, canonical JSON): two releases with one hash run one config. */
  configHash: z.string().optional(),
  /**
   * Names (never values) of the config keys added, removed or changed from the release it replaced (live when its
   * deployment began; else the one numbered before it).
   */
  changedConfigKeys: z.array(z.string()).optional(),
  /** Names of the config keys whose value differs from the current release's (what a rollback to it changes). */
  configKeysDifferingFromCurrent: z.array(z.string()).optional(),
  /** The deployment that made it: its id, kind, outcome and who asked for it (absent for a release older than it). */
  madeBy: z
    .object({
      deploymentId: z.string(),
      kind: z.string(),
      state: z.enum(deploymentStates),
      requestedBy: z.string().nullable(),
    })
    .nullable()
    .optional(),
});
export type ReleaseView = z.infer<typeof releaseSchema>;

export const phaseRecordSchema = z.object({
  phase: z.enum(deploymentPhases),
  state: z.enum(['running', 'succeeded', 'failed', 'skipped']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  detail: z.string().nullable(),
});
export type PhaseRecordView = z.infer<typeof phaseRecordSchema>;

export const deploymentSchema = z.object({
  id: z.string(),
  app: z.string(),
  environment: z.string(),
  kind: z.enum(['deploy', 'rollback', 'config', 'restart']),
  state: z.enum(deploymentStates),
  phase: z.enum(deploymentPhases).nullable(),
  source: sourceSchema,
  releaseNumber: z.number().int().nullable(),
  previousReleaseNumber: z.number().int().nullable(),
  failure: z.object({ phase: z.enum(deploymentPhases), code: z.enum(errorCodes), reason: z.string() }).nullable(),
  /** Set once a user asked to cancel it: who, and when (the state says whether it has stopped yet). */
  cancellation: z.object({ by: z.string(), requestedAt: z.string() }).nullable().optional(),
  phases: z.array(phaseRecordSchema),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type DeploymentView = z.infer<typeof deploymentSchema>;

export const instanceSchema = z.object({
  id: z.string(),
  app: z.string(),
  environment: z.string(),
  releaseNumber: z.number().int(),
  process: z.string(),
  state: z.enum(instanceStates),
  port: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  restarts: z.number().int(),
  lastExitCode: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  /** The runtime running it: `process`, `docker` or `swarm`. */
  runtime: z.string().optional(),
  /** The limits its runtime enforces (memory in bytes, CPUs, processes); null when none. */
  limits: z
    .object({ memoryBytes: z.number().optional(), cpus: z.number().optional(), pids: z.number().optional() })
    .nullable()
    .optional(),
  /** What it uses now (memory and its limit in bytes, CPUs, processes); null when not running or not measurable. */
  usage: z
    .object({
      memoryBytes: z.number(),
      memoryLimitBytes: z.number().optional(),
      cpus: z.number(),
      pids: z.number().int(),
    })
    .nullable()
    .optional(),
  /** Why it last exited, when known: `oom-killed` when it went over its memory limit. */
  lastExitReason: z.enum(['oom-killed']).nullable().optional(),
  /**
   * Set while the instance is in a crash loop (`CrashLoop`): it has exited the crash-loop threshold of times and
   * not served since its last restart. The controller keeps restarting it with a capped exponential backoff.
   */
  crashLoop: z
    .object({
      reason: z.literal('CrashLoop'),
      /** Times it has exited. */
      exits: z.number().int(),
      lastExitCode: z.number().int().nullable(),
      /** When the controller restarts it next, while it is down. */
      nextRestartAt: z.string().nullable(),
      /** Its last output lines (both streams), oldest first. */
      logTail: z.array(z.string()),
      /** The first line of its recent output that names an error, when `logTail` does not hold it (above a stack trace). */
      firstError: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type InstanceView = z.infer<typeof instanceSchema>;

/** One item of a deployment's event stream (SSE `event:` is the `type`). */
export const deploymentEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('phase'),
    seq: z.number().int(),
    at: z.string(),
    phase: z.enum(deploymentPhases),
    state: phaseRecordSchema.shape.state,
    detail: z.string().nullable(),
  }),
  z.object({ type: z.literal('log'), seq: z.number().int(), at: z.string(), line: z.string() }),
  z.object({
    type: z.literal('state'),
    seq: z.number().int(),
    at: z.string(),
    state: z.enum(deploymentStates),
    failure: deploymentSchema.shape.failure,
    /** On a `cancelled` state: the user who cancelled it. */
    cancelledBy: z.string().optional(),
  }),
]);
export type DeploymentEvent = z.infer<typeof deploymentEventSchema>;

export const logLineSchema = z.object({
  /**
   * The line's id in the persisted log (grows with each line stored; resume after it with `after` or SSE
   * `Last-Event-ID`); absent on lines read live from the runtime.
   */
  id: z.number().int().min(1).optional(),
  /** `app`: an instance's output; `deploy`: a deployment's (its id in `instanceId`). Persisted log only. */
  source: z.enum(['app', 'deploy']).optional(),
  /** The environment's name. Persisted log only. */
  environment: z.string().optional(),
  instanceId: z.string(),
  process: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  line: z.string(),
  /** When it was written (ISO 8601, ms), as well as the runtime knows it: see the logs section of the README. */
  time: z.string(),
});
export type LogLineView = z.infer<typeof logLineSchema>;

export const statusSchema = z.object({
  version: z.string(),
  nodeName: z.string(),
  startedAt: z.string(),
  api: z.string(),
  edge: z.object({
    address: z.string(),
    isRunning: z.boolean(),
    pid: z.number().int().nullable(),
    routes: z.number().int(),
  }),
  /** The runtimes this slipwayd runs instances on (`process`, and `docker`/`swarm` when it has an engine). */
  runtimes: z.array(z.string()).optional(),
  /** How process instances and builds are isolated: `sandbox` (each project as its own user), or `none` and why. */
  isolation: z.object({ mode: z.enum(['sandbox', 'none']), reason: z.string().optional() }).optional(),
  apps: z.array(
    z.object({
      name: z.string(),
      environment: z.string(),
      currentRelease: z.number().int().nullable(),
      /** Where the current release's web (or first) process runs, and the limits it runs under; null without a release. */
      runtime: z.string().nullable().optional(),
      limits: z
        .object({ memoryBytes: z.number().optional(), cpus: z.number().optional(), pids: z.number().optional() })
        .nullable()
        .optional(),
      instances: z.object({
        total: z.number().int(),
        healthy: z.number().int(),
        crashLooping: z.number().int().optional(),
      }),
      lastDeployment: z.object({ id: z.string(), state: z.enum(deploymentStates) }).nullable(),
    }),
  ),
});
export type StatusView = z.infer<typeof statusSchema>;
