import { analysisSpecSchema, SlipwayError, type EdgeMetrics, type TrafficCounters } from '@slipway/contract';
import {
  createAnalysisGateRunner,
  toAnalysisView,
  type AnalysisGate,
  type AnalysisGateDeps,
  type GateContext,
  type GateOutcome,
  type RolloutRecord,
} from '@slipway/core';
import { createServer } from 'node:http';
import { createMetricSource } from '@slipway/adapters';
import { describe, expect, it } from 'vitest';
import { createRecordingRouterTable, type RecordingRouterTable } from './core-harness.js';

/** The edge's bucket bounds (µs), as apps/edge/src/traffic-metrics.ts keeps them. */
const latencyBucketsUs = [
  1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

/** Cumulative counters of a release: `requests` of which `errors` answered 5xx, every one in one latency bucket. */
function counters(requests: number, errors: number, bucket = 4): TrafficCounters {
  const latency = new Array<number>(latencyBucketsUs.length + 1).fill(0);
  latency[bucket] = requests;
  return {
    requests,
    status: { '2xx': requests - errors, '3xx': 0, '4xx': 0, '5xx': errors },
    connectErrors: 0,
    latency,
  };
}

/** What the edge answers: the canary (release 7) and the stable release (6, busy: it must never be read). */
function edgeMetrics(canary: TrafficCounters | null): EdgeMetrics {
  const release = (releaseNumber: number, c: TrafficCounters) => ({
    app: 'hello',
    environment: 'production',
    releaseNumber,
    counters: c,
  });
  return {
    latencyBucketsUs,
    routes: [],
    releases: [release(6, counters(50_000, 0, 1)), ...(canary === null ? [] : [release(7, canary)])],
  };
}

function gateOf(metrics: Array<Record<string, unknown>>, spec: Record<string, unknown> = {}): AnalysisGate {
  return {
    kind: 'analysis',
    name: 'canary-check',
    spec: analysisSpecSchema.parse({ intervalSeconds: 10, initialDelaySeconds: 10, count: 3, metrics, ...spec }),
  };
}

const successRate = (extra: Record<string, unknown> = {}) => ({
  name: 'success-rate',
  provider: { type: 'router', measure: 'success-rate' },
  successCondition: { min: 0.95 },
  ...extra,
});

/** Drives one gate as the engine does: the state goes through JSON (it is persisted) between evaluations. */
function gateDriver(router: RecordingRouterTable, gate: AnalysisGate, deps: Partial<AnalysisGateDeps> = {}) {
  const runner = createAnalysisGateRunner({ router, ...deps });
  let nowMs = 1_700_000_000_000;
  let state: unknown = null;
  const context = (): GateContext => ({
    rollout: {} as RolloutRecord,
    app: { id: 'app-1', name: 'hello' },
    environment: { id: 'env-1', name: 'production' },
    targetReleaseNumber: 7,
    stableReleaseNumber: 6,
    nowMs,
    signal: new AbortController().signal,
    observation: {
      nowMs: 0,
      target: { releaseId: 'rel', releaseNumber: 7, processes: {} },
      stable: null,
      scale: {},
      current: [],
      outside: 0,
    },
    targets: [],
  });
  return {
    async evaluate(canary: TrafficCounters | null, afterSeconds: number): Promise<GateOutcome> {
      nowMs += afterSeconds * 1000;
      router.edgeMetrics = edgeMetrics(canary);
      const outcome = await runner.evaluate(gate, state, context());
      state = JSON.parse(JSON.stringify(outcome.state)) as unknown;
      return outcome;
    },
    view: () => toAnalysisView(gate.name, gate.spec, state),
  };
}

describe('the analysis gate on router metrics', () => {
  it('measures the canary between reads, takes a router restart as no data, and passes after count', async () => {
    const router = createRecordingRouterTable();
    const gate = gateOf([
      successRate({ onNoData: 'ignore' }),
      {
        name: 'latency',
        provider: { type: 'router', measure: 'latency-p99' },
        successCondition: { max: 100 },
        onNoData: 'ignore',
      },
    ]);
    const drive = gateDriver(router, gate);

    // The start: the first read, before the canary served anything.
    expect((await drive.evaluate(null, 0)).status).toBe('pending');
    expect((await drive.evaluate(counters(100, 2), 10)).status).toBe('pending');
    // Not due yet: nothing measured between intervals.
    expect((await drive.evaluate(counters(110, 2), 5)).status).toBe('pending');
    // The router restarted: its counters start again below the last read.
    expect((await drive.evaluate(counters(30, 0), 5)).status).toBe('pending');
    expect((await drive.evaluate(counters(130, 1), 10)).status).toBe('pending');
    const last = await drive.evaluate(counters(230, 1), 10);

    expect(last).toMatchObject({ status: 'passed', message: 'every metric passed 3 measurements' });
    const view = drive.view();
    expect(view.phase).toBe('successful');
    const rates = view.measurements.filter((m) => m.metric === 'success-rate');
    expect(rates.map((m) => [m.outcome, m.value])).toEqual([
      ['successful', 0.98],
      ['no-data', null],
      ['successful', 0.99],
      ['successful', 1],
    ]);
    expect(rates[1]?.detail).toContain('router restarted');
    // Every request in the 10–25 ms bucket: p99 interpolated within it as histogram_quantile does.
    expect(view.measurements.filter((m) => m.metric === 'latency').map((m) => m.value)).toEqual([
      24.85,
      null,
      24.85,
      24.85,
    ]);
  });

  it('does not promote a quiet canary: fewer than minRequests is no data, and pauses with the reason', async () => {
    const drive = gateDriver(createRecordingRouterTable(), gateOf([successRate()]));
    await drive.evaluate(null, 0);
    const outcome = await drive.evaluate(counters(5, 0), 10);
    expect(outcome.status).toBe('inconclusive');
    expect(outcome.message).toContain('5 requests to the release in the interval, fewer than minRequests 20');
    // It stays paused: a later evaluation measures nothing more.
    expect((await drive.evaluate(counters(500, 0), 60)).status).toBe('inconclusive');
    expect(drive.view().measurements).toHaveLength(1);
  });

  it('aborts on the failureLimit-th failed measurement of a canary answering 500s', async () => {
    const drive = gateDriver(createRecordingRouterTable(), gateOf([successRate({ failureLimit: 2 })]));
    await drive.evaluate(null, 0);
    expect((await drive.evaluate(counters(100, 20), 10)).status).toBe('pending');
    const outcome = await drive.evaluate(counters(200, 40), 10);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('failed its 2nd measurement (failureLimit 2)');
    expect(outcome.message).toContain('0.8 is not at least 0.95');
  });

  it('counts an unreadable router as an error, never as a success', async () => {
    const router = createRecordingRouterTable();
    const drive = gateDriver(router, gateOf([successRate({ errorLimit: 2 })]));
    await drive.evaluate(null, 0);
    router.metrics = () => Promise.reject(new SlipwayError('UNAVAILABLE', 'the edge router does not answer'));
    expect((await drive.evaluate(counters(100, 0), 10)).status).toBe('pending');
    const outcome = await drive.evaluate(counters(200, 0), 10);
    expect(outcome.status).toBe('failed');
    expect(drive.view()).toMatchObject({ phase: 'error' });
    expect(drive.view().measurements.map((m) => m.outcome)).toEqual(['error', 'error']);
    expect(outcome.message).toContain('UNAVAILABLE');
  });

  it('counts an http metric as an error when the server has no metric source', async () => {
    const gate = gateOf(
      [
        {
          name: 'business',
          provider: { type: 'http', url: 'http://127.0.0.1:9/metric' },
          successCondition: { min: 1 },
          errorLimit: 1,
        },
      ],
      { initialDelaySeconds: 0 },
    );
    const outcome = await gateDriver(createRecordingRouterTable(), gate).evaluate(null, 0);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('no http metric source is configured');
  });

  it('measures an http metric through the metric source: values, then an error that never passes', async () => {
    const answers = ['0.99', '0.97'];
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const answer = answers.shift();
      res.statusCode = answer === undefined ? 503 : 200;
      res.end(answer ?? 'down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const gate = gateOf(
        [
          {
            name: 'business',
            provider: { type: 'http', url: `http://127.0.0.1:${port}/m?app={{app}}&r={{release}}&s={{stableRelease}}` },
            successCondition: { min: 0.95 },
            errorLimit: 1,
          },
        ],
        { initialDelaySeconds: 0 },
      );
      const drive = gateDriver(createRecordingRouterTable(), gate, { metricSource: createMetricSource() });
      expect((await drive.evaluate(null, 0)).status).toBe('pending');
      expect((await drive.evaluate(null, 10)).status).toBe('pending');
      const outcome = await drive.evaluate(null, 10);
      expect(outcome.status).toBe('failed');
      expect(outcome.message).toContain('METRIC_PROVIDER_FAILED');
      expect(drive.view().measurements.map((m) => [m.outcome, m.value])).toEqual([
        ['successful', 0.99],
        ['successful', 0.97],
        ['error', null],
      ]);
      expect(seen[0]).toBe('/m?app=hello&r=7&s=6');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
