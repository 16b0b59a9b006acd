/**
 * The run of one analysis as a pure state machine: when the next measurement is due, what each reading counts as
 * under the metric's condition and no-data policy, and the verdict once a limit or `count` is reached. No I/O and no
 * clock but the times it is given; its state is plain JSON, kept in the rollout's `gateState`.
 */
import type { AnalysisMetric, AnalysisSpec } from '@slipway/contract';
import type { RouterCursor } from './router-metric.js';

/** `successful`/`failed` by the condition; `inconclusive`/`no-data` no data (policy `inconclusive`/`ignore`); `error` the provider failed. */
export type MeasurementOutcome = 'successful' | 'failed' | 'inconclusive' | 'error' | 'no-data';

export interface MeasurementRecord {
  outcome: MeasurementOutcome;
  /** The value measured; null with no data, an error, or a non-finite value (`detail` says which). */
  value: number | null;
  /** Why, in words (no data, the provider's error, the condition missed); never a secret. */
  detail: string | null;
  atMs: number;
}

export interface MetricRunState {
  name: string;
  /** Counted over the whole run (not only the retained measurements). */
  successful: number;
  failed: number;
  errors: number;
  /** No-data measurements under `onNoData: ignore` (they count towards nothing). */
  ignored: number;
  /** The last `measurementRetention` measurements, oldest first. */
  measurements: MeasurementRecord[];
  /** `router` metrics: the previous read of the release's counters, the start of the next interval. */
  cursor: RouterCursor | null;
}

/** `failed`: a metric reached its `failureLimit`; `error`: its `errorLimit`; `inconclusive`: no data under that policy. */
export type AnalysisRunPhase = 'running' | 'successful' | 'failed' | 'error' | 'inconclusive';

export interface AnalysisRunState {
  kind: 'analysis-run';
  version: 1;
  startedAtMs: number;
  /** When the next round of measurements is due (the first: `initialDelaySeconds` after the start). */
  nextMeasurementAtMs: number;
  /** Rounds of measurements taken so far. */
  rounds: number;
  phase: AnalysisRunPhase;
  /** Why the run ended (or how far it is), in words. */
  message: string | null;
  metrics: MetricRunState[];
}

/** What a provider answered for one metric in one round. */
export type MetricReading =
  | { kind: 'value'; value: number; detail: string | null }
  | { kind: 'no-data'; detail: string }
  | { kind: 'error'; detail: string }
  /** Nothing measured this round (a router metric taking its first read, the start of its first interval). */
  | { kind: 'skipped' };

/** One metric's reading in a round, and its new router cursor when it read the router (`undefined`: keep it). */
export interface MetricRoundInput {
  reading: MetricReading;
  cursor?: RouterCursor | null;
}

/** A run that has not measured anything yet; its first round is due `initialDelaySeconds` from `nowMs`. */
export function startAnalysisRun(spec: AnalysisSpec, nowMs: number): AnalysisRunState {
  return {
    kind: 'analysis-run',
    version: 1,
    startedAtMs: nowMs,
    nextMeasurementAtMs: nowMs + spec.initialDelaySeconds * 1000,
    rounds: 0,
    phase: 'running',
    message: null,
    metrics: spec.metrics.map((m) => ({
      name: m.name,
      successful: 0,
      failed: 0,
      errors: 0,
      ignored: 0,
      measurements: [],
      cursor: null,
    })),
  };
}

/**
 * The run a gate state holds, or null when it holds none for this spec (absent, another gate's, another version, or
 * a spec whose metrics changed since): the caller starts a new run then.
 */
export function restoreAnalysisRun(state: unknown, spec: AnalysisSpec): AnalysisRunState | null {
  if (typeof state !== 'object' || state === null) return null;
  const run = state as Partial<AnalysisRunState>;
  if (run.kind !== 'analysis-run' || run.version !== 1 || !Array.isArray(run.metrics)) return null;
  if (typeof run.startedAtMs !== 'number' || typeof run.nextMeasurementAtMs !== 'number') return null;
  const names = run.metrics.map((m) => (typeof m === 'object' && m !== null ? m.name : undefined));
  if (names.length !== spec.metrics.length || spec.metrics.some((m, i) => names[i] !== m.name)) return null;
  return run as AnalysisRunState;
}

/** A round is due: the run still runs and its time has come. */
export function isMeasurementDue(run: AnalysisRunState, nowMs: number): boolean {
  return run.phase === 'running' && nowMs >= run.nextMeasurementAtMs;
}

/** Metrics still measured: those without `count` successful measurements yet (a metric done is not measured again). */
export function metricsToMeasure(run: AnalysisRunState, spec: AnalysisSpec): AnalysisMetric[] {
  return spec.metrics.filter((m) => (run.metrics.find((s) => s.name === m.name)?.successful ?? 0) < spec.count);
}

function describeCondition(condition: AnalysisMetric['successCondition']): string {
  if (condition.min !== undefined && condition.max !== undefined) return `within ${condition.min}–${condition.max}`;
  return condition.min !== undefined ? `at least ${condition.min}` : `at most ${condition.max}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(Number.isInteger(value) ? value : Number(value.toPrecision(6)));
}

/** What one reading counts as, by the metric's condition and no-data policy. */
export function judgeReading(
  metric: AnalysisMetric,
  reading: Exclude<MetricReading, { kind: 'skipped' }>,
  atMs: number,
): MeasurementRecord {
  switch (reading.kind) {
    case 'error':
      return { outcome: 'error', value: null, detail: reading.detail, atMs };
    case 'no-data': {
      const detail = `no data: ${reading.detail}`;
      const outcome = { fail: 'failed', inconclusive: 'inconclusive', ignore: 'no-data' } as const;
      return { outcome: outcome[metric.onNoData], value: null, detail, atMs };
    }
    case 'value': {
      // NaN is no data (Prometheus answers it for 0/0); an infinite value is judged, and stored as null (not JSON).
      if (Number.isNaN(reading.value))
        return judgeReading(metric, { kind: 'no-data', detail: 'the value is NaN' }, atMs);
      const { min, max } = metric.successCondition;
      const isWithin = (min === undefined || reading.value >= min) && (max === undefined || reading.value <= max);
      const shown = formatValue(reading.value);
      const detail = isWithin
        ? reading.detail
        : `${shown} is not ${describeCondition(metric.successCondition)}${reading.detail === null ? '' : ` (${reading.detail})`}`;
      return {
        outcome: isWithin ? 'successful' : 'failed',
        value: Number.isFinite(reading.value) ? reading.value : null,
        detail: Number.isFinite(reading.value) ? detail : `value ${shown}${detail === null ? '' : `: ${detail}`}`,
        atMs,
      };
    }
  }
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * Records one round of readings (metrics absent from `inputs` were not measured) and decides: a metric whose failed
 * measurements reach `failureLimit` fails the run (`failureLimit: 3` — the third failure, not the fourth); one whose
 * errors reach `errorLimit` errs it; a no-data measurement under `onNoData: inconclusive` makes it inconclusive; once
 * every metric has `count` successful measurements it is successful. Otherwise the next round is due one interval
 * after this one was (or after `nowMs` when the evaluation came late: a late controller takes one round, not a burst).
 * Pure: returns a new state.
 */
export function recordRound(
  run: AnalysisRunState,
  spec: AnalysisSpec,
  inputs: Readonly<Record<string, MetricRoundInput>>,
  nowMs: number,
): AnalysisRunState {
  const verdicts: Array<{ phase: AnalysisRunPhase; message: string }> = [];
  const metrics = run.metrics.map((state, i): MetricRunState => {
    const metric = spec.metrics[i];
    const input = inputs[state.name];
    if (metric === undefined || input === undefined) return state;
    const next: MetricRunState = {
      ...state,
      measurements: [...state.measurements],
      cursor: input.cursor === undefined ? state.cursor : input.cursor,
    };
    if (input.reading.kind === 'skipped') return next;
    const record = judgeReading(metric, input.reading, nowMs);
    next.measurements = [...next.measurements, record].slice(-spec.measurementRetention);
    const because = record.detail === null ? '' : `: ${record.detail}`;
    switch (record.outcome) {
      case 'successful':
        next.successful += 1;
        break;
      case 'failed':
        next.failed += 1;
        if (next.failed >= metric.failureLimit)
          verdicts.push({
            phase: 'failed',
            message: `metric ${metric.name} failed its ${ordinal(next.failed)} measurement (failureLimit ${metric.failureLimit})${because}`,
          });
        break;
      case 'error':
        next.errors += 1;
        if (next.errors >= metric.errorLimit)
          verdicts.push({
            phase: 'error',
            message: `metric ${metric.name} could not be measured for the ${ordinal(next.errors)} time (errorLimit ${metric.errorLimit})${because}`,
          });
        break;
      case 'inconclusive':
        verdicts.push({
          phase: 'inconclusive',
          message: `metric ${metric.name} had ${record.detail ?? 'no data'}; waiting for a human to promote or abort (onNoData: inconclusive)`,
        });
        break;
      case 'no-data':
        next.ignored += 1;
        break;
    }
    return next;
  });
  const rounds = run.rounds + 1;
  const precedence: AnalysisRunPhase[] = ['failed', 'error', 'inconclusive'];
  const verdict = precedence.map((phase) => verdicts.find((v) => v.phase === phase)).find((v) => v !== undefined);
  if (verdict !== undefined) return { ...run, metrics, rounds, phase: verdict.phase, message: verdict.message };
  if (metrics.every((m) => m.successful >= spec.count))
    return {
      ...run,
      metrics,
      rounds,
      phase: 'successful',
      message: `every metric passed ${spec.count} measurement${spec.count === 1 ? '' : 's'}`,
    };
  const intervalMs = spec.intervalSeconds * 1000;
  const scheduled = run.nextMeasurementAtMs + intervalMs;
  return {
    ...run,
    metrics,
    rounds,
    nextMeasurementAtMs: scheduled > nowMs ? scheduled : nowMs + intervalMs,
    message: progressOf(metrics, spec),
  };
}

/** `success-rate 2/3, latency 1/3 successful`: how far a running analysis is. */
export function progressOf(metrics: readonly MetricRunState[], spec: AnalysisSpec): string {
  return `${metrics.map((m) => `${m.name} ${Math.min(m.successful, spec.count)}/${spec.count}`).join(', ')} successful`;
}
