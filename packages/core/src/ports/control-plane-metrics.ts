/**
 * The control plane's measurement port: the core reports what it did (a phase ended, a deployment ended, a job run,
 * a reconcile pass, an instance restart) and how long it took; an adapter turns that into metrics. Optional in
 * `CoreDeps`: without it nothing is measured.
 */
import type { DeploymentPhase } from '@slipway/contract';

export interface ControlPlaneMetrics {
  /**
   * A deployment phase ended. `durationMs` runs from the phase's first start (a resumed phase counts from where it
   * first began) to its end; 0 for a skipped phase. Must not throw and must not block.
   */
  phaseFinished(event: { phase: DeploymentPhase; state: 'succeeded' | 'failed' | 'skipped'; durationMs: number }): void;
  /** A deployment reached a final state; `durationMs` from its creation to its end. Must not throw. */
  deploymentFinished(event: { kind: string; state: string; durationMs: number }): void;
  /**
   * One run of a deployment job ended: `finished` (the deployment is over), `interrupted` (back to the queue: a stop,
   * a lost lease) or `crashed` (back to the queue after an unexpected error). Must not throw.
   */
  jobRunFinished(event: { outcome: 'finished' | 'interrupted' | 'crashed'; durationMs: number }): void;
  /** One reconcile pass of one runtime ended, `failed` when it threw. Must not throw. */
  reconcilePassFinished(event: { runtime: string; outcome: 'succeeded' | 'failed'; durationMs: number }): void;
  /** The controller restarted a crashed instance (after its backoff). Names, never ids. Must not throw. */
  instanceRestarted(event: { app: string; environment: string; process: string }): void;
  /**
   * Hands over how to read the build queue: builds waiting for a slot and builds holding one. Read when metrics are
   * collected, so it must be cheap and must not throw.
   */
  observeBuildQueue(read: () => { waiting: number; running: number }): void;
}

/** Measures nothing: the default when no metrics adapter is wired. */
export const noControlPlaneMetrics: ControlPlaneMetrics = {
  phaseFinished: () => undefined,
  deploymentFinished: () => undefined,
  jobRunFinished: () => undefined,
  reconcilePassFinished: () => undefined,
  instanceRestarted: () => undefined,
  observeBuildQueue: () => undefined,
};
