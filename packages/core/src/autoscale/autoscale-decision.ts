/**
 * One evaluation of a process type's autoscaler, as the HorizontalPodAutoscaler's reconcile does it: the current
 * count brought into [min, max] first; else each metric's proposal, the largest winning (no scale-down while a metric
 * fails), stabilised, then rate-limited by the policies and bounded. Pure: samples, history and the time come in, the
 * decision (with every input and step of its reasoning) and the new history go out.
 */
import type { AutoscaleMetric, AutoscaleMetricType, AutoscaleSpec } from '@slipway/contract';
import type { IdleReading } from './cold-start.js';
import { proposeReplicas, type InstanceSample, type MetricProposal } from './replica-proposal.js';
import {
  emptyAutoscaleHistory,
  limitRate,
  recordScaleEvent,
  stabilise,
  type AutoscaleHistory,
  type LimitReason,
} from './scaling-behavior.js';

/** Per metric type the instances' samples, or why the metric could not be read at all. */
export type AutoscaleSamples = Partial<Record<AutoscaleMetricType, readonly InstanceSample[] | { error: string }>>;

export interface AutoscaleDecision {
  atMs: number;
  currentReplicas: number;
  metrics: MetricProposal[];
  /** The largest proposal (or the bound the count was outside of); null when no change could be computed. */
  rawDesired: number | null;
  stabilised: number | null;
  policyLimited: number | null;
  final: number;
  limit:
    | LimitReason
    | 'OutOfRange'
    | 'ScalingDisabled'
    | 'MetricsUnavailable'
    | 'IdleScaleToZero'
    | 'ScaledToZero'
    | 'WokenByRequest';
  reasoning: string;
}

/** The target of a metric spec in its own unit: percent of the CPU limit, or requests per instance. */
export function targetOf(metric: AutoscaleMetric): number {
  return metric.type === 'cpu' ? metric.targetPercent : metric.target;
}

export function decideReplicas(
  spec: AutoscaleSpec,
  currentReplicas: number,
  samples: AutoscaleSamples,
  history: AutoscaleHistory,
  nowMs: number,
  idle?: IdleReading,
): { decision: AutoscaleDecision; history: AutoscaleHistory } {
  const base = { atMs: nowMs, currentReplicas, metrics: [] as MetricProposal[] };
  const toZero = spec.scaleToZero === undefined ? undefined : scaleToZeroDecision(spec, currentReplicas, idle, nowMs);
  if (toZero !== undefined) return { decision: toZero, history: toZero.final === 0 ? emptyAutoscaleHistory : history };
  if (currentReplicas === 0) {
    // Scaled to 0 by a person: the autoscaler steps aside (the HPA's ScalingDisabled).
    const decision: AutoscaleDecision = {
      ...base,
      rawDesired: null,
      stabilised: null,
      policyLimited: null,
      final: 0,
      limit: 'ScalingDisabled',
      reasoning: 'the process type is scaled to 0: autoscaling is off until it is scaled up',
    };
    return { decision, history };
  }
  if (currentReplicas > spec.max || currentReplicas < spec.min) {
    const bound = currentReplicas > spec.max ? spec.max : spec.min;
    const decision: AutoscaleDecision = {
      ...base,
      rawDesired: bound,
      stabilised: bound,
      policyLimited: bound,
      final: bound,
      limit: 'OutOfRange',
      reasoning: `${currentReplicas} is outside [${spec.min}, ${spec.max}]: set to ${bound}`,
    };
    return { decision, history: recordScaleEvent(spec.behavior, history, currentReplicas, bound, nowMs) };
  }

  const tolerances = { scaleUp: spec.behavior.scaleUp.tolerance, scaleDown: spec.behavior.scaleDown.tolerance };
  const metrics: MetricProposal[] = [];
  let invalid = 0;
  let rawDesired = 0;
  let winner: AutoscaleMetricType | undefined;
  for (const metric of spec.metrics) {
    const target = targetOf(metric);
    const metricSamples = samples[metric.type];
    const proposal =
      metricSamples === undefined || 'error' in metricSamples
        ? failedProposal(metric.type, target, metricSamples?.error ?? 'no samples')
        : proposeReplicas(metric.type, target, metricSamples, currentReplicas, tolerances);
    metrics.push(proposal);
    if (proposal.proposal === null) {
      invalid += 1;
      continue;
    }
    if (rawDesired === 0 || proposal.proposal > rawDesired) {
      rawDesired = proposal.proposal;
      winner = metric.type;
    }
  }
  if (invalid >= spec.metrics.length || (invalid > 0 && rawDesired < currentReplicas)) {
    const decision: AutoscaleDecision = {
      ...base,
      metrics,
      rawDesired: invalid >= spec.metrics.length ? null : rawDesired,
      stabilised: null,
      policyLimited: null,
      final: currentReplicas,
      limit: 'MetricsUnavailable',
      reasoning:
        invalid >= spec.metrics.length
          ? 'no metric could be computed: no change'
          : `a metric could not be computed and the others ask for fewer (${rawDesired}): no change`,
    };
    return { decision, history };
  }

  // The HPA seeds a fresh window with the current count, so a restart never scales down at once.
  const seeded: AutoscaleHistory =
    history.recommendations.length === 0
      ? { ...history, recommendations: [{ atMs: nowMs, replicas: currentReplicas }] }
      : history;
  const { stabilised, recommendations } = stabilise(spec.behavior, seeded, currentReplicas, rawDesired, nowMs);
  const next: AutoscaleHistory = { ...seeded, recommendations };
  const { policyLimited, final, limit } = limitRate(spec.behavior, spec, next, currentReplicas, stabilised, nowMs);
  const decision: AutoscaleDecision = {
    ...base,
    metrics,
    rawDesired,
    stabilised,
    policyLimited,
    final,
    limit,
    reasoning: reasoningOf(winner, currentReplicas, rawDesired, stabilised, policyLimited, final, limit),
  };
  return { decision, history: recordScaleEvent(spec.behavior, next, currentReplicas, final, nowMs) };
}

/**
 * Scale to zero comes before the metrics: a process type at 0 waits for the edge to wake it; one without a request
 * (none under way either) for `idleSeconds` stops, all its instances at once (no policy or window applies: idle is
 * idle). Undefined: the metrics decide.
 */
function scaleToZeroDecision(
  spec: AutoscaleSpec,
  currentReplicas: number,
  idle: IdleReading | undefined,
  nowMs: number,
): AutoscaleDecision | undefined {
  const idleSeconds = spec.scaleToZero?.idleSeconds;
  if (idleSeconds === undefined) return undefined;
  const base = { atMs: nowMs, currentReplicas, metrics: [] };
  if (currentReplicas === 0) {
    return {
      ...base,
      rawDesired: null,
      stabilised: null,
      policyLimited: null,
      final: 0,
      limit: 'ScaledToZero',
      reasoning: 'scaled to zero: the next request, held at the edge, starts an instance',
    };
  }
  if (idle === undefined || 'error' in idle || idle.idleForMs < idleSeconds * 1000) return undefined;
  return {
    ...base,
    rawDesired: 0,
    stabilised: 0,
    policyLimited: 0,
    final: 0,
    limit: 'IdleScaleToZero',
    reasoning: `no request for ${Math.floor(idle.idleForMs / 1000)} s and none under way (scaleToZero.idleSeconds ${idleSeconds}): ${currentReplicas} → 0`,
  };
}

function failedProposal(metric: AutoscaleMetricType, target: number, error: string): MetricProposal {
  return {
    metric,
    target,
    current: null,
    ratio: null,
    proposal: null,
    readyCount: 0,
    missingCount: 0,
    notReadyCount: 0,
    reasoning: error,
  };
}

function reasoningOf(
  winner: AutoscaleMetricType | undefined,
  current: number,
  rawDesired: number,
  stabilised: number,
  policyLimited: number,
  final: number,
  limit: AutoscaleDecision['limit'],
): string {
  const steps = [`${winner ?? 'metrics'} asks for ${rawDesired}`];
  if (stabilised !== rawDesired) steps.push(`stabilised to ${stabilised}`);
  if (policyLimited !== stabilised) steps.push(`policies allow ${policyLimited}`);
  if (final !== policyLimited) steps.push(`bounded to ${final}`);
  steps.push(final === current ? `stays at ${current}` : `${current} → ${final} (${limit})`);
  return steps.join('; ');
}
