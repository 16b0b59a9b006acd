/**
 * Condition sources read from the edge router's own per-release counters (`RouterTable.metrics`, the same counters
 * canary analysis reads): `error-rate` (5xx answers among requests) and `latency-p95`/`latency-p99` (that quantile of
 * request durations, in ms) of an app in an environment, over the traffic since the rule's previous evaluation.
 * A rule's first evaluation (after a slipwayd start too) only reads the counters: it has no interval yet, so no data.
 */
import type { EdgeMetrics } from '@slipway/contract';
import {
  histogramQuantile,
  readRouterCursor,
  routerDelta,
  type RouterCursor,
  type RouterDelta,
} from '../delivery/router-metric.js';
import { alertKindSpecs, formatAlertValue } from './alert-kinds.js';
import { appSubjectKey, appSubjectOf, type AlertConditionSource, type AlertObservation } from './alert-conditions.js';
import type { AlertRuleRecord } from './alert-records.js';

type EdgeKind = 'error-rate' | 'latency-p95' | 'latency-p99';

type EdgeRelease = EdgeMetrics['releases'][number];

/** The releases the edge counts, by app and environment, so each subject looks at its own only. */
function releasesBySubject(metrics: EdgeMetrics): Map<string, EdgeRelease[]> {
  const bySubject = new Map<string, EdgeRelease[]>();
  for (const release of metrics.releases) {
    const key = `${release.app}\u0000${release.environment}`;
    const releases = bySubject.get(key);
    if (releases === undefined) bySubject.set(key, [release]);
    else releases.push(release);
  }
  return bySubject;
}

const noCursors: ReadonlyMap<string, RouterCursor> = new Map();

/** The traffic of an app in an environment since the last read: every release's delta added up. */
function trafficOf(
  metrics: EdgeMetrics,
  releases: readonly EdgeRelease[],
  previous: ReadonlyMap<string, RouterCursor> | undefined,
  nowMs: number,
  next: Map<string, RouterCursor>,
): RouterDelta | null {
  let total: RouterDelta | null = null;
  for (const release of releases) {
    const key = String(release.releaseNumber);
    const cursor = readRouterCursor(metrics, release, nowMs);
    next.set(key, cursor);
    if (previous === undefined) continue;
    const before = previous.get(key) ?? { ...cursor, requests: 0, status5xx: 0, latency: cursor.latency.map(() => 0) };
    const delta = routerDelta(before, cursor);
    if (delta === 'restart') continue;
    if (total === null || total.latencyBucketsUs.length !== delta.latencyBucketsUs.length) {
      total = { ...delta, latency: [...delta.latency] };
      continue;
    }
    total.requests += delta.requests;
    total.status5xx += delta.status5xx;
    total.latency = total.latency.map((n, i) => n + (delta.latency[i] ?? 0));
  }
  return total;
}

function measure(
  kind: EdgeKind,
  rule: AlertRuleRecord,
  delta: RouterDelta | null,
): Pick<AlertObservation, 'condition' | 'value' | 'message'> {
  const spec = alertKindSpecs[kind].threshold;
  const threshold = rule.threshold ?? spec?.defaultValue ?? 0;
  const minRequests = rule.minRequests ?? alertKindSpecs[kind].defaultMinRequests ?? 1;
  const requests = delta?.requests ?? 0;
  if (delta === null || requests < minRequests || requests === 0) {
    return {
      condition: 'no-data',
      value: null,
      message: `${requests} request${requests === 1 ? '' : 's'} since the last evaluation, fewer than minRequests ${minRequests}`,
    };
  }
  if (kind === 'error-rate') {
    const value = delta.status5xx / requests;
    return {
      condition: value > threshold ? 'active' : 'inactive',
      value,
      message: `${formatAlertValue(value, 'share')} of ${requests} requests answered 5xx`,
    };
  }
  const quantileUs = histogramQuantile(kind === 'latency-p95' ? 0.95 : 0.99, delta.latencyBucketsUs, delta.latency);
  if (quantileUs === null) {
    return { condition: 'no-data', value: null, message: 'the edge keeps no latency histogram' };
  }
  const value = quantileUs / 1000;
  return {
    condition: value > threshold ? 'active' : 'inactive',
    value,
    message: `${kind === 'latency-p95' ? 'p95' : 'p99'} latency ${formatAlertValue(value, 'ms')} over ${requests} requests`,
  };
}

export function createEdgeConditionSource(kind: EdgeKind): AlertConditionSource {
  /**
   * Per rule, per subject, the counters of each release as last read. A subject the edge counts no release of has
   * no entry (as many as there are app environments otherwise, made again on every pass); it reads as none counted.
   */
  const cursors = new Map<string, Map<string, Map<string, RouterCursor>>>();
  return {
    async observe(rule, context) {
      const subjects = await context.appEnvironmentsOf(rule);
      const metrics = await context.edgeMetrics();
      const releases = releasesBySubject(metrics);
      const before = cursors.get(rule.id);
      const after = new Map<string, Map<string, RouterCursor>>();
      const observations = subjects.map((subject): AlertObservation => {
        const key = appSubjectKey(subject);
        const counted = releases.get(`${subject.app.name}\u0000${subject.environment.name}`) ?? [];
        let delta: RouterDelta | null = null;
        if (counted.length > 0) {
          const next = new Map<string, RouterCursor>();
          after.set(key, next);
          const previous = before === undefined ? undefined : (before.get(key) ?? noCursors);
          delta = trafficOf(metrics, counted, previous, context.nowMs, next);
        }
        return { ...appSubjectOf(subject), ...measure(kind, rule, before === undefined ? null : delta) };
      });
      cursors.set(rule.id, after);
      return observations;
    },
    retain(ruleIds) {
      for (const id of cursors.keys()) if (!ruleIds.has(id)) cursors.delete(id);
    },
  };
}
