/** `GET /api/v1/apps/:app/autoscale`: each autoscaled process type's settings, count and recent decisions. */
import { z } from 'zod';
import { autoscaleMetricSchema, autoscaleMetricTypes, scaleToZeroSchema } from './autoscale-spec.js';
import { environmentQuerySchema } from './api.js';

export const autoscaleMetricProposalSchema = z.object({
  metric: z.enum(autoscaleMetricTypes),
  target: z.number(),
  /** The average over the ready instances that have a value, before any adjustment; null without one. */
  current: z.number().nullable(),
  ratio: z.number().nullable(),
  proposal: z.number().int().nullable(),
  readyCount: z.number().int(),
  missingCount: z.number().int(),
  notReadyCount: z.number().int(),
  reasoning: z.string(),
});

export const autoscaleDecisionViewSchema = z.object({
  at: z.string(),
  currentReplicas: z.number().int(),
  metrics: z.array(autoscaleMetricProposalSchema),
  rawDesired: z.number().int().nullable(),
  stabilised: z.number().int().nullable(),
  policyLimited: z.number().int().nullable(),
  final: z.number().int(),
  limit: z.string(),
  reasoning: z.string(),
});
export type AutoscaleDecisionView = z.infer<typeof autoscaleDecisionViewSchema>;

export const autoscaleProcessViewSchema = z.object({
  process: z.string(),
  min: z.number().int(),
  max: z.number().int(),
  metrics: z.array(autoscaleMetricSchema),
  /** Present when the process type scales to zero when idle. */
  scaleToZero: scaleToZeroSchema.optional(),
  /** The count in force (the last one the autoscaler or a person set). */
  replicas: z.number().int(),
  /** While a rollout runs the autoscaler leaves the count alone. */
  isRolloutActive: z.boolean(),
  /** Newest first. */
  decisions: z.array(autoscaleDecisionViewSchema),
});
export type AutoscaleProcessView = z.infer<typeof autoscaleProcessViewSchema>;

export const autoscaleStatusSchema = z.object({
  app: z.string(),
  environment: z.string(),
  processes: z.array(autoscaleProcessViewSchema),
});
export type AutoscaleStatus = z.infer<typeof autoscaleStatusSchema>;

export const autoscaleQuerySchema = environmentQuerySchema.extend({
  /** Decisions per process type, newest first. */
  limit: z.coerce.number().int().min(1).max(200).default(20),
});
