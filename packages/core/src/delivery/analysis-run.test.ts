import { analysisSpecSchema, type AnalysisSpec } from '@slipway/contract';
import { describe, expect, it } from 'vitest';
import {
  isMeasurementDue,
  metricsToMeasure,
  recordRound,
  restoreAnalysisRun,
  startAnalysisRun,
  type AnalysisRunState,
  type MetricReading,
} from './analysis-run.js';
import { toAnalysisView } from './analysis-view.js';

/** Time the test moves by hand. */
function manualClock(startMs = 1_700_000_000_000): { nowMs(): number; advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    advance(ms) {
      nowMs += ms;
    },
  };
}

function specOf(metric: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): AnalysisSpec {
  return analysisSpecSchema.parse({
    intervalSeconds: 10,
    metrics: [
      {
        name: 'success-rate',
        provider: { type: 'router', measure: 'success-rate' },
        successCondition: { min: 0.99 },
        ...metric,
      },
    ],
    ...spec,
  });
}

const value = (v: number): MetricReading => ({ kind: 'value', value: v, detail: null });
const noData: MetricReading = { kind: 'no-data', detail: '3 requests to the release in the interval' };
const error: MetricReading = { kind: 'error', detail: 'METRIC_PROVIDER_TIMEOUT: no answer within 5 s' };

/** Feeds readings one round at a time, each when due, and returns the run after each round. */
function drive(spec: AnalysisSpec, readings: MetricReading[]): AnalysisRunState[] {
  const clock = manualClock();
  let run = startAnalysisRun(spec, clock.nowMs());
  const after: AnalysisRunState[] = [];
  for (const reading of readings) {
    while (!isMeasurementDue(run, clock.nowMs())) clock.advance(1_000);
    run = recordRound(run, spec, { 'success-rate': { reading } }, clock.nowMs());
    after.push(run);
  }
  return after;
}

describe('analysis run limits', () => {
  it('fails on the third failed measurement with failureLimit 3, not the fourth', () => {
    const runs = drive(specOf({ failureLimit: 3 }, { count: 10 }), [value(0.5), value(1), value(0.5), value(0.5)]);
    expect(runs.map((r) => r.phase)).toEqual(['running', 'running', 'running', 'failed']);
    expect(runs[3]?.metrics[0]).toMatchObject({ failed: 3, successful: 1 });
    expect(runs[3]?.message).toContain('3rd measurement (failureLimit 3)');
    expect(runs[3]?.message).toContain('0.5 is not at least 0.99');
  });

  it('fails on the first failed measurement by default (failureLimit 1)', () => {
    expect(drive(specOf(), [value(0.98)]).map((r) => r.phase)).toEqual(['failed']);
  });

  it('errs on the errorLimit-th provider error, and never counts an error as a success', () => {
    const runs = drive(specOf({ errorLimit: 2 }, { count: 1 }), [error, error]);
    expect(runs.map((r) => r.phase)).toEqual(['running', 'error']);
    expect(runs[1]?.metrics[0]).toMatchObject({ errors: 2, successful: 0 });
    expect(runs[1]?.message).toContain('METRIC_PROVIDER_TIMEOUT');
  });

  it('passes once the metric has count successful measurements, failures below the limit in between', () => {
    const runs = drive(specOf({ failureLimit: 2 }, { count: 3 }), [value(1), value(0.5), value(0.995), value(1)]);
    expect(runs.map((r) => r.phase)).toEqual(['running', 'running', 'running', 'successful']);
    expect(runs[3]?.metrics[0]).toMatchObject({ successful: 3, failed: 1 });
  });

  it('takes bounds as inclusive and checks max as well as min', () => {
    const spec = specOf({ successCondition: { min: 10, max: 20 }, failureLimit: 5 }, { count: 5 });
    const runs = drive(spec, [value(10), value(20), value(9.99), value(20.01)]);
    expect(runs[3]?.metrics[0]?.measurements.map((m) => m.outcome)).toEqual([
      'successful',
      'successful',
      'failed',
      'failed',
    ]);
  });
});

describe('analysis run without data', () => {
  it('is inconclusive by default, with the reason, and stays so', () => {
    const runs = drive(specOf(), [noData]);
    expect(runs[0]?.phase).toBe('inconclusive');
    expect(runs[0]?.message).toContain('3 requests to the release in the interval');
    expect(runs[0]?.message).toContain('promote or abort');
    expect(isMeasurementDue(runs[0] as AnalysisRunState, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('counts no data as a failure under onNoData: fail', () => {
    const runs = drive(specOf({ onNoData: 'fail', failureLimit: 2 }), [noData, noData]);
    expect(runs.map((r) => r.phase)).toEqual(['running', 'failed']);
    expect(runs[1]?.metrics[0]?.measurements.map((m) => m.outcome)).toEqual(['failed', 'failed']);
  });

  it('does not count no data under onNoData: ignore, so a quiet canary is never passed', () => {
    const spec = specOf({ onNoData: 'ignore' }, { count: 2 });
    const quiet = drive(spec, [noData, noData, noData, noData, noData]);
    expect(quiet.map((r) => r.phase)).toEqual(['running', 'running', 'running', 'running', 'running']);
    expect(quiet[4]?.metrics[0]).toMatchObject({ successful: 0, ignored: 5 });
    expect(drive(spec, [noData, value(1), noData, value(1)]).at(-1)?.phase).toBe('successful');
  });

  it('takes NaN as no data', () => {
    const runs = drive(specOf({ onNoData: 'fail' }), [value(Number.NaN)]);
    expect(runs[0]?.metrics[0]?.measurements[0]).toMatchObject({ outcome: 'failed', value: null });
    expect(runs[0]?.metrics[0]?.measurements[0]?.detail).toContain('NaN');
  });

  it('judges an infinite value and keeps the state JSON', () => {
    const runs = drive(specOf({ successCondition: { max: 500 } }), [value(Number.POSITIVE_INFINITY)]);
    expect(runs[0]?.phase).toBe('failed');
    expect(JSON.parse(JSON.stringify(runs[0]))).toEqual(runs[0]);
  });
});

describe('analysis run timing and retention', () => {
  it('measures first after initialDelaySeconds, then every intervalSeconds', () => {
    const clock = manualClock();
    const spec = specOf({}, { initialDelaySeconds: 60, intervalSeconds: 30, count: 3 });
    let run = startAnalysisRun(spec, clock.nowMs());
    const dueAtSeconds: number[] = [];
    for (let second = 0; second <= 150; second += 1) {
      if (isMeasurementDue(run, clock.nowMs())) {
        dueAtSeconds.push(second);
        run = recordRound(run, spec, { 'success-rate': { reading: value(1) } }, clock.nowMs());
      }
      clock.advance(1_000);
    }
    expect(dueAtSeconds).toEqual([60, 90, 120]);
    expect(run.phase).toBe('successful');
  });

  it('takes one round after a late evaluation, not a burst', () => {
    const clock = manualClock();
    const spec = specOf({}, { intervalSeconds: 10, count: 5 });
    let run = recordRound(
      startAnalysisRun(spec, clock.nowMs()),
      spec,
      { 'success-rate': { reading: value(1) } },
      clock.nowMs(),
    );
    clock.advance(95_000);
    expect(isMeasurementDue(run, clock.nowMs())).toBe(true);
    run = recordRound(run, spec, { 'success-rate': { reading: value(1) } }, clock.nowMs());
    expect(isMeasurementDue(run, clock.nowMs())).toBe(false);
    expect(run.nextMeasurementAtMs).toBe(clock.nowMs() + 10_000);
  });

  it('keeps the last measurementRetention measurements and counts them all', () => {
    const spec = specOf({ failureLimit: 100 }, { count: 100, measurementRetention: 3 });
    const runs = drive(spec, [value(0.1), value(0.2), value(0.3), value(0.4), value(0.5)]);
    const metric = runs[4]?.metrics[0];
    expect(metric?.measurements.map((m) => m.value)).toEqual([0.3, 0.4, 0.5]);
    expect(metric?.failed).toBe(5);
  });

  it('stops measuring a metric once it has count successes, while another still runs', () => {
    const spec = analysisSpecSchema.parse({
      count: 1,
      metrics: [
        { name: 'a', provider: { type: 'router', measure: 'success-rate' }, successCondition: { min: 0.9 } },
        {
          name: 'b',
          provider: { type: 'router', measure: 'success-rate' },
          successCondition: { min: 0.9 },
          onNoData: 'ignore',
        },
      ],
    });
    let run = startAnalysisRun(spec, 0);
    run = recordRound(run, spec, { a: { reading: value(1) }, b: { reading: noData } }, 0);
    expect(metricsToMeasure(run, spec).map((m) => m.name)).toEqual(['b']);
    run = recordRound(run, spec, { b: { reading: value(0.95) } }, 30_000);
    expect(run.phase).toBe('successful');
  });
});

describe('analysis run state', () => {
  it('restores only a run of the same metrics, so a changed spec starts again', () => {
    const spec = specOf();
    const run = JSON.parse(JSON.stringify(startAnalysisRun(spec, 0))) as unknown;
    expect(restoreAnalysisRun(run, spec)).toEqual(run);
    expect(restoreAnalysisRun(run, specOf({ name: 'latency' }))).toBeNull();
    expect(restoreAnalysisRun({ approvalRequestId: 'x' }, spec)).toBeNull();
    expect(restoreAnalysisRun(null, spec)).toBeNull();
  });

  it('shows the retained measurements of every metric oldest first, in the contract view', () => {
    const spec = specOf({ failureLimit: 2 }, { count: 2 });
    const runs = drive(spec, [value(0.5), error, value(1)]);
    const view = toAnalysisView('canary-check', spec, runs[2]);
    expect(view).toMatchObject({ name: 'canary-check', phase: 'running' });
    expect(view.measurements.map((m) => [m.metric, m.outcome, m.value])).toEqual([
      ['success-rate', 'failed', 0.5],
      ['success-rate', 'error', null],
      ['success-rate', 'successful', 1],
    ]);
    expect(view.measurements[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(toAnalysisView('canary-check', spec, null)).toEqual({
      name: 'canary-check',
      phase: 'running',
      message: null,
      measurements: [],
    });
  });
});
