/**
 * The rollout engine over a real store and fleet, driven pass by pass with a manual clock: each step's desired state
 * is persisted, a new engine (a restarted control plane) resumes at the same step with the same weights, a user's
 * pause does not count toward the progress deadline, abort makes the stable release desired again, and gate kinds
 * plug in by name.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  abortRollout,
  createRolloutEngine,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  type Clock,
  type DeliveryEvent,
  type ReleaseRecord,
  type ReleaseTarget,
  type RolloutEngineOptions,
  type RolloutRecord,
  type RolloutStrategy,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

function manualClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    sleep: () => Promise.resolve(),
    advance(ms) {
      nowMs += ms;
    },
  };
}

/** After the setup's deployment, so the rollout under test is the app environment's newest. */
const t0 = Date.now() + 3_600_000;
const deadlineMs = 600_000;

/** Weights only (no instance changes): 10 % for a minute, 50 % until promoted, then an approval, then 100 %. */
function stepStrategy(stable: ReleaseRecord, target: ReleaseRecord): RolloutStrategy {
  const split = (weight: number): ReleaseTarget[] => [
    {
      releaseId: stable.id,
      releaseNumber: stable.number,
      scale: { web: 1 },
      weight: 100 - weight,
      matches: [],
      isPreview: false,
    },
    { releaseId: target.id, releaseNumber: target.number, scale: { web: 0 }, weight, matches: [], isPreview: false },
  ];
  return {
    type: 'canary',
    stickyCookie: 'slipway-canary',
    steps: () => [
      { index: 0, label: 'setWeight 10, pause 1m' },
      { index: 1, label: 'setWeight 50, pause' },
      { index: 2, label: 'approval' },
      { index: 3, label: 'setWeight 100' },
    ],
    decide(stepIndex) {
      switch (stepIndex) {
        case 0:
          return { targets: split(10), gate: { kind: 'pause', durationMs: 60_000 }, isFinal: false };
        case 1:
          return { targets: split(50), gate: { kind: 'pause', durationMs: null }, isFinal: false };
        case 2:
          return { targets: split(50), gate: { kind: 'approval', timeoutMs: null }, isFinal: false };
        default:
          return { targets: split(100), gate: null, isFinal: true };
      }
    },
    aborted: () =>
      split(0)
        .slice(0, 1)
        .map((t) => ({ ...t, weight: null })),
  };
}

describe('rollout engine', () => {
  let harness: CoreHarness;
  let clock: ReturnType<typeof manualClock>;
  let stable: ReleaseRecord;
  let target: ReleaseRecord;
  let events: DeliveryEvent[];
  let rolloutId: string;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    const first = await harness.deploy('hello', await harness.webSource());
    await harness.stop();
    stable = (await harness.store.releases.findById(first.releaseId ?? '')) as ReleaseRecord;
    target = { ...stable, id: 'rel_canary', number: 2 };
    await harness.store.releases.insert(target);
    clock = manualClock(t0);
    events = [];
    rolloutId = 'rol_test';
    const rollout: RolloutRecord = {
      id: rolloutId,
      deploymentId: 'dep_test',
      appId: stable.appId,
      environmentId: stable.environmentId,
      releaseId: target.id,
      stableReleaseId: stable.id,
      strategy: 'canary',
      phase: 'progressing',
      pauseReason: null,
      message: null,
      failureCode: null,
      stepIndex: 0,
      stepStartedAtMs: t0,
      gateState: null,
      control: { promote: null, pause: false, abort: false, by: null },
      deadlineAtMs: t0 + deadlineMs,
      pausedAtMs: null,
      createdAtMs: t0,
      updatedAtMs: t0,
      finishedAtMs: null,
      version: 1,
    };
    await harness.store.rollouts.insert(rollout);
  });

  afterEach(async () => {
    await harness.close();
  });

  /** A control plane's engine; a new one is what a restarted slipwayd has. */
  const engineOf = (options: RolloutEngineOptions = {}) =>
    createRolloutEngine(
      { ...harness.deps, clock, deliveryEvents: { publish: (event) => events.push(event) } },
      harness.fleet,
      { strategyFor: () => stepStrategy(stable, target), ...options },
    );

  const tick = async (engine: ReturnType<typeof engineOf>): Promise<RolloutRecord> => {
    const rollout = await harness.store.rollouts.findById(rolloutId);
    if (rollout === undefined) throw new Error('no rollout');
    const app = await harness.store.apps.findById(rollout.appId);
    const environment = await harness.store.environments.findById(rollout.environmentId);
    const appEnvironment = await harness.store.appEnvironments.find(rollout.appId, rollout.environmentId);
    if (!app || !environment || !appEnvironment) throw new Error('no scope');
    const instances = await harness.store.instances.list({ appId: app.id });
    await engine.advance(rollout, { app, environment, appEnvironment }, instances);
    return (await harness.store.rollouts.findById(rolloutId)) as RolloutRecord;
  };
  const weights = async (): Promise<(number | null)[]> =>
    ((await harness.store.desiredStates.find(stable.appId, stable.environmentId))?.targets ?? []).map((t) => t.weight);
  const scope = { app: 'hello', environment: 'production', by: 'alice' };

  it('persists each step and resumes at the same step with the same weights after a restart', async () => {
    const first = await tick(engineOf());
    expect(first, first.message ?? '').toMatchObject({ phase: 'paused', pauseReason: 'step', stepIndex: 0 });
    expect(await weights()).toEqual([90, 10]);
    expect((await harness.store.desiredStates.find(stable.appId, stable.environmentId))?.stickyCookie).toBe(
      'slipway-canary',
    );

    clock.advance(30_000);
    expect(await tick(engineOf())).toMatchObject({ phase: 'paused', stepIndex: 0 });
    clock.advance(30_000);
    // A new engine: the pause counted from the step's persisted start, not from this engine's first look.
    expect(await tick(engineOf())).toMatchObject({ stepIndex: 1, stepStartedAtMs: t0 + 60_000 });
    expect(await weights()).toEqual([50, 50]);

    clock.advance(3_600_000);
    const restarted = engineOf();
    expect(await tick(restarted)).toMatchObject({ phase: 'paused', pauseReason: 'step', stepIndex: 1 });
    expect(await tick(restarted)).toMatchObject({ phase: 'paused', stepIndex: 1 });
    expect(await weights()).toEqual([50, 50]);
    expect(events.map((e) => e.kind)).toEqual(['rollout.paused', 'rollout.paused']);
  });

  it('leaves a pause until promoted on promote, and refuses a promote while nothing is paused', async () => {
    const engine = engineOf({
      gateRunners: { approval: { evaluate: async () => ({ status: 'passed', message: null, state: null }) } },
    });
    await expect(promoteRollout(harness.deps, { ...scope, full: false })).rejects.toMatchObject({
      code: 'ROLLOUT_NOT_PAUSED',
    });
    clock.advance(60_000);
    await tick(engine);
    expect(await tick(engine)).toMatchObject({ phase: 'paused', stepIndex: 1 });

    const view = await promoteRollout(harness.deps, { ...scope, full: false });
    expect(view).toMatchObject({ pendingControl: 'promote', currentStep: 1 });
    expect(await tick(engine)).toMatchObject({ phase: 'progressing', stepIndex: 2, control: { promote: null } });
    // The approval runner plugged in by name passes its step; the last step ends the rollout healthy.
    await tick(engine);
    expect(await tick(engine)).toMatchObject({ phase: 'healthy', failureCode: null });
    expect(await weights()).toEqual([0, 100]);
  });

  it('ends degraded with GATE_UNSUPPORTED at a gate kind no runner serves, stable desired again', async () => {
    const engine = engineOf({ gateRunners: { approval: undefined } });
    await tick(engine);
    await promoteRollout(harness.deps, { ...scope, full: false });
    expect(await tick(engine)).toMatchObject({ stepIndex: 1 });
    expect(await tick(engine)).toMatchObject({ phase: 'paused', stepIndex: 1 });
    await promoteRollout(harness.deps, { ...scope, full: false });
    expect(await tick(engine)).toMatchObject({ stepIndex: 2 });
    expect(await tick(engine)).toMatchObject({ phase: 'degraded', failureCode: 'GATE_UNSUPPORTED' });
    expect(await weights()).toEqual([null]);
  });

  it("does not count a user's pause toward the progress deadline, and aborts on the deadline once it is missed", async () => {
    const healthyForever = { ...stepStrategy(stable, target) };
    healthyForever.decide = () => ({
      targets: [
        { releaseId: target.id, releaseNumber: 2, scale: { web: 1 }, weight: null, matches: [], isPreview: false },
      ],
      gate: { kind: 'healthy' },
      isFinal: true,
    });
    const waiting = engineOf({ strategyFor: () => healthyForever });
    // Never healthy: no instance of release 2 is started by a bare engine.
    expect(await tick(waiting)).toMatchObject({ phase: 'progressing' });
    await pauseRollout(harness.deps, scope);
    clock.advance(100_000);
    expect(await tick(waiting)).toMatchObject({ phase: 'paused', pauseReason: 'manual', pausedAtMs: t0 + 100_000 });
    clock.advance(900_000);
    expect(await tick(waiting)).toMatchObject({ phase: 'paused' });
    await resumeRollout(harness.deps, scope);
    expect(await tick(waiting)).toMatchObject({ phase: 'progressing', deadlineAtMs: t0 + deadlineMs + 900_000 });

    clock.advance(deadlineMs - 100_000);
    expect(await tick(waiting)).toMatchObject({ phase: 'progressing' });
    clock.advance(1);
    const missed = await tick(waiting);
    expect(missed).toMatchObject({ phase: 'degraded', failureCode: 'PROGRESS_DEADLINE_EXCEEDED' });
    expect(missed.message).toBe('web: 0 of 1 new instance healthy when the progress deadline passed');
    expect(await weights()).toEqual([null]);
    expect(events.map((e) => e.kind)).toEqual(['rollout.paused', 'rollout.aborted']);
  });

  it('reports a missed deadline and goes on waiting when the strategy says progressDeadlineAbort: false', async () => {
    const patient = {
      ...target,
      id: 'rel_patient',
      number: 3,
      manifest: {
        ...target.manifest,
        strategy: {
          type: 'canary' as const,
          steps: [{ setWeight: 10 }],
          stickyCookie: null,
          progressDeadlineSeconds: deadlineMs / 1000,
          progressDeadlineAbort: false,
        },
      },
    };
    await harness.store.releases.insert(patient);
    const rollout = (await harness.store.rollouts.findById(rolloutId)) as RolloutRecord;
    await harness.store.rollouts.update({ ...rollout, releaseId: patient.id });
    const neverHealthy = { ...stepStrategy(stable, target) };
    neverHealthy.decide = () => ({
      targets: [
        { releaseId: patient.id, releaseNumber: 3, scale: { web: 1 }, weight: null, matches: [], isPreview: false },
      ],
      gate: { kind: 'healthy' },
      isFinal: true,
    });
    const waiting = engineOf({ strategyFor: () => neverHealthy });
    expect(await tick(waiting)).toMatchObject({ phase: 'progressing' });

    clock.advance(deadlineMs + 1);
    const missed = await tick(waiting);

    expect(missed).toMatchObject({ phase: 'progressing', failureCode: null });
    expect(missed.message).toBe(
      'web: 0 of 1 new instance healthy when the progress deadline passed; still waiting (progressDeadlineAbort: false)',
    );
    expect(events.map((e) => e.kind)).toEqual([]);
  });

  it('aborts at once: the stable release is the desired one again and the rollout ends aborted', async () => {
    const engine = engineOf();
    await tick(engine);
    expect(await weights()).toEqual([90, 10]);
    const view = await abortRollout(harness.deps, scope);
    expect(view.pendingControl).toBe('abort');

    expect(await tick(engine)).toMatchObject({
      phase: 'aborted',
      failureCode: 'ROLLOUT_ABORTED',
      message: 'aborted by alice',
    });
    const desired = await harness.store.desiredStates.find(stable.appId, stable.environmentId);
    expect(desired?.targets.map((t) => t.releaseId)).toEqual([stable.id]);
    expect(events.at(-1)).toMatchObject({ kind: 'rollout.aborted', releaseNumber: 2, deploymentId: 'dep_test' });
    await expect(abortRollout(harness.deps, scope)).rejects.toMatchObject({ code: 'ROLLOUT_FINISHED' });
  });
});
