/**
 * Failpoints: named places in a deployment's run where a test may delay, hold or fail it, so a crash can be placed
 * *at* a phase deterministically (a testing facility, like etcd's gofail). Production runs have no hook; the
 * composition root builds one from `SLIPWAY_FAILPOINTS` when that is set.
 */
/** The failpoints of a deployment's run, in the order a run meets them. */
export const deploymentFailpointNames = [
  // After the phase is journaled as running (deployment.phase saved, phase record written), before its work.
  'start:fetch',
  'start:build',
  'start:release',
  'start:rollout',
  'start:finalize',
  // After the phase's work, before it is journaled as succeeded.
  'end:fetch',
  'end:build',
  'end:release',
  'end:rollout',
  'end:finalize',
  // Inside release: the artifact is moved under releases/, the release record is not written yet.
  'release:promoted',
  // Inside rollout: after each step that started or retired instances.
  'rollout:step',
  // A cancelled run about to stop: the cancel request is stored, nothing is undone or written yet.
  'cancel:stopping',
] as const;

/** The webhook inbox's (their `deploymentId` names the delivery): leased, before its events are handed over; after. */
export const webhookFailpointNames = ['webhook:handle', 'webhook:handled'] as const;

export const failpointNames = [...deploymentFailpointNames, ...webhookFailpointNames] as const;

export type FailpointName = (typeof failpointNames)[number];

export interface FailpointContext {
  readonly deploymentId: string;
  /** The run's signal: an action that holds the run must end (throwing the abort reason) when it aborts. */
  readonly signal: AbortSignal;
}

/**
 * Evaluated at each failpoint; resolves to let the run go on, may take its time first, and may throw to fail or
 * interrupt the run there. Must be cheap when the point is not configured.
 */
export type Failpoint = (name: FailpointName, context: FailpointContext) => Promise<void>;

export function isFailpointName(name: string): name is FailpointName {
  return (failpointNames as readonly string[]).includes(name);
}
