/**
 * A deployment's rollout phase: it creates the rollout (its record and the app environment's desired state, in one
 * transaction) and follows it until it ends; the controller advances it (`delivery/rollout-engine.ts`). What the
 * controller does to instances is told in the deployment's log. A resumed run finds its rollout where it was.
 */
import { countNoun, SlipwayError, type Strategy } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { InstanceScope } from '../controller/fleet.js';
import { scaleOf, steadyTargets } from '../delivery/desired-state.js';
import type { RolloutRecord } from '../delivery/rollout-model.js';
import { isLiveInstance, sideOf } from '../delivery/rollout-observation.js';
import { finishFailed } from '../delivery/rollout-transitions.js';
import { resolveEnvironmentStrategy } from '../delivery/environment-strategy.js';
import { strategyFor } from '../delivery/strategy-for.js';
import type { InstanceRecord, ReleaseRecord } from '../domain/records.js';

/** How often the run reads its rollout's progress. */
const followIntervalMs = 200;

export interface RolloutRequest {
  scope: InstanceScope;
  release: ReleaseRecord;
  deploymentId: string;
  scale: Readonly<Record<string, number>>;
  /** A rollback to a retained release: every step, pause and analysis skipped (`promote --full` from the start). */
  isFastTracked?: boolean;
  log: (line: string) => void;
  signal: AbortSignal;
}

/** The deployment's rollout, created when it has none yet. Another rollout of the app environment still active is aborted. */
export async function ensureRollout(deps: CoreDeps, request: RolloutRequest): Promise<RolloutRecord> {
  const { store, clock } = deps;
  const existing = await store.rollouts.findByDeployment(request.deploymentId);
  if (existing !== undefined) return existing;
  const { app, environment } = request.scope;
  const now = clock.nowMs();
  const strategy = await resolveEnvironmentStrategy(
    store,
    { appId: app.id, environmentId: environment.id },
    request.release.manifest,
  );
  return store.transaction(async (tx) => {
    const appEnvironment = await tx.appEnvironments.find(app.id, environment.id);
    const stableReleaseId = appEnvironment?.currentReleaseId ?? null;
    const other = await tx.rollouts.findActive(app.id, environment.id);
    if (other !== undefined)
      await tx.rollouts.update(
        finishFailed(other, 'aborted', 'ROLLOUT_ABORTED', `superseded by deployment ${request.deploymentId}`, now),
      );
    const record: RolloutRecord = {
      id: deps.ids.next('rol'),
      deploymentId: request.deploymentId,
      appId: app.id,
      environmentId: environment.id,
      releaseId: request.release.id,
      stableReleaseId,
      strategy: strategy.type,
      phase: 'progressing',
      pauseReason: null,
      message: null,
      failureCode: null,
      stepIndex: 0,
      stepStartedAtMs: now,
      gateState: null,
      control: { promote: request.isFastTracked === true ? 'full' : null, pause: false, abort: false, by: null },
      deadlineAtMs: now + strategy.progressDeadlineSeconds * 1000,
      pausedAtMs: null,
      createdAtMs: now,
      updatedAtMs: now,
      finishedAtMs: null,
      version: 1,
    };
    await tx.rollouts.insert(record);
    // The desired state in force when the rollout starts: the stored one, else the stable release's steady state.
    if ((await tx.desiredStates.find(app.id, environment.id)) === undefined) {
      const stable = stableReleaseId === null ? undefined : await tx.releases.findById(stableReleaseId);
      await tx.desiredStates.put({
        appId: app.id,
        environmentId: environment.id,
        targets: stable === undefined ? [] : steadyTargets(stable, appEnvironment?.scale ?? {}),
        stickyCookie: null,
        version: 0,
        updatedAtMs: now,
      });
    }
    return record;
  });
}

/**
 * Creates the rollout and waits until it ends: resolves once it is `healthy`; throws its coded reason when it ends
 * `degraded` or `aborted` (`CRASH_LOOP`, `HEALTH_CHECK_FAILED`, `PORT_MISMATCH`, `PROGRESS_DEADLINE_EXCEEDED`,
 * `ROLLOUT_ABORTED`…). Aborting `signal` stops the wait (the rollout goes on; the caller abandons it on a cancel).
 */
export async function runRollout(deps: CoreDeps, request: RolloutRequest): Promise<void> {
  const { store, clock } = deps;
  const { release } = request;
  const scale = scaleOf(release, request.scale);
  const strategy = await resolveEnvironmentStrategy(
    store,
    { appId: request.scope.app.id, environmentId: request.scope.environment.id },
    release.manifest,
  );
  const startedAtMs = clock.nowMs();
  const rollout = await ensureRollout(deps, request);
  // A resumed run does not tell again what happened before it looked.
  const isResumed = rollout.createdAtMs < startedAtMs;
  request.log(
    `rolling out release ${release.number} (${strategy.type}): ${Object.entries(scale)
      .map(([process, replicas]) => `${process}×${replicas}`)
      .join(', ')}`,
  );
  const known = new Map<string, InstanceRecord>();
  const tellProgress = progressTeller(request, strategy);
  for (let isFirst = true; ; isFirst = false) {
    request.signal.throwIfAborted();
    const current = (await store.rollouts.findById(rollout.id)) ?? rollout;
    const instances = await store.instances.list({
      appId: request.scope.app.id,
      environmentId: request.scope.environment.id,
    });
    const changes = describeChanges(current, known, instances, isFirst && isResumed);
    for (const line of changes) {
      request.log(line);
      // One line at a time, as they happened: readers following the log get each as it is stored.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    for (const line of tellProgress(current)) request.log(line);
    if (changes.some((line) => line.startsWith('started') || line.startsWith('retiring')))
      await deps.failpoint?.('rollout:step', { deploymentId: request.deploymentId, signal: request.signal });
    if (current.phase === 'healthy') return;
    if (current.phase === 'degraded' || current.phase === 'aborted')
      throw new SlipwayError(
        current.failureCode ?? 'ROLLOUT_ABORTED',
        current.message ?? `the rollout was ${current.phase}`,
      );
    await clock.sleep(followIntervalMs, request.signal);
  }
}

/**
 * Log lines for a blue-green's or canary's steps and pauses, as the controller moves it: the step it enters, and why
 * it waits with what moves it on, so a user following `slipway deploy` is never left before a silent pause.
 */
function progressTeller(request: RolloutRequest, spec: Strategy): (rollout: RolloutRecord) => string[] {
  if (spec.type !== 'blue-green' && spec.type !== 'canary') return () => [];
  const steps = strategyFor(spec).steps();
  const app = request.scope.app.name;
  const env = request.scope.environment.name === 'production' ? '' : ` -e ${request.scope.environment.name}`;
  let told = '';
  return (rollout) => {
    const lines: string[] = [];
    const key = `${rollout.stepIndex}/${rollout.phase}/${rollout.pauseReason ?? ''}`;
    if (key === told || (rollout.phase !== 'progressing' && rollout.phase !== 'paused')) return lines;
    if (!told.startsWith(`${rollout.stepIndex}/`))
      lines.push(`step ${rollout.stepIndex + 1} of ${steps.length}: ${steps[rollout.stepIndex]?.label ?? ''}`);
    told = key;
    if (rollout.phase === 'paused') {
      const next =
        rollout.pauseReason === 'manual'
          ? `slipway rollout resume ${app}${env}`
          : rollout.pauseReason === 'approval'
            ? `slipway approvals list --app ${app}`
            : `slipway rollout promote ${app}${env}`;
      lines.push(`paused (${rollout.pauseReason ?? 'step'}): ${rollout.message ?? 'waiting'}; go on with: ${next}`);
    }
    return lines;
  };
}

/** Log lines for what the controller did since the last look: instances started, healthy, retired. */
function describeChanges(
  rollout: RolloutRecord,
  known: Map<string, InstanceRecord>,
  instances: readonly InstanceRecord[],
  isSilent: boolean,
): string[] {
  const lines: string[] = [];
  const isMine = (i: InstanceRecord): boolean => sideOf(rollout, i) === 'target';
  for (const instance of instances) {
    const before = known.get(instance.id);
    known.set(instance.id, instance);
    if (isSilent) continue;
    // Told once launched: the rollout step is its start, not the record written just before.
    const isLaunched = instance.startedAtMs !== null && (before === undefined || before.startedAtMs === null);
    if (isLaunched && isMine(instance) && instance.restarts === 0)
      lines.push(
        instance.port === null
          ? `started ${instance.process} instance ${instance.id}`
          : `started ${instance.process} instance ${instance.id} on port ${instance.port}`,
      );
    if (isMine(instance) && instance.state === 'healthy' && before?.state !== 'healthy')
      lines.push(
        instance.port === null
          ? `${instance.process} instance ${instance.id} is running`
          : `${instance.process} instance ${instance.id} is healthy (port ${instance.port})`,
      );
    const isLeaving = !isLiveInstance(instance, () => false);
    if (isLeaving && before !== undefined && isLiveInstance(before, () => false))
      lines.push(`retiring ${instance.process} instance ${instance.id}`);
  }
  const gone = [...known.keys()].filter((id) => !instances.some((i) => i.id === id));
  for (const id of gone) known.delete(id);
  if (isSilent) {
    const stale = instances.filter(
      (i) => i.state === 'starting' && i.startedAtMs === null && i.deploymentId === rollout.deploymentId,
    );
    if (stale.length > 0)
      lines.push(`removing ${countNoun(stale.length, 'instance')} an interrupted run never launched`);
  }
  return lines;
}
