/**
 * The shape of progressive delivery: per app environment a persisted desired state (which releases run, how many
 * instances of each, which share of traffic each takes), and a rollout record that says which step of its strategy
 * a rollout is on. The reconciler converges instances and the routing table to the desired state; strategies decide
 * the next desired state; gates decide when a step may be left.
 */
import type { AnalysisSpec, ErrorCode, TrafficMatch } from '@slipway/contract';

export type StrategyType = 'recreate' | 'rolling' | 'blue-green' | 'canary';

/** One release that should run in an app environment. */
export interface ReleaseTarget {
  releaseId: string;
  releaseNumber: number;
  /** Instances wanted per process type (absent types: none). */
  scale: Record<string, number>;
  /**
   * Percent (0–100) of the routed requests matching no release's `matches`; the targets' weights add up to 100.
   * Null: by instance count, every healthy instance taking an equal share whatever its release (rolling, recreate:
   * the Kubernetes semantics, and the table an app had before rollouts were desired state).
   */
  weight: number | null;
  /** Requests matching any of these go to this release whatever the weights (header/cookie routing). */
  matches: TrafficMatch[];
  /** Also reachable on the app's preview host(s) (blue-green's new release before promotion). */
  isPreview: boolean;
}

/** What should run in one app environment; `version` guards it with optimistic concurrency. */
export interface DesiredStateRecord {
  appId: string;
  environmentId: string;
  targets: ReleaseTarget[];
  /** Cookie that keeps a client on the release it was sent to (the strategy's); null: no stickiness. */
  stickyCookie: string | null;
  version: number;
  updatedAtMs: number;
}

/**
 * `progressing`: working towards the next step; `paused`: waiting on a pause step, an approval, an inconclusive
 * analysis or a user (`pauseReason` says which); `healthy`: done, the new release is stable; `degraded`: failed
 * (progress deadline, crash loop, failed health) and stable serves; `aborted`: stopped by a failed analysis or a
 * user, stable serves and is the desired release again.
 */
export type RolloutPhase = 'progressing' | 'paused' | 'healthy' | 'degraded' | 'aborted';

export type PauseReason = 'step' | 'approval' | 'inconclusive-analysis' | 'manual' | 'blue-green-preview';

/** A request of a user on a rollout, persisted until the controller acts on it. */
export interface RolloutControl {
  /** `step`: leave the current pause/gate; `full`: skip every remaining step, pause and analysis. */
  promote: 'step' | 'full' | null;
  pause: boolean;
  abort: boolean;
  /** Who asked last, for the audit and the status. */
  by: string | null;
}

/** The persisted progress of one rollout: which step it is on and what its gates have measured. */
export interface RolloutRecord {
  id: string;
  deploymentId: string;
  appId: string;
  environmentId: string;
  /** The release being rolled out, and the one serving before (null on a first deploy). */
  releaseId: string;
  stableReleaseId: string | null;
  strategy: StrategyType;
  phase: RolloutPhase;
  pauseReason: PauseReason | null;
  /** Why it is paused, degraded or aborted, in words. */
  message: string | null;
  /** Why it is degraded or aborted, as a code (`CRASH_LOOP`, `PROGRESS_DEADLINE_EXCEEDED`, `ROLLOUT_ABORTED`…). */
  failureCode: ErrorCode | null;
  stepIndex: number;
  /** When the current step started (pause durations, gate timeouts count from it). */
  stepStartedAtMs: number;
  /** State of the current step's gate, owned by its gate runner (analysis measurements, approval request id). */
  gateState: unknown;
  control: RolloutControl;
  /** Progress deadline; not counted while paused. Null once the rollout is over. */
  deadlineAtMs: number | null;
  /** When the current pause began (the deadline moves on by the time paused when it ends); null unless paused. */
  pausedAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
  version: number;
}

/** What runs of one release, per process type. */
export interface ProcessObservation {
  /** Instances not retiring (starting, healthy, unhealthy, crashed). */
  live: number;
  healthy: number;
  /** Of the live ones: crash-looping or failing their check before ever being healthy. */
  broken: number;
  /** Out of the router and not yet stopped (draining, stopping): counted apart, never as live. */
  retiring: number;
}

export interface ReleaseObservation {
  releaseId: string;
  releaseNumber: number;
  processes: Record<string, ProcessObservation>;
}

/** What a strategy sees on each decision. */
export interface RolloutObservation {
  nowMs: number;
  /** The release rolled out and the one serving before it (null on a first deploy). */
  target: ReleaseObservation;
  stable: ReleaseObservation | null;
  /** Instances wanted per process type once the rollout is done (the environment's scale over the manifest's). */
  scale: Record<string, number>;
  /** The desired state in force. */
  current: readonly ReleaseTarget[];
  /** Instances of any other release, live or retiring (leftovers of an earlier rollout): the controller retires them. */
  outside: number;
}

/** What must hold before a step is left. */
export type Gate =
  /** Every instance the step wants is healthy (and, for rolling, old ones retired within bounds). */
  | { kind: 'healthy' }
  /**
   * Waits `durationMs`, or until promoted when null. While it waits the rollout is `paused` with `pauseReason`
   * (absent: `step`); `pauseReason: null` is a wait that is no pause (blue-green's scale-down delay): `progressing`.
   */
  | { kind: 'pause'; durationMs: number | null; pauseReason?: PauseReason | null }
  | { kind: 'analysis'; name: string; spec: AnalysisSpec }
  /** An approval request of the environment's policy (the same object a deployment's gate uses). */
  | { kind: 'approval'; timeoutMs: number | null };

export interface GateContext {
  rollout: RolloutRecord;
  app: { id: string; name: string };
  environment: { id: string; name: string };
  /** Release numbers the gate compares (canary vs stable). */
  targetReleaseNumber: number;
  stableReleaseNumber: number | null;
  nowMs: number;
  signal: AbortSignal;
  /** What runs now, and the desired state of the step the gate belongs to. */
  observation: RolloutObservation;
  targets: readonly ReleaseTarget[];
}

/** `passed`: leave the step; `failed`: abort the rollout; `inconclusive`: pause for a human (`message` says why). */
export interface GateOutcome {
  status: 'pending' | 'passed' | 'failed' | 'inconclusive';
  message: string | null;
  /** Persisted in `RolloutRecord.gateState` and handed back on the next evaluation. */
  state: unknown;
}

/** Evaluates one kind of gate, level-based: called on every controller tick while the step waits on it. */
export interface GateRunner<G extends Gate = Gate> {
  evaluate(gate: G, state: unknown, context: GateContext): Promise<GateOutcome>;
  /** The step is left (promoted, aborted): release what the gate holds (cancel an approval request…). Idempotent. */
  release?(gate: G, state: unknown, context: GateContext): Promise<void>;
}

/** One step as shown in status. */
export interface StepDescription {
  index: number;
  /** `setWeight 10`, `pause 5m`, `analysis success-rate`, `approval`, `switch`, … */
  label: string;
}

export interface StrategyDecision {
  /** The desired state for this step; the reconciler converges to it. */
  targets: ReleaseTarget[];
  /** What must hold before the next step; null: leave at once. */
  gate: Gate | null;
  /** This is the last step: once its gate passes the rollout is `healthy`. */
  isFinal: boolean;
}

/**
 * Decides the desired state of each step from what it observes. Pure: no I/O, no clock but the observation's; the
 * engine persists the step index, so a restarted control plane asks again at the same step and gets the same state.
 */
export interface RolloutStrategy {
  readonly type: StrategyType;
  /** Cookie keeping a client on the release it saw while weights split traffic; null (rolling, recreate): none. */
  readonly stickyCookie: string | null;
  steps(): StepDescription[];
  decide(stepIndex: number, observation: RolloutObservation): StrategyDecision;
  /** The desired state after an abort: everything back on stable (the new release kept warm or not). */
  aborted(observation: RolloutObservation): ReleaseTarget[];
}
