import { autoscaleSpecSchema, type AutoscaleSpec } from '@slipway/contract';
import { describe, expect, it } from 'vitest';
import { decideReplicas, type AutoscaleSamples } from './autoscale-decision.js';
import { proposeReplicas, type InstanceSample } from './replica-proposal.js';
import { emptyAutoscaleHistory, type AutoscaleHistory } from './scaling-behavior.js';

const tolerances = { scaleUp: 0.1, scaleDown: 0.1 };

function ready(...values: (number | undefined)[]): InstanceSample[] {
  return values.map((value, i) => ({ instanceId: `i${i}`, isReady: true, value }));
}
function notReady(count: number): InstanceSample[] {
  return Array.from({ length: count }, (_, i) => ({ instanceId: `n${i}`, isReady: false, value: undefined }));
}
function cpuSpec(overrides: Record<string, unknown> = {}): AutoscaleSpec {
  return autoscaleSpecSchema.parse({ min: 1, max: 100, metrics: [{ type: 'cpu', targetPercent: 100 }], ...overrides });
}
function evenly(count: number, value: number): AutoscaleSamples {
  return { cpu: ready(...Array.from({ length: count }, () => value)) };
}

/** Runs evaluations on a manual clock, applying each final count as the next current one. */
function manualLoop(spec: AutoscaleSpec, startReplicas: number) {
  let nowMs = 1_000_000;
  let replicas = startReplicas;
  let history: AutoscaleHistory = emptyAutoscaleHistory;
  return {
    get replicas() {
      return replicas;
    },
    advance(ms: number) {
      nowMs += ms;
    },
    evaluate(samples: (replicas: number) => AutoscaleSamples) {
      const result = decideReplicas(spec, replicas, samples(replicas), history, nowMs);
      history = result.history;
      replicas = result.decision.final;
      return result.decision;
    },
  };
}

describe('the replica proposal of one metric (the HPA formula)', () => {
  it('doubles the instances when the metric is at twice its target (200m against 100m)', () => {
    expect(proposeReplicas('cpu', 100, ready(200, 200, 200), 3, tolerances).proposal).toBe(6);
  });

  it('halves them when the metric is at half its target (50m against 100m)', () => {
    expect(proposeReplicas('cpu', 100, ready(50, 50, 50, 50), 4, tolerances).proposal).toBe(2);
  });

  it('changes nothing within the tolerance of 0.1 (63 against 60)', () => {
    const proposal = proposeReplicas('requestsPerSecond', 60, ready(63, 63), 2, tolerances);
    expect(proposal).toMatchObject({ proposal: 2, current: 63, ratio: 1.05 });
    expect(proposeReplicas('requestsPerSecond', 60, ready(67, 67), 2, tolerances).proposal).toBe(3);
  });

  it('rounds the product up (ceil)', () => {
    expect(proposeReplicas('inFlight', 10, ready(13, 13, 13), 3, tolerances).proposal).toBe(4);
  });

  it('counts an instance without a value at the target on a scale-down and as idle on a scale-up', () => {
    const down = proposeReplicas('cpu', 100, ready(50, 50, 50, undefined), 4, tolerances);
    expect(down).toMatchObject({ proposal: 3, current: 50, missingCount: 1 });
    const up = proposeReplicas('cpu', 100, ready(200, 200, 200, undefined), 4, tolerances);
    expect(up).toMatchObject({ proposal: 6, current: 200 });
  });

  it('changes nothing when the filled-in values land inside the tolerance', () => {
    // 3 at 140 %, 1 missing counted idle: 420 / 4 = 105 % → within 10 %.
    expect(proposeReplicas('cpu', 100, ready(140, 140, 140, undefined), 4, tolerances).proposal).toBe(4);
  });

  it('counts an instance not yet ready as idle when the others ask for more, and sets it aside otherwise', () => {
    expect(proposeReplicas('cpu', 100, [...ready(200, 200, 200), ...notReady(1)], 4, tolerances).proposal).toBe(6);
    // Two at 120 % and two starting: 240 / 4 = 60 % reverses the direction, so nothing changes.
    expect(proposeReplicas('cpu', 100, [...ready(120, 120), ...notReady(2)], 4, tolerances).proposal).toBe(4);
    // On a scale-down the starting ones are simply left out.
    expect(proposeReplicas('cpu', 100, [...ready(40, 40), ...notReady(2)], 4, tolerances).proposal).toBe(1);
  });

  it('has no proposal without a ready instance that has a value, and says why', () => {
    expect(proposeReplicas('cpu', 100, notReady(2), 2, tolerances)).toMatchObject({
      proposal: null,
      reasoning: 'no ready instance has a value',
    });
  });

  it('honours a tolerance per direction', () => {
    const wide = { scaleUp: 0.5, scaleDown: 0.1 };
    expect(proposeReplicas('cpu', 100, ready(140, 140), 2, wide).proposal).toBe(2);
    expect(proposeReplicas('cpu', 100, ready(80, 80), 2, wide).proposal).toBe(2);
    expect(proposeReplicas('cpu', 100, ready(50, 50), 2, wide).proposal).toBe(1);
  });
});

describe('a decision over several metrics', () => {
  const spec = autoscaleSpecSchema.parse({
    min: 1,
    max: 20,
    metrics: [
      { type: 'cpu', targetPercent: 50 },
      { type: 'requestsPerSecond', target: 100 },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
  });

  it('takes the largest proposal and records every input and step', () => {
    const { decision } = decideReplicas(
      spec,
      2,
      { cpu: ready(50, 50), requestsPerSecond: ready(300, 300) },
      emptyAutoscaleHistory,
      0,
    );
    expect(decision).toMatchObject({ rawDesired: 6, stabilised: 6, policyLimited: 6, final: 6 });
    expect(decision.metrics.map((m) => [m.metric, m.current, m.target, m.proposal])).toEqual([
      ['cpu', 50, 50, 2],
      ['requestsPerSecond', 300, 100, 6],
    ]);
    expect(decision.reasoning).toBe('requestsPerSecond asks for 6; 2 → 6 (DesiredWithinRange)');
  });

  it('does not scale down while a metric cannot be read, but still scales up', () => {
    const down = decideReplicas(
      spec,
      4,
      { cpu: ready(10, 10, 10, 10), requestsPerSecond: { error: 'edge silent' } },
      emptyAutoscaleHistory,
      0,
    );
    expect(down.decision).toMatchObject({ final: 4, limit: 'MetricsUnavailable' });
    const up = decideReplicas(
      spec,
      2,
      { cpu: ready(100, 100), requestsPerSecond: { error: 'edge silent' } },
      emptyAutoscaleHistory,
      0,
    );
    expect(up.decision).toMatchObject({ rawDesired: 4, final: 4 });
  });

  it('changes nothing when no metric can be read', () => {
    const { decision, history } = decideReplicas(spec, 3, {}, emptyAutoscaleHistory, 0);
    expect(decision).toMatchObject({ final: 3, rawDesired: null, limit: 'MetricsUnavailable' });
    expect(history).toBe(emptyAutoscaleHistory);
  });

  it('brings a count outside [min, max] back to the bound first, and steps aside at 0', () => {
    expect(decideReplicas(spec, 30, {}, emptyAutoscaleHistory, 0).decision).toMatchObject({
      final: 20,
      limit: 'OutOfRange',
    });
    const bounded = autoscaleSpecSchema.parse({ ...spec, min: 3 });
    expect(decideReplicas(bounded, 2, {}, emptyAutoscaleHistory, 0).decision).toMatchObject({ final: 3 });
    expect(decideReplicas(spec, 0, evenly(0, 0), emptyAutoscaleHistory, 0).decision).toMatchObject({
      final: 0,
      limit: 'ScalingDisabled',
    });
  });

  it('bounds a proposal by max and min', () => {
    expect(
      decideReplicas(
        spec,
        10,
        { cpu: ready(...Array<number>(10).fill(200)), requestsPerSecond: ready(...Array<number>(10).fill(100)) },
        emptyAutoscaleHistory,
        0,
      ).decision,
    ).toMatchObject({
      rawDesired: 40,
      policyLimited: 20,
      final: 20,
      limit: 'TooManyReplicas',
    });
  });
});

describe('stabilisation windows on a manual clock', () => {
  const loadAt = (percent: number) => (replicas: number) => evenly(replicas, percent);

  it('does not scale down after a 4-minute dip, and does after a 6-minute one (300 s window)', () => {
    const loop = manualLoop(cpuSpec(), 4);
    loop.evaluate(loadAt(100));
    for (let t = 0; t < 16; t += 1) {
      loop.advance(15_000);
      expect(loop.evaluate(loadAt(50)).final).toBe(4); // up to 4 min of dip
    }
    for (let t = 0; t < 8; t += 1) {
      loop.advance(15_000);
      loop.evaluate(loadAt(50));
    }
    expect(loop.replicas).toBe(2); // 6 minutes of dip
  });

  it('scales down as soon as the window holds only lower recommendations, to the highest of them', () => {
    const loop = manualLoop(cpuSpec(), 4);
    loop.evaluate(loadAt(100)); // t = 0 recommends 4
    loop.advance(100_000);
    loop.evaluate(loadAt(75)); // recommends 3
    loop.advance(100_000);
    expect(loop.evaluate(loadAt(25)).final).toBe(4); // 1 recommended, but 4 is in the window
    loop.advance(101_000); // t = 301 s: 4 has left the window, 3 has not
    const decision = loop.evaluate(loadAt(25));
    expect(decision).toMatchObject({ rawDesired: 1, stabilised: 3, final: 3 });
  });

  it('scales up at once (0 s window) but never above the lowest recommendation of a configured up window', () => {
    expect(manualLoop(cpuSpec(), 2).evaluate(loadAt(200)).final).toBe(4);
    const slowUp = manualLoop(cpuSpec({ behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } }), 2);
    expect(slowUp.evaluate(loadAt(200)).final).toBe(2); // the seeded 2 is in the window
    slowUp.advance(61_000);
    expect(slowUp.evaluate(loadAt(200)).final).toBe(4);
  });
});

describe('scaling policies on a manual clock', () => {
  it('removes 8 of 80, then 8 of 72, and 4 at a time below 40 (Pods 4/60 s and Percent 10/60 s, the larger change)', () => {
    const spec = cpuSpec({
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 0,
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 60 },
            { type: 'Percent', value: 10, periodSeconds: 60 },
          ],
        },
      },
    });
    const loop = manualLoop(spec, 80);
    const counts: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      counts.push(loop.evaluate((replicas) => evenly(replicas, 1)).final);
      loop.advance(60_000);
    }
    expect(counts).toEqual([72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16]);
  });

  it('waits for the period to pass before a second step', () => {
    const spec = cpuSpec({
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
      },
    });
    const loop = manualLoop(spec, 80);
    expect(loop.evaluate((r) => evenly(r, 1)).final).toBe(72);
    loop.advance(15_000);
    expect(loop.evaluate((r) => evenly(r, 1))).toMatchObject({ rawDesired: 1, final: 72, limit: 'ScaleDownLimit' });
    loop.advance(45_000);
    expect(loop.evaluate((r) => evenly(r, 1)).final).toBe(64);
  });

  it('scales up by the larger of 100 % and 4 instances per 15 s by default', () => {
    const loop = manualLoop(cpuSpec(), 1);
    expect(loop.evaluate(() => evenly(1, 1000))).toMatchObject({ rawDesired: 10, final: 5, limit: 'ScaleUpLimit' });
    loop.advance(5_000);
    expect(loop.evaluate(() => evenly(5, 1000)).final).toBe(5); // the period is not over
    loop.advance(10_000);
    expect(loop.evaluate(() => evenly(5, 1000)).final).toBe(10);
  });

  it('takes the smaller change with selectPolicy Min, and none with Disabled', () => {
    const min = manualLoop(cpuSpec({ behavior: { scaleUp: { selectPolicy: 'Min' } } }), 1);
    expect(min.evaluate(() => evenly(1, 1000)).final).toBe(2);
    const disabledUp = manualLoop(cpuSpec({ behavior: { scaleUp: { selectPolicy: 'Disabled' } } }), 3);
    expect(disabledUp.evaluate(() => evenly(3, 1000)).final).toBe(3);
    const disabledDown = manualLoop(
      cpuSpec({ behavior: { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } } }),
      3,
    );
    expect(disabledDown.evaluate(() => evenly(3, 1))).toMatchObject({ rawDesired: 1, final: 3 });
  });
});
