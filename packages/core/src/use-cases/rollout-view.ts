/** Builds the status model of a rollout (`RolloutView`): phase, pause reason, steps, the weights in force. */
import type { RolloutView, TrafficMatch } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { toAnalysisView } from '../delivery/analysis-view.js';
import { resolveEnvironmentStrategy } from '../delivery/environment-strategy.js';
import type { Gate, ReleaseTarget, RolloutRecord, RolloutStrategy } from '../delivery/rollout-model.js';
import { strategyFor } from '../delivery/strategy-for.js';
import type { AppRecord, EnvironmentRecord, InstanceRecord, ReleaseRecord } from '../domain/records.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function describeMatch(match: TrafficMatch): string {
  return 'header' in match
    ? `header ${match.header} ${match.kind ?? 'exact'} ${match.value}`
    : `cookie ${match.cookie}=${match.value}`;
}

/** The pending control as the status names it: what a user asked that the controller has not acted on yet. */
function pendingControlOf(rollout: RolloutRecord): RolloutView['pendingControl'] {
  if (rollout.phase !== 'progressing' && rollout.phase !== 'paused') return null;
  if (rollout.control.abort) return 'abort';
  if (rollout.control.promote === 'full') return 'promote-full';
  if (rollout.control.promote === 'step') return 'promote';
  if (rollout.control.pause && !(rollout.phase === 'paused' && rollout.pauseReason === 'manual')) return 'pause';
  return null;
}

/** The approval request id a gate's state holds (the approval gate keeps it as `requestId`). */
function approvalRequestIdOf(gate: Gate | null, gateState: unknown): string | null {
  if (gate?.kind !== 'approval' || typeof gateState !== 'object' || gateState === null) return null;
  const id = (gateState as { requestId?: unknown }).requestId;
  return typeof id === 'string' ? id : null;
}

/** The gate of the step a rollout is on: strategies are pure, and a step's gate does not depend on what runs. */
function currentGate(
  strategy: RolloutStrategy,
  rollout: RolloutRecord,
  release: ReleaseRecord,
  stable: ReleaseRecord | undefined,
  current: readonly ReleaseTarget[],
): Gate | null {
  const side = (r: ReleaseRecord) => ({ releaseId: r.id, releaseNumber: r.number, processes: {} });
  return strategy.decide(rollout.stepIndex, {
    nowMs: rollout.updatedAtMs,
    target: side(release),
    stable: stable === undefined ? null : side(stable),
    scale: {},
    current,
    outside: 0,
  }).gate;
}

/**
 * Weights in force: a target's exact percentage, or — weights by instance count (rolling, recreate) — its share of
 * the healthy instances, rounded.
 */
function weightsOf(targets: readonly ReleaseTarget[], instances: readonly InstanceRecord[]): RolloutView['weights'] {
  const healthyOf = (t: ReleaseTarget): number =>
    instances.filter((i) => i.releaseId === t.releaseId && i.state === 'healthy').length;
  const healthy = targets.reduce((sum, t) => sum + healthyOf(t), 0);
  return targets.map((t) => ({
    releaseNumber: t.releaseNumber,
    weight: t.weight ?? (healthy === 0 ? 0 : Math.round((healthyOf(t) / healthy) * 100)),
    instances: { ...t.scale },
    matches: t.matches.map(describeMatch),
    isPreview: t.isPreview,
  }));
}

export async function buildRolloutView(
  deps: Pick<CoreDeps, 'store'>,
  scope: { app: AppRecord; environment: EnvironmentRecord },
  rollout: RolloutRecord,
): Promise<RolloutView> {
  const { store } = deps;
  const release = await store.releases.findById(rollout.releaseId);
  const stable = rollout.stableReleaseId === null ? undefined : await store.releases.findById(rollout.stableReleaseId);
  const desired = await store.desiredStates.find(rollout.appId, rollout.environmentId);
  const instances = await store.instances.list({ appId: rollout.appId, environmentId: rollout.environmentId });
  const strategy =
    release === undefined ? undefined : strategyFor(await resolveEnvironmentStrategy(store, rollout, release.manifest));
  const steps = strategy?.steps() ?? [];
  const isActive = rollout.phase === 'progressing' || rollout.phase === 'paused';
  const gate =
    strategy === undefined || release === undefined
      ? null
      : currentGate(strategy, rollout, release, stable, desired?.targets ?? []);
  return {
    id: rollout.id,
    app: scope.app.name,
    environment: scope.environment.name,
    deploymentId: rollout.deploymentId,
    strategy: rollout.strategy,
    releaseNumber: release?.number ?? 0,
    stableReleaseNumber: stable?.number ?? null,
    phase: rollout.phase,
    pauseReason: rollout.pauseReason,
    message: rollout.message,
    currentStep: rollout.stepIndex,
    steps: steps.map((s) => ({ index: s.index, label: s.label })),
    weights: weightsOf(desired?.targets ?? [], instances),
    // The current step's analysis; once the rollout is over, the last one run (its state stays with the record).
    analysis: gate?.kind === 'analysis' ? toAnalysisView(gate.name, gate.spec, rollout.gateState) : null,
    approvalRequestId: isActive ? approvalRequestIdOf(gate, rollout.gateState) : null,
    pendingControl: pendingControlOf(rollout),
    startedAt: iso(rollout.createdAtMs),
    updatedAt: iso(rollout.updatedAtMs),
    finishedAt: rollout.finishedAtMs === null ? null : iso(rollout.finishedAtMs),
  };
}
