/**
 * The gate runner of `analysis` steps: on each evaluation it takes a round of measurements when one is due (the
 * router's counters, HTTP and Prometheus providers through the `MetricSource` port), records it in the run kept in
 * the rollout's `gateState`, and answers the run's verdict.
 */
import { isSlipwayError } from '@slipway/contract';
import type { Logger } from '../ports/logger.js';
import type { MetricQueryVars, MetricSource } from '../ports/metric-source.js';
import type { RouterTable } from '../ports/router-table.js';
import {
  isMeasurementDue,
  metricsToMeasure,
  recordRound,
  restoreAnalysisRun,
  startAnalysisRun,
  type AnalysisRunState,
  type MetricRoundInput,
} from './analysis-run.js';
import { measureRouterDelta, readRouterCursor, routerDelta, type RouterCursor } from './router-metric.js';
import type { Gate, GateContext, GateOutcome, GateRunner } from './rollout-model.js';

export type AnalysisGate = Extract<Gate, { kind: 'analysis' }>;

export interface AnalysisGateDeps {
  /** Where `router` metrics read the release's counters. */
  readonly router: Pick<RouterTable, 'metrics'>;
  /** Measures `http` and `prometheus` metrics; without it, each of their measurements is an error. */
  readonly metricSource?: MetricSource;
  /** Where errors that are not Slipway's own are logged (with their stack); never a value of a spec. */
  readonly logger?: Logger;
}

/** A run's verdict as a gate outcome: `error` (errorLimit reached) aborts like `failed`. */
export function analysisOutcome(run: AnalysisRunState): GateOutcome {
  const status = (
    {
      running: 'pending',
      successful: 'passed',
      failed: 'failed',
      error: 'failed',
      inconclusive: 'inconclusive',
    } as const
  )[run.phase];
  return { status, message: run.message, state: run };
}

function describeFailure(error: unknown): string {
  if (isSlipwayError(error)) return `${error.code}: ${error.message}`;
  return 'the provider failed unexpectedly';
}

/**
 * The `analysis` gate runner. Level-based and idempotent between rounds: an evaluation before the next round is due
 * measures nothing (but takes the router's first read, the start of the first interval); a due one takes one round.
 * Terminal verdicts are kept: a run that passed, failed or is inconclusive answers the same until the engine hands it
 * a state without a run (a retry starts a new run). Throws only when `context.signal` aborts mid-round (nothing of
 * that round is recorded then).
 */
export function createAnalysisGateRunner(deps: AnalysisGateDeps): GateRunner<AnalysisGate> {
  const readRouter = async (context: GateContext): Promise<RouterCursor | { error: string }> => {
    try {
      const metrics = await deps.router.metrics();
      return readRouterCursor(
        metrics,
        { app: context.app.name, environment: context.environment.name, releaseNumber: context.targetReleaseNumber },
        context.nowMs,
      );
    } catch (error) {
      return { error: `the router's counters could not be read (${describeFailure(error)})` };
    }
  };

  const measureRound = async (
    run: AnalysisRunState,
    gate: AnalysisGate,
    context: GateContext,
  ): Promise<Record<string, MetricRoundInput>> => {
    const due = metricsToMeasure(run, gate.spec);
    const inputs: Record<string, MetricRoundInput> = {};
    const routerRead = due.some((m) => m.provider.type === 'router') ? readRouter(context) : null;
    const vars: MetricQueryVars = {
      app: context.app.name,
      environment: context.environment.name,
      release: context.targetReleaseNumber,
      stableRelease: context.stableReleaseNumber,
    };
    await Promise.all(
      due.map(async (metric) => {
        const provider = metric.provider;
        if (provider.type === 'router') {
          const read = await (routerRead ?? readRouter(context));
          if ('error' in read) {
            inputs[metric.name] = { reading: { kind: 'error', detail: read.error } };
            return;
          }
          const previous = run.metrics.find((m) => m.name === metric.name)?.cursor ?? null;
          if (previous === null) {
            inputs[metric.name] = { reading: { kind: 'skipped' }, cursor: read };
            return;
          }
          const delta = routerDelta(previous, read);
          if (delta === 'restart') {
            const detail = 'the router restarted during the interval (its counters went down)';
            inputs[metric.name] = { reading: { kind: 'no-data', detail }, cursor: read };
            return;
          }
          const reading = measureRouterDelta(provider.measure, delta, metric.minRequests);
          inputs[metric.name] = {
            reading:
              reading.value === null
                ? { kind: 'no-data', detail: reading.detail }
                : { kind: 'value', value: reading.value, detail: reading.detail },
            cursor: read,
          };
          return;
        }
        if (deps.metricSource === undefined) {
          const detail = `no ${provider.type} metric source is configured on this server`;
          inputs[metric.name] = { reading: { kind: 'error', detail } };
          return;
        }
        try {
          const value = await deps.metricSource.measure(provider, vars, context.signal);
          inputs[metric.name] = {
            reading:
              value === null
                ? { kind: 'no-data', detail: `the ${provider.type} provider answered no value` }
                : { kind: 'value', value, detail: null },
          };
        } catch (error) {
          if (!isSlipwayError(error) && !context.signal.aborted)
            deps.logger?.error({ err: error, metric: metric.name }, 'analysis metric failed unexpectedly');
          inputs[metric.name] = { reading: { kind: 'error', detail: describeFailure(error) } };
        }
      }),
    );
    return inputs;
  };

  return {
    async evaluate(gate, state, context) {
      const spec = gate.spec;
      const run = restoreAnalysisRun(state, spec) ?? startAnalysisRun(spec, context.nowMs);
      if (run.phase !== 'running') return analysisOutcome(run);
      if (!isMeasurementDue(run, context.nowMs)) {
        // The start of the first interval of router metrics: their first round measures the traffic since then.
        const needsFirstRead = metricsToMeasure(run, spec).some(
          (m) => m.provider.type === 'router' && run.metrics.find((s) => s.name === m.name)?.cursor === null,
        );
        if (!needsFirstRead) return analysisOutcome(run);
        const read = await readRouter(context);
        if ('error' in read) return analysisOutcome(run);
        return analysisOutcome({
          ...run,
          metrics: run.metrics.map((m, i) =>
            spec.metrics[i]?.provider.type === 'router' && m.cursor === null ? { ...m, cursor: read } : m,
          ),
        });
      }
      const inputs = await measureRound(run, gate, context);
      context.signal.throwIfAborted();
      return analysisOutcome(recordRound(run, spec, inputs, context.nowMs));
    },
  };
}
