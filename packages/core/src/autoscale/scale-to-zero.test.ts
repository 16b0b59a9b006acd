import { autoscaleSpecSchema, type AutoscaleSpec, type EdgeMetrics } from '@slipway/contract';
import { describe, expect, it } from 'vitest';
import { decideReplicas, type AutoscaleSamples } from './autoscale-decision.js';
import { coldStartHoldOf, createIdleTracker, type IdleReading } from './cold-start.js';
import { emptyAutoscaleHistory, type AutoscaleHistory } from './scaling-behavior.js';

const scope = { app: 'shop', environment: 'production', process: 'web' };

function zeroSpec(scaleToZero: Record<string, unknown> = { idleSeconds: 300 }): AutoscaleSpec {
  return autoscaleSpecSchema.parse({
    min: 1,
    max: 10,
    metrics: [{ type: 'inFlight', target: 10 }],
    scaleToZero,
  });
}

/** The edge's counters of the app's one route: `requests` so far and `active` under way. */
function edgeWith(requests: number, active = 0): EdgeMetrics {
  const counters = {
    requests,
    active,
    status: { '2xx': requests, '3xx': 0, '4xx': 0, '5xx': 0 },
    connectErrors: 0,
    latency: [],
  };
  return {
    latencyBucketsUs: [],
    routes: [{ host: 'shop.test', pathPrefix: '/', ...scope, counters }],
    releases: [],
  };
}

/** In-flight samples of `replicas` idle instances: by the metric alone, the count stays. */
const idleInstances = (replicas: number): AutoscaleSamples => ({
  inFlight: Array.from({ length: replicas }, (_, i) => ({ instanceId: `i${i}`, isReady: true, value: 0 })),
});

/** The autoscaler's evaluation on a manual clock: the edge read, the idle time tracked, the count applied. */
function manualLoop(spec: AutoscaleSpec, startReplicas: number) {
  const tracker = createIdleTracker();
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
    /** A person's `slipway scale` (or a wake) between two evaluations. */
    scaleTo(count: number) {
      replicas = count;
    },
    evaluate(edge: EdgeMetrics | { error: string }) {
      const idle: IdleReading = tracker.observe(scope, edge, nowMs, replicas);
      const result = decideReplicas(spec, replicas, idleInstances(replicas), history, nowMs, idle);
      history = result.history;
      replicas = result.decision.final;
      return result.decision;
    },
  };
}

describe('scale to zero in the manifest', () => {
  it('fills in its documented defaults', () => {
    expect(zeroSpec({}).scaleToZero).toEqual({
      idleSeconds: 300,
      holdTimeoutSeconds: 30,
      maxHeldRequests: 100,
      maxHeldBytes: 1_048_576,
    });
    expect(coldStartHoldOf(zeroSpec({}))).toEqual({
      holdTimeoutMs: 30_000,
      maxHeldRequests: 100,
      maxHeldBytes: 1_048_576,
    });
    expect(coldStartHoldOf(autoscaleSpecSchema.parse({ max: 2, metrics: [{ type: 'cpu', targetPercent: 50 }] }))).toBe(
      undefined,
    );
  });
});

describe('the idle period before scaling to zero (manual clock)', () => {
  it('stops every instance once no request came for idleSeconds and none is under way', () => {
    const loop = manualLoop(zeroSpec(), 2);
    expect(loop.evaluate(edgeWith(40)).final).toBe(2);
    loop.advance(299_000);
    expect(loop.evaluate(edgeWith(40)).final).toBe(2);
    loop.advance(1_000);
    const decision = loop.evaluate(edgeWith(40));
    expect(decision).toMatchObject({ currentReplicas: 2, rawDesired: 0, final: 0, limit: 'IdleScaleToZero' });
    expect(decision.reasoning).toBe('no request for 300 s and none under way (scaleToZero.idleSeconds 300): 2 → 0');
  });

  it('starts the idle period again on every new request', () => {
    const loop = manualLoop(zeroSpec({ idleSeconds: 60 }), 1);
    loop.evaluate(edgeWith(1));
    loop.advance(45_000);
    loop.evaluate(edgeWith(2));
    loop.advance(45_000);
    expect(loop.evaluate(edgeWith(2)).final).toBe(1);
    loop.advance(15_000);
    expect(loop.evaluate(edgeWith(2)).final).toBe(0);
  });

  it('never stops an instance while a request is under way, however long ago the last one began', () => {
    const loop = manualLoop(zeroSpec({ idleSeconds: 60 }), 1);
    loop.evaluate(edgeWith(5, 1));
    loop.advance(600_000);
    expect(loop.evaluate(edgeWith(5, 1)).final).toBe(1);
    loop.advance(59_000);
    expect(loop.evaluate(edgeWith(5, 0)).final).toBe(1);
    loop.advance(1_000);
    expect(loop.evaluate(edgeWith(5, 0)).final).toBe(0);
  });

  it('counts a first reading (a slipwayd restart) as activity, so it waits a whole idle period', () => {
    const loop = manualLoop(zeroSpec({ idleSeconds: 60 }), 1);
    loop.advance(3_600_000);
    expect(loop.evaluate(edgeWith(5)).final).toBe(1);
    loop.advance(60_000);
    expect(loop.evaluate(edgeWith(5)).final).toBe(0);
  });

  it('keeps the instances when the edge cannot be read or routes nothing to the process type', () => {
    const loop = manualLoop(zeroSpec({ idleSeconds: 1 }), 1);
    loop.evaluate({ error: 'the edge did not answer' });
    loop.advance(10_000);
    expect(loop.evaluate({ error: 'the edge did not answer' }).final).toBe(1);
    const unrouted: EdgeMetrics = { latencyBucketsUs: [], routes: [], releases: [] };
    loop.advance(10_000);
    expect(loop.evaluate(unrouted).final).toBe(1);
    loop.advance(10_000);
    expect(loop.evaluate(unrouted).final).toBe(1);
  });

  it('treats an edge restart (its count going down) as activity', () => {
    const loop = manualLoop(zeroSpec({ idleSeconds: 60 }), 1);
    loop.evaluate(edgeWith(500));
    loop.advance(50_000);
    loop.evaluate(edgeWith(3));
    loop.advance(50_000);
    expect(loop.evaluate(edgeWith(3)).final).toBe(1);
  });

  it('gives a count raised from zero without a request (a person scaling up) a whole idle period', () => {
    const loop = manualLoop(zeroSpec({ idleSeconds: 60 }), 1);
    loop.evaluate(edgeWith(5));
    loop.advance(60_000);
    expect(loop.evaluate(edgeWith(5)).final).toBe(0);
    loop.advance(3_600_000);
    loop.evaluate(edgeWith(5));

    loop.scaleTo(2);
    loop.advance(1_000);
    expect(loop.evaluate(edgeWith(5)).final).toBe(2);
    loop.advance(59_000);
    expect(loop.evaluate(edgeWith(5)).final).toBe(2);
    loop.advance(1_000);
    expect(loop.evaluate(edgeWith(5))).toMatchObject({ currentReplicas: 2, final: 0, limit: 'IdleScaleToZero' });
  });

  it('waits at zero for the edge to wake it, and says so', () => {
    const loop = manualLoop(zeroSpec({ idleSeconds: 60 }), 0);
    expect(loop.evaluate(edgeWith(0))).toMatchObject({ final: 0, limit: 'ScaledToZero' });
    loop.advance(600_000);
    expect(loop.evaluate(edgeWith(0))).toMatchObject({
      final: 0,
      limit: 'ScaledToZero',
      reasoning: 'scaled to zero: the next request, held at the edge, starts an instance',
    });
  });

  it('leaves a process type without scaleToZero at its min however long it idles', () => {
    const spec = autoscaleSpecSchema.parse({ min: 1, max: 10, metrics: [{ type: 'inFlight', target: 10 }] });
    const loop = manualLoop(spec, 1);
    loop.evaluate(edgeWith(1));
    loop.advance(86_400_000);
    expect(loop.evaluate(edgeWith(1)).final).toBe(1);
  });
});
