/** The log drains' counters: lines acknowledged by drains and sends that failed, by drain kind (a bounded label). */
import { Counter, type Registry } from 'prom-client';
import type { LogDrainShipperHooks } from '@slipway/core';

export function createLogDrainMetrics(registry: Registry): Required<LogDrainShipperHooks> {
  const registers = [registry];
  const shipped = new Counter({
    name: 'slipway_log_drain_lines_shipped_total',
    help: 'Persisted log lines acknowledged by log drains, by drain kind (syslog, http)',
    labelNames: ['kind'],
    registers,
  });
  const failed = new Counter({
    name: 'slipway_log_drain_failed_sends_total',
    help: 'Sends to log drains that failed (each is retried with backoff), by drain kind (syslog, http)',
    labelNames: ['kind'],
    registers,
  });
  return {
    onShipped: (kind, lines) => shipped.inc({ kind }, lines),
    onFailed: (kind) => failed.inc({ kind }),
  };
}
