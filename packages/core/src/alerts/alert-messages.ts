/** The sentences of alert notifications (docs/alerts.md shows them): one when an alert fires, one when it resolves. */
import { alertKindSpecs, formatAlertValue, formatForMs } from './alert-kinds.js';
import type { AlertRecord, AlertRuleKind } from './alert-records.js';

/** `(above 5% for 5m)`, `(below 14 days)`, `(for 1m)`, or nothing. */
function conditionOf(kind: AlertRuleKind, threshold: number | null, forMs: number): string {
  const spec = alertKindSpecs[kind].threshold;
  const parts = [
    ...(spec === null || threshold === null ? [] : [`${spec.direction} ${formatAlertValue(threshold, spec.unit)}`]),
    ...(forMs > 0 ? [`for ${formatForMs(forMs)}`] : []),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(' ')})`;
}

export function firingMessage(alert: AlertRecord, forMs: number): string {
  return `Alert ${alert.kind} firing for ${alert.subject}: ${alert.message}${conditionOf(alert.kind, alert.threshold, forMs)}.`;
}

export function resolvedMessage(alert: AlertRecord): string {
  const firedAt = alert.firedAtMs === null ? '' : ` It had fired at ${new Date(alert.firedAtMs).toISOString()}.`;
  return `Alert ${alert.kind} resolved for ${alert.subject}: ${alert.message}.${firedAt}`;
}
