/** slipwayd's options for alerts (docs/alerts.md): how often rules are evaluated and how long resolved alerts stay. */
import { z } from 'zod';
import { option } from './config-option.js';

export const alertOptions = {
  /** Time between two evaluations of every alert rule; a rule's `for` is counted in evaluations this far apart. */
  alertEvaluationIntervalMs: option({ schema: z.number().int().min(100).max(3_600_000), default: 15_000 }),
  /** Resolved alerts are listed (`slipway alerts list`) this many days, then deleted. */
  alertHistoryDays: option({ schema: z.number().int().min(1).max(3_650), default: 7 }),
};
