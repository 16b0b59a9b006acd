/**
 * Gate runners by gate kind: the engine asks the runner of a step's gate, on every controller pass, whether the step
 * may be left. `healthy` and `pause` are here; the engine adds `analysis` and `approval`, and `CoreDeps.gateRunners`
 * may replace any. A gate whose kind has no runner fails the rollout (`GATE_UNSUPPORTED`).
 */
import type {
  Gate,
  GateContext,
  GateOutcome,
  GateRunner,
  ReleaseObservation,
  ReleaseTarget,
  RolloutObservation,
  RolloutRecord,
} from './rollout-model.js';
import { pairTargets } from './rollout-observation.js';

/** The runner of each gate kind; a kind left out (or undefined, to take a built-in one away) has none. */
export type GateRunnerRegistry = {
  readonly [K in Gate['kind']]?: GateRunner<Extract<Gate, { kind: K }>> | undefined;
};

/**
 * Whether what runs is the step's desired state: every target's instances healthy at its scale, and nothing else
 * left running or retiring (the stable release's instances a step no longer wants, leftovers of other releases).
 */
export function isDesiredStateReached(
  rollout: Pick<RolloutRecord, 'releaseId' | 'stableReleaseId'>,
  observation: RolloutObservation,
  targets: readonly ReleaseTarget[],
): boolean {
  if (observation.outside > 0) return false;
  const pair = pairTargets(rollout, targets);
  const sides: [ReleaseObservation | null, ReleaseTarget | undefined][] = [
    [observation.target, targets[pair.target]],
    [observation.stable, targets[pair.stable]],
  ];
  for (const [release, target] of sides) {
    if (release === null) continue;
    for (const [process, counts] of Object.entries(release.processes)) {
      const wanted = target?.scale[process] ?? 0;
      if (counts.live > wanted || (wanted === 0 && counts.retiring > 0)) return false;
    }
    for (const [process, wanted] of Object.entries(target?.scale ?? {}))
      if ((release.processes[process]?.healthy ?? 0) < wanted) return false;
  }
  return true;
}

/** `healthy`: passes once the step's desired state runs, healthy; never fails (crash loops and failed checks do). */
export const healthyGateRunner: GateRunner<{ kind: 'healthy' }> = {
  async evaluate(_gate, state, context: GateContext): Promise<GateOutcome> {
    const isReached = isDesiredStateReached(context.rollout, context.observation, context.targets);
    return { status: isReached ? 'passed' : 'pending', message: null, state };
  },
};

/**
 * `pause`: a duration counted with the control plane's clock from when the step started (a restart does not start
 * it again), or until promoted when the duration is null. Time paused by a user is not taken off: a user pause
 * holds the rollout on top of the step's own.
 */
export const pauseGateRunner: GateRunner<{ kind: 'pause'; durationMs: number | null }> = {
  async evaluate(gate, state, context): Promise<GateOutcome> {
    if (gate.durationMs === null) return { status: 'pending', message: 'paused until promoted', state };
    const elapsedMs = context.nowMs - context.rollout.stepStartedAtMs;
    return elapsedMs >= gate.durationMs
      ? { status: 'passed', message: null, state }
      : { status: 'pending', message: `paused for ${Math.ceil((gate.durationMs - elapsedMs) / 1000)} s more`, state };
  },
};

/** The built-in runners with the ones given on top (`analysis`, `approval`, or a replacement). */
export function createGateRunnerRegistry(extra: GateRunnerRegistry = {}): GateRunnerRegistry {
  return { healthy: healthyGateRunner, pause: pauseGateRunner, ...extra };
}

/** The runner of a gate, typed by its kind; undefined when none is registered. */
export function runnerOf<G extends Gate>(registry: GateRunnerRegistry, gate: G): GateRunner<G> | undefined {
  return registry[gate.kind] as GateRunner<G> | undefined;
}
