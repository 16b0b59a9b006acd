import { strategySchema, type AnalysisSpec, type CanaryStrategySpec } from '@slipway/contract';
import { describe, expect, it } from 'vitest';
import { createCanaryStrategy, stickyCookieOf } from './canary.js';
import type { ReleaseTarget, RolloutObservation } from './rollout-model.js';

const analysis = {
  metrics: [
    { name: 'success', provider: { type: 'router', measure: 'success-rate' }, successCondition: { min: 0.99 } },
  ],
};

function canarySpec(steps: unknown[], extra: Record<string, unknown> = {}): CanaryStrategySpec {
  const spec = strategySchema.parse({ type: 'canary', steps, ...extra });
  if (spec.type !== 'canary') throw new Error('not a canary');
  return spec;
}

const full = { web: 10, worker: 2 };

/**
 * Release 4 serves (stable), release 5 is rolled out. `healthy`: healthy instances of release 5 per type (default:
 * enough for any step); `current`: the desired state in force (default: stable alone at full scale).
 */
function observe(
  options: { healthy?: Record<string, number>; current?: ReleaseTarget[]; isFirstDeploy?: boolean } = {},
): RolloutObservation {
  const healthy = options.healthy ?? { web: 100, worker: 100 };
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
              web: { live: 10, healthy: 10, broken: 0, retiring: 0 },
              worker: { live: 2, healthy: 2, broken: 0, retiring: 0 },
            },
          },
    scale: { ...full },
    current: options.current ?? [stableAt(100)],
    outside: 0,
  };
}

function stableAt(weight: number, scale: Record<string, number> = full): ReleaseTarget {
  return { releaseId: 'rel_4', releaseNumber: 4, scale, weight, matches: [], isPreview: false };
}

function canaryAt(
  weight: number,
  scale: Record<string, number>,
  matches: ReleaseTarget['matches'] = [],
): ReleaseTarget {
  return { releaseId: 'rel_5', releaseNumber: 5, scale, weight, matches, isPreview: false };
}

const xCanary = { header: 'x-canary', value: 'always', kind: 'exact' as const };

describe('canary strategy', () => {
  const strategy = createCanaryStrategy(
    canarySpec([
      { setHeaderRoute: { header: 'x-canary', value: 'always' } },
      { setWeight: 10 },
      { pause: { durationSeconds: 300 } },
      { analysis },
      { setWeight: 41 },
      { approval: { timeoutSeconds: 3600 } },
      { setHeaderRoute: { cookie: 'beta', value: 'yes' } },
      { setWeight: 0 },
      { pause: null },
    ]),
  );

  it('lists the manifest steps and one last step that promotes', () => {
    expect(strategy.type).toBe('canary');
    expect(strategy.steps()).toEqual([
      { index: 0, label: 'setHeaderRoute header x-canary = "always"' },
      { index: 1, label: 'setWeight 10' },
      { index: 2, label: 'pause 5m' },
      { index: 3, label: 'analysis success' },
      { index: 4, label: 'setWeight 41' },
      { index: 5, label: 'approval (rejected after 1h)' },
      { index: 6, label: 'setHeaderRoute cookie beta = "yes"' },
      { index: 7, label: 'setWeight 0' },
      { index: 8, label: 'pause until promoted' },
      { index: 9, label: 'promote: all traffic to the new release' },
    ]);
  });

  it('gives every step its exact weights, a proportional canary (at least one), stable at full scale, and its gate', () => {
    const decisions = strategy.steps().map(({ index }) => strategy.decide(index, observe()));
    const cookieBeta = { cookie: 'beta', value: 'yes' };
    expect(decisions.map((d) => d.targets)).toEqual([
      // A header route alone: testers reach one canary instance of each type, the others none of it.
      [stableAt(100), canaryAt(0, { web: 1, worker: 1 }, [xCanary])],
      [stableAt(90), canaryAt(10, { web: 1, worker: 1 }, [xCanary])],
      [stableAt(90), canaryAt(10, { web: 1, worker: 1 }, [xCanary])],
      [stableAt(90), canaryAt(10, { web: 1, worker: 1 }, [xCanary])],
      // 41 % of 10 is 4 instances (the nearest whole number), of 2 is 1.
      [stableAt(59), canaryAt(41, { web: 4, worker: 1 }, [xCanary])],
      [stableAt(59), canaryAt(41, { web: 4, worker: 1 }, [xCanary])],
      [stableAt(59), canaryAt(41, { web: 4, worker: 1 }, [xCanary, cookieBeta])],
      // Weight 0 but routed on purpose: still one instance for the testers.
      [stableAt(100), canaryAt(0, { web: 1, worker: 1 }, [xCanary, cookieBeta])],
      [stableAt(100), canaryAt(0, { web: 1, worker: 1 }, [xCanary, cookieBeta])],
      [canaryAt(100, full)],
    ]);
    expect(decisions.map((d) => d.gate)).toEqual([
      { kind: 'healthy' },
      { kind: 'healthy' },
      { kind: 'pause', durationMs: 300_000, pauseReason: 'step' },
      { kind: 'analysis', name: 'success', spec: canarySpec([{ analysis }]).steps[0]?.analysis },
      { kind: 'healthy' },
      { kind: 'approval', timeoutMs: 3_600_000 },
      { kind: 'healthy' },
      { kind: 'healthy' },
      { kind: 'pause', durationMs: null, pauseReason: 'step' },
      { kind: 'healthy' },
    ]);
    expect(decisions.map((d) => d.isFinal)).toEqual([...Array<boolean>(9).fill(false), true]);
    for (const decision of decisions)
      expect(decision.targets.reduce((sum, target) => sum + (target.weight ?? 0), 0)).toBe(100);
  });

  it('keeps header routes of earlier steps across later setWeight steps, each once', () => {
    const repeated = createCanaryStrategy(
      canarySpec([
        { setHeaderRoute: { header: 'x-canary', value: 'always' } },
        { setWeight: 20 },
        { setHeaderRoute: { header: 'x-canary', value: 'always' } },
        { setWeight: 50 },
      ]),
    );
    expect(repeated.decide(1, observe()).targets[1]?.matches).toEqual([xCanary]);
    expect(repeated.decide(3, observe()).targets[1]?.matches).toEqual([xCanary]);
    // The stable release is never routed on purpose.
    expect(repeated.decide(3, observe()).targets[0]?.matches).toEqual([]);
  });

  it('runs no canary instance while it takes no traffic and nothing routes to it', () => {
    const paused = createCanaryStrategy(canarySpec([{ pause: null }, { setWeight: 25 }]));
    expect(paused.decide(0, observe()).targets).toEqual([stableAt(100), canaryAt(0, { web: 0, worker: 0 })]);
  });

  it('raises the canary weight only once its instances for the step are all healthy; lowers it at once', () => {
    const walk = createCanaryStrategy(canarySpec([{ setWeight: 10 }, { setWeight: 50 }, { setWeight: 20 }]));
    const atTen = [stableAt(90), canaryAt(10, { web: 1, worker: 1 })];
    // Step 2 wants 5 web instances; 1 is healthy: the 10 % in force holds, the instances are asked for.
    const starting = walk.decide(1, observe({ healthy: { web: 1, worker: 1 }, current: atTen }));
    expect(starting.targets).toEqual([stableAt(90), canaryAt(10, { web: 5, worker: 1 })]);
    expect(starting.gate).toEqual({ kind: 'healthy' });
    const ready = walk.decide(1, observe({ healthy: { web: 5, worker: 1 }, current: starting.targets }));
    expect(ready.targets).toEqual([stableAt(50), canaryAt(50, { web: 5, worker: 1 })]);
    // Going down needs nothing new: 20 % at once, even while an instance is unhealthy.
    const down = walk.decide(2, observe({ healthy: { web: 0, worker: 1 }, current: ready.targets }));
    expect(down.targets).toEqual([stableAt(80), canaryAt(20, { web: 2, worker: 1 })]);
  });

  it('on a restart with a half-started canary routes no share to it until it is healthy', () => {
    const restarted = createCanaryStrategy(canarySpec([{ setWeight: 30 }]));
    expect(restarted.decide(0, observe({ healthy: { web: 0, worker: 0 } })).targets).toEqual([
      stableAt(100),
      canaryAt(0, { web: 3, worker: 1 }),
    ]);
  });

  it('ends with all traffic on the new release at full scale, keeping stable and the header routes until it is ready', () => {
    const ending = createCanaryStrategy(
      canarySpec([{ setHeaderRoute: { header: 'x-canary', value: 'always' } }, { setWeight: 50 }]),
    );
    const inForce = [stableAt(50), canaryAt(50, { web: 5, worker: 1 }, [xCanary])];
    const scaling = ending.decide(2, observe({ healthy: { web: 7, worker: 2 }, current: inForce }));
    expect(scaling).toEqual({
      targets: [stableAt(50), canaryAt(50, full, [xCanary])],
      gate: { kind: 'healthy' },
      isFinal: true,
    });
    const done = ending.decide(2, observe({ healthy: { web: 10, worker: 2 }, current: scaling.targets }));
    expect(done.targets).toEqual([canaryAt(100, full)]);
  });

  it('skips every remaining step on promote --full: the last step, from any weight', () => {
    const last = strategy.steps().length - 1;
    const fromTen = [stableAt(90), canaryAt(10, { web: 1, worker: 1 }, [xCanary])];
    expect(strategy.decide(last, observe({ healthy: { web: 1, worker: 1 }, current: fromTen })).targets).toEqual([
      stableAt(90),
      canaryAt(10, full, [xCanary, { cookie: 'beta', value: 'yes' }]),
    ]);
    expect(strategy.decide(last, observe({ current: fromTen })).targets).toEqual([canaryAt(100, full)]);
  });

  it('goes straight to the end on a first deploy: there is nothing to compare the canary with', () => {
    expect(strategy.decide(0, observe({ isFirstDeploy: true }))).toEqual({
      targets: [canaryAt(100, full)],
      gate: { kind: 'healthy' },
      isFinal: true,
    });
  });

  it('on abort puts everything on stable at once and runs no canary', () => {
    const midway = [stableAt(59), canaryAt(41, { web: 4, worker: 1 }, [xCanary])];
    expect(strategy.aborted(observe({ current: midway }))).toEqual([stableAt(100)]);
    expect(strategy.aborted(observe({ isFirstDeploy: true }))).toEqual([]);
  });

  it("keeps the stable release's own scale from the desired state in force", () => {
    const small = { web: 3 };
    const decision = strategy.decide(1, observe({ current: [stableAt(100, small)] }));
    expect(decision.targets[0]).toEqual(stableAt(90, small));
    expect(strategy.aborted(observe({ current: [stableAt(90, small), canaryAt(10, { web: 1 })] }))).toEqual([
      stableAt(100, small),
    ]);
  });

  it('clamps a step index out of range to the first or the last step', () => {
    expect(strategy.decide(99, observe())).toEqual(strategy.decide(9, observe()));
    expect(strategy.decide(-1, observe())).toEqual(strategy.decide(0, observe()));
  });

  it('decides the same from the same observation and never changes it', () => {
    const observation = observe({ current: [stableAt(90), canaryAt(10, { web: 1, worker: 1 })] });
    const frozen = structuredClone(observation);
    for (const { index } of strategy.steps()) {
      expect(strategy.decide(index, observation)).toEqual(strategy.decide(index, observation));
      strategy.aborted(observation);
    }
    expect(observation).toEqual(frozen);
  });

  it('names an analysis gate after its metrics', () => {
    const two: AnalysisSpec = canarySpec([
      { analysis: { metrics: [...analysis.metrics, { ...analysis.metrics[0], name: 'p99' }] } },
    ]).steps[0]!.analysis!;
    const withTwo = createCanaryStrategy(canarySpec([{ setWeight: 10 }, { analysis: two }]));
    expect(withTwo.steps()[1]).toEqual({ index: 1, label: 'analysis success, p99' });
    expect(withTwo.decide(1, observe()).gate).toEqual({ kind: 'analysis', name: 'success, p99', spec: two });
  });
});

describe('sticky cookie', () => {
  it('is slipway-canary by default, the one configured, or none', () => {
    expect(createCanaryStrategy(canarySpec([{ setWeight: 10 }])).stickyCookie).toBe('slipway-canary');
    expect(createCanaryStrategy(canarySpec([{ setWeight: 10 }], { stickyCookie: 'beta-seen' })).stickyCookie).toBe(
      'beta-seen',
    );
    expect(createCanaryStrategy(canarySpec([{ setWeight: 10 }], { stickyCookie: null })).stickyCookie).toBeNull();
  });

  it("is what a release's strategy asks the edge for: only a canary asks", () => {
    expect(stickyCookieOf(canarySpec([{ setWeight: 10 }]))).toBe('slipway-canary');
    expect(stickyCookieOf(strategySchema.parse({ type: 'blue-green' }))).toBeNull();
    expect(stickyCookieOf(strategySchema.parse({ type: 'rolling' }))).toBeNull();
    expect(stickyCookieOf(undefined)).toBeNull();
  });
});
