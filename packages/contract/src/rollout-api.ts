/**
 * Rollouts in the API: the status model (`GET /api/v1/apps/:app/rollout?environment=`) and the controls
 * (`POST /api/v1/apps/:app/rollout/{promote,pause,resume,abort,retry}?environment=`).
 */
import { z } from 'zod';

export const rolloutPhases = ['progressing', 'paused', 'healthy', 'degraded', 'aborted'] as const;
export type RolloutPhaseName = (typeof rolloutPhases)[number];

export const pauseReasons = ['step', 'approval', 'inconclusive-analysis', 'manual', 'blue-green-preview'] as const;

/** One measurement of an analysis metric. */
export const measurementSchema = z.object({
  metric: z.string(),
  /** `successful`, `failed`, `inconclusive` (no data under `onNoData: inconclusive`), `error` (the provider failed). */
  outcome: z.enum(['successful', 'failed', 'inconclusive', 'error', 'no-data']),
  /** The value measured; null with no data or an error. */
  value: z.number().nullable(),
  /** Why, in words, for `error` and no data (never a secret). */
  detail: z.string().nullable(),
  at: z.string(),
});
export type MeasurementView = z.infer<typeof measurementSchema>;

export const analysisViewSchema = z.object({
  name: z.string(),
  phase: z.enum(['running', 'successful', 'failed', 'error', 'inconclusive']),
  message: z.string().nullable(),
  /** The last measurements of each metric (kept: the analysis' `measurementRetention`), oldest first. */
  measurements: z.array(measurementSchema),
});
export type AnalysisView = z.infer<typeof analysisViewSchema>;

export const rolloutViewSchema = z.object({
  id: z.string(),
  app: z.string(),
  environment: z.string(),
  deploymentId: z.string(),
  strategy: z.enum(['recreate', 'rolling', 'blue-green', 'canary']),
  releaseNumber: z.number().int(),
  stableReleaseNumber: z.number().int().nullable(),
  phase: z.enum(rolloutPhases),
  pauseReason: z.enum(pauseReasons).nullable(),
  message: z.string().nullable(),
  /** The step it is on (0-based) and every step of the strategy. */
  currentStep: z.number().int().min(0),
  steps: z.array(z.object({ index: z.number().int(), label: z.string() })),
  /** The traffic split in force: percent per release, with the requests routed on purpose (header/cookie). */
  weights: z.array(
    z.object({
      releaseNumber: z.number().int(),
      weight: z.number(),
      instances: z.record(z.string(), z.number().int()),
      matches: z.array(z.string()),
      isPreview: z.boolean(),
    }),
  ),
  /** The current step's analysis, when it is one (or the last one run). */
  analysis: analysisViewSchema.nullable(),
  /** The approval request the current step waits on, when it does. */
  approvalRequestId: z.string().nullable(),
  /** A control asked for and not yet acted on. */
  pendingControl: z.enum(['promote', 'promote-full', 'pause', 'abort']).nullable(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RolloutView = z.infer<typeof rolloutViewSchema>;

/** `POST …/rollout/promote`: `full` skips every remaining step, pause and analysis. */
export const promoteRequestSchema = z.object({ full: z.boolean().default(false) }).strict();
export type PromoteRequest = z.infer<typeof promoteRequestSchema>;
