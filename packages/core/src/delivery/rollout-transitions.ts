/**
 * The changes of a rollout record from one phase to another, pure: entering and leaving a pause (the progress
 * deadline moves on by the time paused), moving to the next step (the deadline starts again), ending healthy,
 * degraded or aborted. And the delivery events those transitions publish.
 */
import type { ErrorCode } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord, EnvironmentRecord } from '../domain/records.js';
import type { DeliveryEventKind } from './delivery-events.js';
import type { PauseReason, RolloutRecord } from './rollout-model.js';

const noControl = { promote: null, pause: false, abort: false } as const;

export function enterPause(
  rollout: RolloutRecord,
  reason: PauseReason,
  message: string | null,
  nowMs: number,
): RolloutRecord {
  return {
    ...rollout,
    phase: 'paused',
    pauseReason: reason,
    message,
    pausedAtMs: rollout.pausedAtMs ?? nowMs,
  };
}

/** Back to progressing; the deadline is not counted for the time paused. */
export function leavePause(rollout: RolloutRecord, nowMs: number): RolloutRecord {
  const pausedMs = rollout.pausedAtMs === null ? 0 : Math.max(0, nowMs - rollout.pausedAtMs);
  return {
    ...rollout,
    phase: 'progressing',
    pauseReason: null,
    message: null,
    pausedAtMs: null,
    deadlineAtMs: rollout.deadlineAtMs === null ? null : rollout.deadlineAtMs + pausedMs,
  };
}

/** The next step starts now, with the whole progress deadline before it. */
export function nextStep(rollout: RolloutRecord, nowMs: number, deadlineMs: number): RolloutRecord {
  return {
    ...leavePause(rollout, nowMs),
    stepIndex: rollout.stepIndex + 1,
    stepStartedAtMs: nowMs,
    gateState: null,
    deadlineAtMs: nowMs + deadlineMs,
    control: { ...rollout.control, promote: rollout.control.promote === 'full' ? 'full' : null },
  };
}

export function finishHealthy(rollout: RolloutRecord, nowMs: number): RolloutRecord {
  return {
    ...rollout,
    phase: 'healthy',
    pauseReason: null,
    message: null,
    failureCode: null,
    deadlineAtMs: null,
    pausedAtMs: null,
    finishedAtMs: nowMs,
    control: { ...rollout.control, ...noControl },
  };
}

/** `degraded` (it failed on its own: crash loop, health, deadline) or `aborted` (analysis, a user). */
export function finishFailed(
  rollout: RolloutRecord,
  phase: 'degraded' | 'aborted',
  code: ErrorCode,
  message: string,
  nowMs: number,
): RolloutRecord {
  return {
    ...rollout,
    phase,
    pauseReason: null,
    message,
    failureCode: code,
    deadlineAtMs: null,
    pausedAtMs: null,
    finishedAtMs: nowMs,
    control: { ...rollout.control, ...noControl },
  };
}

/** Publishes what changed between two versions of a rollout: it paused, or it ended degraded or aborted. */
export function publishTransition(
  deps: Pick<CoreDeps, 'deliveryEvents' | 'ids'>,
  scope: { app: AppRecord; environment: EnvironmentRecord; releaseNumber: number },
  before: RolloutRecord,
  after: RolloutRecord,
  nowMs: number,
): void {
  let kind: DeliveryEventKind | undefined;
  let message = '';
  const what = `${scope.app.name} (${scope.environment.name}) release ${scope.releaseNumber}`;
  if (after.phase === 'paused' && (before.phase !== 'paused' || before.pauseReason !== after.pauseReason)) {
    kind = 'rollout.paused';
    message = `rollout of ${what} paused (${after.pauseReason ?? 'step'})${after.message === null ? '' : `: ${after.message}`}`;
  } else if ((after.phase === 'aborted' || after.phase === 'degraded') && before.phase !== after.phase) {
    kind = 'rollout.aborted';
    message = `rollout of ${what} ${after.phase}: ${after.message ?? after.failureCode ?? 'aborted'}; the stable release serves`;
  }
  if (kind === undefined) return;
  deps.deliveryEvents?.publish({
    id: deps.ids.next('dev'),
    kind,
    projectId: scope.app.projectId,
    environmentId: scope.environment.id,
    appId: scope.app.id,
    app: scope.app.name,
    environment: scope.environment.name,
    deploymentId: after.deploymentId,
    releaseNumber: scope.releaseNumber,
    message,
    atMs: nowMs,
  });
}
