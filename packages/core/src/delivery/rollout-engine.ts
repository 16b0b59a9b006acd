/**
 * Advances rollouts, one level-based step per controller pass: observe what runs of the rollout's releases, apply
 * the controls users asked for (abort, pause, resume, promote), fail it on a crash loop, a failed health check or a
 * missed progress deadline, ask the strategy for the current step's desired state, evaluate the step's gate, and
 * persist the desired state and the record together. Nothing lives in memory that a restart would lose: a killed
 * control plane resumes at the same step with the same weights. The controller converges instances and the
 * routing table to the desired state this returns.
 */
import { createAnalysisGateRunner } from './analysis-gate.js';
import { createApprovalGateRunner } from './approval-gate.js';
import { countNoun, isSlipwayError, SlipwayError, type Strategy } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import { createPortMismatchWatch } from '../deployment/port-mismatch.js';
import { resolveEnvironmentStrategy } from './environment-strategy.js';
import type {
  AppEnvironmentRecord,
  AppRecord,
  EnvironmentRecord,
  InstanceRecord,
  ReleaseRecord,
} from '../domain/records.js';
import { isSameTargets, scaleOf, steadyTargets, writeDesiredState } from './desired-state.js';
import { createGateRunnerRegistry, runnerOf, type GateRunnerRegistry } from './gate-runners.js';
import { assertNoBrokenInstance } from './rollout-failures.js';
import type {
  Gate,
  GateContext,
  GateOutcome,
  ReleaseTarget,
  RolloutObservation,
  RolloutRecord,
  RolloutStrategy,
} from './rollout-model.js';
import { isLiveInstance, observeRollout, sideOf } from './rollout-observation.js';
import {
  enterPause,
  finishFailed,
  finishHealthy,
  leavePause,
  nextStep,
  publishTransition,
} from './rollout-transitions.js';
import { strategyFor } from './strategy-for.js';

export interface RolloutScope {
  app: AppRecord;
  environment: EnvironmentRecord;
  appEnvironment: AppEnvironmentRecord;
}

export interface RolloutEngine {
  /**
   * One step of an active rollout over the app environment's instances; returns the desired state to converge to
   * (undefined: leave the app environment as it is this pass). Never throws for the rollout's own failures: they
   * end it `degraded` or `aborted`, with stable desired again. Safe to call again at once (level-based).
   */
  advance(
    rollout: RolloutRecord,
    scope: RolloutScope,
    instances: readonly InstanceRecord[],
  ): Promise<ReleaseTarget[] | undefined>;
  /**
   * Ends an active rollout `degraded` with the error's code (a runtime refused to start one of its instances:
   * `RESOURCE_LIMITS_INVALID`, `RUNTIME_UNAVAILABLE`…), the stable release desired again. Idempotent.
   */
  fail(rollout: RolloutRecord, scope: RolloutScope, error: SlipwayError): Promise<void>;
}

export interface RolloutEngineOptions {
  /** Gate runners on top of `CoreDeps.gateRunners` and the built-in `healthy` and `pause`. */
  gateRunners?: GateRunnerRegistry;
  /** The strategy of a release's resolved strategy spec; default `strategyFor` (tests give their own). */
  strategyFor?: (spec: Strategy) => RolloutStrategy;
}

export function createRolloutEngine(deps: CoreDeps, fleet: Fleet, options: RolloutEngineOptions = {}): RolloutEngine {
  const { store, clock, logger } = deps;
  // Analyses and approvals are built in too (the router's counters and the store are all they need); the
  // composition root and tests may replace any of them.
  const registry = createGateRunnerRegistry({
    analysis: createAnalysisGateRunner({
      router: deps.router,
      logger: deps.logger,
      ...(deps.metricSource === undefined ? {} : { metricSource: deps.metricSource }),
    }),
    approval: createApprovalGateRunner(deps),
    ...deps.gateRunners,
    ...options.gateRunners,
  });
  /** Rollouts this process has looked at; the first look clears what a dead control plane left half-done. */
  const seen = new Set<string>();
  const portWatches = new Map<string, ReturnType<typeof createPortMismatchWatch>>();
  const signal = new AbortController().signal;

  /**
   * Instance records a dead control plane wrote for this rollout and never launched: no one would ever probe or
   * restart them. This process has launched none yet for it, so they are leftovers; the convergence starts anew.
   */
  const retireUnlaunched = async (rollout: RolloutRecord, instances: readonly InstanceRecord[]): Promise<void> => {
    const unlaunched = instances.filter(
      (i) => i.deploymentId === rollout.deploymentId && i.state === 'starting' && i.startedAtMs === null,
    );
    if (unlaunched.length > 0)
      logger.info({ rolloutId: rollout.id, count: unlaunched.length }, 'retiring instances never launched');
    await Promise.all(unlaunched.map((i) => fleet.retireInstance(i.id)));
  };

  /** Throws the coded reason when an instance the rollout started is broken. */
  const checkInstances = async (
    rollout: RolloutRecord,
    scope: RolloutScope,
    target: ReleaseRecord,
    instances: readonly InstanceRecord[],
  ): Promise<void> => {
    const watch = portWatches.get(rollout.id) ?? createPortMismatchWatch(deps);
    portWatches.set(rollout.id, watch);
    const fresh = instances.filter(
      (i) => sideOf(rollout, i) === 'target' && isLiveInstance(i, (id) => fleet.isRetiring(id)),
    );
    for (const name of new Set(fresh.map((i) => i.process))) {
      const process = fleet.processSpec(target, name, scope.appEnvironment.scale);
      if (process === undefined) continue;
      const mine = fresh.filter((i) => i.process === name);
      await assertNoBrokenInstance(deps, fleet, mine, process, scope.app.name);
      for (const i of mine) await watch.check(i, process, fleet.health.lastDetail(i.id));
    }
  };

  const deadlineMessage = (observation: RolloutObservation): string => {
    for (const [process, replicas] of Object.entries(observation.scale)) {
      const healthy = observation.target.processes[process]?.healthy ?? 0;
      if (healthy < replicas)
        return `${process}: ${healthy} of ${countNoun(replicas, 'new instance')} healthy when the progress deadline passed`;
    }
    return 'the rollout made no progress before its progress deadline passed';
  };

  const evaluateGate = async (gate: Gate, rollout: RolloutRecord, context: GateContext): Promise<GateOutcome> => {
    // Promoted in full: every gate but health is passed over (analysis, pauses, approvals).
    if (rollout.control.promote === 'full' && gate.kind !== 'healthy')
      return { status: 'passed', message: null, state: rollout.gateState };
    const runner = runnerOf(registry, gate);
    if (runner === undefined)
      throw new SlipwayError('GATE_UNSUPPORTED', `no runner for ${gate.kind} gates is configured in this slipwayd`, {
        details: { gate: gate.kind },
      });
    const outcome = await runner.evaluate(gate, rollout.gateState, context);
    // Promoted one step: the gate holding the step is left, as passed (health is never skipped).
    if (rollout.control.promote === 'step' && gate.kind !== 'healthy' && outcome.status !== 'failed')
      return { ...outcome, status: 'passed' };
    return outcome;
  };

  const releaseGate = async (gate: Gate | null, rollout: RolloutRecord, context: GateContext): Promise<void> => {
    if (gate === null) return;
    await runnerOf(registry, gate)
      ?.release?.(gate, rollout.gateState, context)
      .catch((error: unknown) => logger.warn({ rolloutId: rollout.id, err: error }, 'gate release failed'));
  };

  /** Decides the rollout's next record and desired state; pure but for gate runners and the instance checks. */
  const step = async (
    rollout: RolloutRecord,
    scope: RolloutScope,
    strategy: RolloutStrategy,
    observation: RolloutObservation,
    context: Omit<GateContext, 'rollout' | 'targets'>,
    deadlineMs: number,
    isDeadlineAborting: boolean,
  ): Promise<{ next: RolloutRecord; targets: ReleaseTarget[] }> => {
    const now = context.nowMs;
    const current = [...observation.current];
    const control = rollout.control;
    if (control.abort)
      return {
        next: finishFailed(rollout, 'aborted', 'ROLLOUT_ABORTED', `aborted by ${control.by ?? 'a user'}`, now),
        targets: strategy.aborted(observation),
      };
    // A user's pause holds everything where it is (the desired state in force), the deadline stopped.
    if (control.pause && control.promote === null) {
      const paused =
        rollout.phase === 'paused' && rollout.pauseReason === 'manual'
          ? rollout
          : enterPause(rollout, 'manual', `paused by ${control.by ?? 'a user'}`, now);
      return {
        next: paused,
        targets: current.length > 0 ? current : strategy.decide(rollout.stepIndex, observation).targets,
      };
    }
    let next =
      rollout.phase === 'paused' && rollout.pauseReason === 'manual' ? leavePause(rollout, now) : { ...rollout };
    if (control.promote !== null) next = { ...next, control: { ...next.control, pause: false } };
    const lastStep = Math.max(0, strategy.steps().length - 1);
    if (control.promote === 'full' && next.stepIndex < lastStep)
      next = { ...next, stepIndex: lastStep, stepStartedAtMs: now, gateState: null };

    const decision = strategy.decide(next.stepIndex, observation);
    const gateContext: GateContext = { ...context, rollout: next, targets: decision.targets };
    const outcome =
      decision.gate === null
        ? { status: 'passed' as const, message: null, state: next.gateState }
        : await evaluateGate(decision.gate, next, gateContext);
    next = { ...next, gateState: outcome.state ?? null };
    if (next.control.promote === 'step') next = { ...next, control: { ...next.control, promote: null } };
    switch (outcome.status) {
      case 'failed':
        await releaseGate(decision.gate, next, gateContext);
        return {
          next: finishFailed(next, 'aborted', 'ROLLOUT_ABORTED', outcome.message ?? 'a gate failed', now),
          targets: strategy.aborted(observation),
        };
      case 'inconclusive':
        return { next: enterPause(next, 'inconclusive-analysis', outcome.message, now), targets: decision.targets };
      case 'pending': {
        const gate = decision.gate;
        // A pause step pauses with its reason (`step` unless it says); one whose reason is null is a wait that is
        // no pause (blue-green's scale-down delay): progressing, its time not counted toward the deadline either.
        const reason =
          gate?.kind === 'approval'
            ? 'approval'
            : gate?.kind === 'pause'
              ? gate.pauseReason === undefined
                ? 'step'
                : gate.pauseReason
              : undefined;
        if (reason !== undefined && reason !== null)
          return { next: enterPause(next, reason, outcome.message, now), targets: decision.targets };
        const progressing = next.phase === 'paused' ? leavePause(next, now) : next;
        if (reason === null) return { next: progressing, targets: decision.targets };
        // Missed only while the rollout waits to progress: never while paused, never when the step was just left.
        if (progressing.deadlineAtMs !== null && now > progressing.deadlineAtMs) {
          // `progressDeadlineAbort: false`: the miss is reported (the status' message) and the rollout goes on.
          if (!isDeadlineAborting)
            return {
              next: {
                ...progressing,
                message: `${deadlineMessage(observation)}; still waiting (progressDeadlineAbort: false)`,
              },
              targets: decision.targets,
            };
          throw new SlipwayError('PROGRESS_DEADLINE_EXCEEDED', deadlineMessage(observation), {
            details: { stepIndex: progressing.stepIndex },
          });
        }
        return { next: progressing, targets: decision.targets };
      }
      case 'passed': {
        await releaseGate(decision.gate, next, gateContext);
        if (decision.isFinal) return { next: finishHealthy(leavePause(next, now), now), targets: decision.targets };
        const advanced = nextStep(next, now, deadlineMs);
        return { next: advanced, targets: strategy.decide(advanced.stepIndex, observation).targets };
      }
    }
  };

  const advance: RolloutEngine['advance'] = async (rollout, scope, instances) => {
    const now = clock.nowMs();
    const target = await fleet.getReleaseCached(rollout.releaseId);
    const stable = rollout.stableReleaseId === null ? undefined : await fleet.getReleaseCached(rollout.stableReleaseId);
    if (target === undefined) return undefined;
    if (!seen.has(rollout.id)) {
      seen.add(rollout.id);
      await retireUnlaunched(rollout, instances);
    }
    const desired = await store.desiredStates.find(rollout.appId, rollout.environmentId);
    const spec = await resolveEnvironmentStrategy(store, rollout, target.manifest);
    const strategy = (options.strategyFor ?? strategyFor)(spec);
    const observation = observeRollout({
      rollout,
      instances,
      targetReleaseNumber: target.number,
      stableReleaseNumber: stable?.number ?? null,
      scale: scaleOf(target, scope.appEnvironment.scale),
      current: desired?.targets ?? [],
      nowMs: now,
      isRetiring: (id) => fleet.isRetiring(id),
      crashLoopRestarts: deps.settings.crashLoopRestarts,
    });
    const context = {
      app: { id: scope.app.id, name: scope.app.name },
      environment: { id: scope.environment.id, name: scope.environment.name },
      targetReleaseNumber: target.number,
      stableReleaseNumber: stable?.number ?? null,
      nowMs: now,
      signal,
      observation,
    };
    let result: { next: RolloutRecord; targets: ReleaseTarget[] };
    try {
      await checkInstances(rollout, scope, target, instances);
      result = await step(
        rollout,
        scope,
        strategy,
        observation,
        context,
        spec.progressDeadlineSeconds * 1000,
        !('progressDeadlineAbort' in spec) || spec.progressDeadlineAbort,
      );
    } catch (error) {
      const coded = isSlipwayError(error)
        ? error
        : new SlipwayError('INTERNAL', 'the rollout failed unexpectedly (see the slipwayd log)');
      if (!isSlipwayError(error)) logger.error({ rolloutId: rollout.id, err: error }, 'rollout step failed');
      result = {
        next: finishFailed(rollout, 'degraded', coded.code, coded.message, now),
        targets: strategy.aborted(observation),
      };
    }
    const { next, targets } = result;
    const isChanged = JSON.stringify({ ...next, updatedAtMs: 0 }) !== JSON.stringify({ ...rollout, updatedAtMs: 0 });
    const isTargetsChanged =
      desired === undefined ||
      !isSameTargets(desired.targets, targets) ||
      desired.stickyCookie !== strategy.stickyCookie;
    if (!isChanged && !isTargetsChanged) return targets;
    try {
      await store.transaction(async (tx) => {
        if (isTargetsChanged)
          await tx.desiredStates.put({
            appId: rollout.appId,
            environmentId: rollout.environmentId,
            targets,
            stickyCookie: strategy.stickyCookie,
            version: desired?.version ?? 0,
            updatedAtMs: now,
          });
        if (isChanged) await tx.rollouts.update({ ...next, updatedAtMs: now });
      });
    } catch (error) {
      // A user's control or another writer came first: the next pass reads it and decides again.
      if (isSlipwayError(error) && error.code === 'VERSION_CONFLICT') return desired?.targets;
      throw error;
    }
    if (next.phase !== 'progressing' && next.phase !== 'paused') portWatches.delete(rollout.id);
    publishTransition(deps, { ...scope, releaseNumber: target.number }, rollout, next, now);
    if (next.phase !== rollout.phase || next.stepIndex !== rollout.stepIndex)
      logger.info(
        { app: scope.app.name, rolloutId: rollout.id, phase: next.phase, step: next.stepIndex, code: next.failureCode },
        'rollout moved on',
      );
    return targets;
  };

  const fail: RolloutEngine['fail'] = async (rollout, scope, error) => {
    const now = clock.nowMs();
    const stable = rollout.stableReleaseId === null ? undefined : await fleet.getReleaseCached(rollout.stableReleaseId);
    const target = await fleet.getReleaseCached(rollout.releaseId);
    const targets = stable === undefined ? [] : steadyTargets(stable, scope.appEnvironment.scale);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = await store.rollouts.findById(rollout.id);
      if (current === undefined || (current.phase !== 'progressing' && current.phase !== 'paused')) return;
      const next = finishFailed(current, 'degraded', error.code, error.message, now);
      try {
        await store.transaction(async (tx) => {
          await writeDesiredState(tx, rollout, targets, now);
          await tx.rollouts.update({ ...next, updatedAtMs: now });
        });
      } catch (failure) {
        if (isSlipwayError(failure) && failure.code === 'VERSION_CONFLICT') continue;
        throw failure;
      }
      publishTransition(deps, { ...scope, releaseNumber: target?.number ?? 0 }, current, next, now);
      logger.info(
        { app: scope.app.name, rolloutId: rollout.id, code: error.code },
        'rollout failed to start an instance',
      );
      return;
    }
  };

  return { advance, fail };
}
