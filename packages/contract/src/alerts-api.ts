/**
 * Alerts in the API: rules per project (optionally per app and environment) under `/api/v1/alerts/rules`, and the
 * alerts they raised (pending, firing, resolved) under `/api/v1/alerts`.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';

/**
 * What a rule watches. `crash-loop`: an instance of the app crash-loops; `deployment-failed`: the app's last finished
 * deployment failed; `error-rate`: the share of 5xx answers among the app's requests at the edge; `latency-p95`,
 * `latency-p99`: that quantile of the edge's request durations (ms); `disk-usage`: the share of the data dir's
 * filesystem in use; `certificate-expiry`: days left on a routed host's certificate.
 */
export const alertRuleKinds = [
  'crash-loop',
  'deployment-failed',
  'error-rate',
  'latency-p95',
  'latency-p99',
  'disk-usage',
  'certificate-expiry',
] as const;
export type AlertRuleKind = (typeof alertRuleKinds)[number];

export const alertStates = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof alertStates)[number];

export const addAlertRuleBodySchema = z
  .object({
    project: dnsLabelSchema,
    /** Only this app's; every app of the project when absent. */
    app: dnsLabelSchema.optional(),
    /** Only this environment's; every environment when absent. */
    environment: dnsLabelSchema.optional(),
    kind: z.enum(alertRuleKinds),
    /** The kind's default when absent (docs/alerts.md); whether it fits the kind is the core's coded check. */
    threshold: z.number().finite().optional(),
    /** How long the condition must hold before the alert fires; the kind's default when absent. */
    forSeconds: z.number().int().min(0).max(86_400).optional(),
    /** Edge rules: fewer requests than this in an evaluation is no data. Default 20. */
    minRequests: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type AddAlertRuleBody = z.infer<typeof addAlertRuleBodySchema>;

export const alertRuleSchema = z.object({
  id: z.string(),
  project: z.string(),
  /** Null: every app of the project (or none, for `disk-usage`). */
  app: z.string().nullable(),
  /** Null: every environment. */
  environment: z.string().nullable(),
  kind: z.enum(alertRuleKinds),
  /** Null for kinds with no threshold (`crash-loop`, `deployment-failed`). */
  threshold: z.number().nullable(),
  forSeconds: z.number(),
  minRequests: z.number().nullable(),
  /** One of the project's built-in rules (removing it turns it off). */
  isDefault: z.boolean(),
  isEnabled: z.boolean(),
  createdAt: z.string(),
});
export type AlertRuleView = z.infer<typeof alertRuleSchema>;

export const listAlertRulesQuerySchema = z.object({ project: dnsLabelSchema.optional() }).strict();
export const listAlertRulesResponseSchema = z.object({ rules: z.array(alertRuleSchema) });
export const alertRuleParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const alertSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  project: z.string(),
  kind: z.enum(alertRuleKinds),
  /** What the alert is about, in words: `web in production`, `the data dir`, `shop.example.com`. */
  subject: z.string(),
  app: z.string().nullable(),
  environment: z.string().nullable(),
  state: z.enum(alertStates),
  /** When the condition was first seen holding (the alert became pending). */
  activeAt: z.string(),
  firedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** The last value measured (a share 0–1, milliseconds, days, a count), or null when none. */
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  /** The last measurement in words. */
  message: z.string(),
});
export type AlertView = z.infer<typeof alertSchema>;

export const listAlertsQuerySchema = z
  .object({
    project: dnsLabelSchema.optional(),
    state: z.enum(alertStates).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export interface ListAlertsQuery {
  project?: string | undefined;
  state?: AlertState | undefined;
  limit?: number | undefined;
}
export const listAlertsResponseSchema = z.object({ alerts: z.array(alertSchema) });
