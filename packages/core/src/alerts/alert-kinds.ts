/**
 * Each rule kind's shape: what it is about (an app in an environment, or the project as a whole), its threshold's
 * unit, bounds and default, its default duration, and which kinds every project has built in (docs/alerts.md).
 */
import type { AlertRuleKind } from './alert-records.js';

export interface AlertThresholdSpec {
  /** The value the condition is compared with when a rule gives none. */
  defaultValue: number;
  /** Exclusive lower bound, inclusive upper bound. */
  above: number;
  atMost: number;
  unit: 'share' | 'ms' | 'days';
  /** `above`: the condition holds while the value is greater than the threshold; `below`: while it is smaller. */
  direction: 'above' | 'below';
}

export interface AlertKindSpec {
  /** `app`: a rule may be narrowed to an app and an environment; `project`: it is about the project as a whole. */
  scope: 'app' | 'project';
  threshold: AlertThresholdSpec | null;
  defaultForMs: number;
  /** Edge kinds judge a share of requests: fewer than this in an evaluation is no data. */
  defaultMinRequests: number | null;
}

const fiveMinutesMs = 5 * 60_000;
const latency = (defaultValue: number): AlertKindSpec => ({
  scope: 'app',
  threshold: { defaultValue, above: 0, atMost: 600_000, unit: 'ms', direction: 'above' },
  defaultForMs: fiveMinutesMs,
  defaultMinRequests: 20,
});

export const alertKindSpecs: Record<AlertRuleKind, AlertKindSpec> = {
  'crash-loop': { scope: 'app', threshold: null, defaultForMs: 0, defaultMinRequests: null },
  'deployment-failed': { scope: 'app', threshold: null, defaultForMs: 0, defaultMinRequests: null },
  'error-rate': {
    scope: 'app',
    threshold: { defaultValue: 0.05, above: 0, atMost: 1, unit: 'share', direction: 'above' },
    defaultForMs: fiveMinutesMs,
    defaultMinRequests: 20,
  },
  'latency-p95': latency(1_000),
  'latency-p99': latency(2_000),
  'disk-usage': {
    scope: 'project',
    threshold: { defaultValue: 0.9, above: 0, atMost: 1, unit: 'share', direction: 'above' },
    defaultForMs: fiveMinutesMs,
    defaultMinRequests: null,
  },
  'certificate-expiry': {
    scope: 'app',
    threshold: { defaultValue: 14, above: 0, atMost: 365, unit: 'days', direction: 'below' },
    defaultForMs: 0,
    defaultMinRequests: null,
  },
};

/** The rules every project has unless turned off (of the kinds slipwayd has a condition source for). */
export const defaultAlertKinds: readonly AlertRuleKind[] = [
  'crash-loop',
  'error-rate',
  'disk-usage',
  'certificate-expiry',
];

/** `5%`, `250 ms`, `3.5 days`: a value in its kind's unit, for messages. */
export function formatAlertValue(value: number, unit: AlertThresholdSpec['unit'] | undefined): string {
  switch (unit) {
    case 'share':
      return `${Number((value * 100).toFixed(value < 0.001 ? 4 : 1))}%`;
    case 'ms':
      return `${Math.round(value)} ms`;
    case 'days':
      return `${Number(value.toFixed(1))} days`;
    case undefined:
      return String(value);
  }
}

/** `5m`, `30s`, `0s`: a rule's duration in messages. */
export function formatForMs(forMs: number): string {
  if (forMs % 3_600_000 === 0 && forMs > 0) return `${forMs / 3_600_000}h`;
  if (forMs % 60_000 === 0 && forMs > 0) return `${forMs / 60_000}m`;
  return `${Math.round(forMs / 1000)}s`;
}
