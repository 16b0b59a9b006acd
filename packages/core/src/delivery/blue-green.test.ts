import { strategySchema, type BlueGreenStrategySpec } from '@slipway/contract';
import { describe, expect, it } from 'vitest';
import { blueGreenPreviewHost, createBlueGreenStrategy } from './blue-green.js';
import type { ReleaseTarget, RolloutObservation } from './rollout-model.js';

const analysis = {
  metrics: [
    { name: 'success', provider: { type: 'router', measure: 'success-rate' }, successCondition: { min: 0.99 } },
  ],
};

function blueGreenSpec(fields: Record<string, unknown> = {}): BlueGreenStrategySpec {
  const spec = strategySchema.parse({ type: 'blue-green', ...fields });
  if (spec.type !== 'blue-green') throw new Error('not blue-green');
  return spec;
}

const full = { web: 3, worker: 1 };
const ready = { web: 3, worker: 1 };

/** Release 4 serves (stable), release 5 is rolled out; `healthy`: healthy instances of release 5 per type. */
function observe(
  options: { healthy?: Record<string, number>; current?: ReleaseTarget[]; isFirstDeploy?: boolean } = {},
): RolloutObservation {
  const healthy = options.healthy ?? ready;
  return {
    nowMs: 1_000_000,
    target: {
      releaseId: 'rel_5',
      releaseNumber: 5,
      processes: Object.fromEntries(
        Object.entries(healthy).map(([type, n]) => [type, { live: n, healthy: n, broken: 0, retiring: 0 }]),
      ),
    },
    stable:
      options.isFirstDeploy === true
        ? null
        : {
            releaseId: 'rel_4',
            releaseNumber: 4,
            processes: {
              web: { live: 3, healthy: 3, broken: 0, retiring: 0 },
              worker: { live: 1, healthy: 1, broken: 0, retiring: 0 },
            },
          },
    scale: { ...full },
    current: options.current ?? [blue(100)],
    outside: 0,
  };
}

/** The stable release (4), at full scale. */
function blue(weight: number): ReleaseTarget {
  return { releaseId: 'rel_4', releaseNumber: 4, scale: full, weight, matches: [], isPreview: false };
}

/** The new release (5), at full scale; on the preview host while it takes no traffic. */
function green(weight: number, isPreview = weight === 0): ReleaseTarget {
  return { releaseId: 'rel_5', releaseNumber: 5, scale: full, weight, matches: [], isPreview };
}

describe('blue-green strategy', () => {
  const strategy = createBlueGreenStrategy(
    blueGreenSpec({ prePromotionAnalysis: analysis, postPromotionAnalysis: analysis }),
  );
  const analysisSpec = blueGreenSpec({ prePromotionAnalysis: analysis }).prePromotionAnalysis;

  it("follows Argo's sequence: preview, pre-promotion analysis, pause, switch, post-promotion analysis, warm, scale down", () => {
    expect(strategy.type).toBe('blue-green');
    expect(strategy.steps().map((s) => s.label)).toEqual([
      'preview: the new release at full scale beside the stable one',
      'analysis pre-promotion',
      'pause until promoted',
      'switch: all traffic to the new release',
      'analysis post-promotion',
      'keep the old release warm 30s',
      'scale down the old release',
    ]);
    expect(strategy.steps().map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('leaves out what the spec does not ask for', () => {
    expect(
      createBlueGreenStrategy(blueGreenSpec())
        .steps()
        .map((s) => s.label),
    ).toEqual([
      'preview: the new release at full scale beside the stable one',
      'pause until promoted',
      'switch: all traffic to the new release',
      'keep the old release warm 30s',
      'scale down the old release',
    ]);
    const atOnce = createBlueGreenStrategy(blueGreenSpec({ autoPromoteAfterSeconds: 0, scaleDownDelaySeconds: 0 }));
    expect(atOnce.steps().map((s) => s.label)).toEqual([
      'preview: the new release at full scale beside the stable one',
      'switch: all traffic to the new release',
      'scale down the old release',
    ]);
    const timed = createBlueGreenStrategy(blueGreenSpec({ autoPromoteAfterSeconds: 90, scaleDownDelaySeconds: 600 }));
    expect(timed.steps().map((s) => s.label)).toEqual([
      'preview: the new release at full scale beside the stable one',
      'pause 1m30s, then promote',
      'switch: all traffic to the new release',
      'keep the old release warm 10m',
      'scale down the old release',
    ]);
    expect(timed.decide(1, observe()).gate).toEqual({
      kind: 'pause',
      durationMs: 90_000,
      pauseReason: 'blue-green-preview',
    });
  });

  it('gives every step its targets, weights summing to 100, and its gate', () => {
    const before = strategy.steps().map(({ index }) => strategy.decide(index, observe({ current: [blue(100)] })));
    const switched = [blue(0), green(100)];
    const after = strategy.steps().map(({ index }) => strategy.decide(index, observe({ current: switched })));
    const decisions = [...before.slice(0, 3), ...after.slice(3)];
    expect(decisions.map((d) => d.targets)).toEqual([
      // Beside the stable release at full scale, reachable only on the preview host.
      [blue(100), green(0)],
      [blue(100), green(0)],
      [blue(100), green(0)],
      // The atomic switch: all traffic at once; the old release stays at full scale.
      [blue(0), green(100)],
      [blue(0), green(100)],
      [blue(0), green(100)],
      [green(100)],
    ]);
    expect(decisions.map((d) => d.gate)).toEqual([
      { kind: 'healthy' },
      { kind: 'analysis', name: 'pre-promotion', spec: analysisSpec },
      { kind: 'pause', durationMs: null, pauseReason: 'blue-green-preview' },
      { kind: 'healthy' },
      { kind: 'analysis', name: 'post-promotion', spec: analysisSpec },
      // Keeping the old release warm is a wait, not a pause: the rollout shows progressing.
      { kind: 'pause', durationMs: 30_000, pauseReason: null },
      { kind: 'healthy' },
    ]);
    expect(decisions.map((d) => d.isFinal)).toEqual([false, false, false, false, false, false, true]);
    for (const decision of [...before, ...after])
      expect(decision.targets.reduce((sum, target) => sum + (target.weight ?? 0), 0)).toBe(100);
  });

  it('never switches to a release whose instances are not all healthy (a restart mid-switch)', () => {
    const halfStarted = observe({ healthy: { web: 1, worker: 1 }, current: [blue(100), green(0)] });
    expect(strategy.decide(3, halfStarted).targets).toEqual([blue(100), green(0)]);
    // Once switched, an instance that turns unhealthy does not flip traffic back: the post-promotion analysis judges.
    const afterSwitch = observe({ healthy: { web: 2, worker: 1 }, current: [blue(0), green(100)] });
    expect(strategy.decide(4, afterSwitch).targets).toEqual([blue(0), green(100)]);
  });

  it('skips to the end on promote --full, switching only once the new release is ready', () => {
    const last = strategy.steps().length - 1;
    expect(strategy.decide(last, observe({ healthy: { web: 0 }, current: [blue(100), green(0)] })).targets).toEqual([
      blue(100),
      green(0),
    ]);
    expect(strategy.decide(last, observe({ current: [blue(100), green(0)] })).targets).toEqual([green(100)]);
  });

  it('on abort switches all traffic back at once, the new release kept on its preview host', () => {
    expect(strategy.aborted(observe({ current: [blue(0), green(100)] }))).toEqual([blue(100), green(0)]);
    expect(strategy.aborted(observe({ current: [blue(100), green(0)] }))).toEqual([blue(100), green(0)]);
    expect(strategy.aborted(observe({ isFirstDeploy: true }))).toEqual([]);
  });

  it('goes straight to the end on a first deploy: there is no release to stand beside', () => {
    expect(strategy.decide(0, observe({ isFirstDeploy: true }))).toEqual({
      targets: [green(100)],
      gate: { kind: 'healthy' },
      isFinal: true,
    });
  });

  it('clamps a step index out of range and decides the same from the same observation', () => {
    expect(strategy.decide(42, observe())).toEqual(strategy.decide(6, observe()));
    const observation = observe({ current: [blue(0), green(100)] });
    const copy = structuredClone(observation);
    for (const { index } of strategy.steps())
      expect(strategy.decide(index, observation)).toEqual(strategy.decide(index, observation));
    expect(observation).toEqual(copy);
  });
});

describe('blue-green preview host', () => {
  const settings = { defaultDomain: 'apps.example.com' };

  it('is <app>--preview.<domain> by default, with the environment outside production', () => {
    expect(blueGreenPreviewHost({ name: 'web' }, { name: 'production' }, settings)).toBe(
      'web--preview.apps.example.com',
    );
    expect(blueGreenPreviewHost({ name: 'web' }, { name: 'staging' }, settings)).toBe(
      'web-staging--preview.apps.example.com',
    );
  });
});
