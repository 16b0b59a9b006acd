/**
 * A process type's `autoscale` block: bounds, metrics and the scaling behaviour, with the defaults and limits of the
 * Kubernetes HorizontalPodAutoscaler (autoscaling/v2), so a setting means here what it means there.
 */
import { z } from 'zod';
import { strictObject } from './strict-object.js';

/** The metrics Slipway measures itself: CPU from the runtime, requests from the edge. */
export const autoscaleMetricTypes = ['cpu', 'inFlight', 'requestsPerSecond'] as const;
export type AutoscaleMetricType = (typeof autoscaleMetricTypes)[number];

/** The largest `periodSeconds` of a scaling policy (as the HPA's API refuses more). */
export const maxPolicyPeriodSeconds = 1800;
/** The largest stabilisation window (one hour, as the HPA's API). */
export const maxStabilizationWindowSeconds = 3600;
/** The most instances an autoscaler may ask for: the same ceiling as `replicas` and `slipway scale`. */
export const maxAutoscaleInstances = 100;

export const autoscaleMetricSchema = z.discriminatedUnion('type', [
  strictObject({
    type: z.literal('cpu'),
    /** Average CPU of the instances in percent of each one's CPU limit (`resources.cpus`, else one CPU). */
    targetPercent: z.number().gt(0).max(10_000),
  }),
  strictObject({
    type: z.literal('inFlight'),
    /** Average requests in flight per instance (concurrency), as the edge counts them. */
    target: z.number().gt(0).max(1_000_000),
  }),
  strictObject({
    type: z.literal('requestsPerSecond'),
    /** Average requests per second per instance, as the edge counts them. */
    target: z.number().gt(0).max(1_000_000),
  }),
]);
export type AutoscaleMetric = z.infer<typeof autoscaleMetricSchema>;

export const scalingPolicySchema = strictObject({
  /** `Pods`: at most `value` instances per period; `Percent`: at most `value` % of the instances at the period's start. */
  type: z.enum(['Pods', 'Percent']),
  value: z.number().int().min(1).max(100_000),
  periodSeconds: z.number().int().min(1).max(maxPolicyPeriodSeconds),
});
export type ScalingPolicy = z.infer<typeof scalingPolicySchema>;

export const selectPolicies = ['Max', 'Min', 'Disabled'] as const;
export type SelectPolicy = (typeof selectPolicies)[number];

/** The HPA's defaults for one direction (kubernetes/website, horizontal-pod-autoscale.md, "Default Behavior"). */
export const defaultScaleUpRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  tolerance: 0.1,
  policies: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ],
} as const satisfies ScalingRules;
export const defaultScaleDownRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  tolerance: 0.1,
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
} as const satisfies ScalingRules;

const scalingRulesSchema = (defaults: ScalingRules) =>
  strictObject({
    /** Scale-down takes the highest recommendation of the window, scale-up the lowest. */
    stabilizationWindowSeconds: z
      .number()
      .int()
      .min(0)
      .max(maxStabilizationWindowSeconds)
      .default(defaults.stabilizationWindowSeconds),
    /** With several policies: `Max` allows the largest change, `Min` the smallest; `Disabled` never scales this way. */
    selectPolicy: z.enum(selectPolicies).default(defaults.selectPolicy),
    /** A ratio of current to target within 1 ± tolerance changes nothing. */
    tolerance: z.number().min(0).max(1).default(defaults.tolerance),
    policies: z
      .array(scalingPolicySchema)
      .min(1)
      .max(10)
      .default(() => defaults.policies.map((p) => ({ ...p }))),
  });

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  tolerance: number;
  policies: readonly ScalingPolicy[];
}

export const autoscaleBehaviorSchema = strictObject({
  scaleUp: scalingRulesSchema(defaultScaleUpRules).default(() => copyRules(defaultScaleUpRules)),
  scaleDown: scalingRulesSchema(defaultScaleDownRules).default(() => copyRules(defaultScaleDownRules)),
});
export type AutoscaleBehavior = z.infer<typeof autoscaleBehaviorSchema>;

/** Scale to zero's defaults (docs/autoscaling.md, "Scale to zero"). */
export const defaultScaleToZero = {
  idleSeconds: 300,
  holdTimeoutSeconds: 30,
  maxHeldRequests: 100,
  maxHeldBytes: 1024 * 1024,
} as const;

/**
 * Opt-in scale to zero: after `idleSeconds` without a request (and none in flight) the last instance stops; while the
 * process type has no healthy instance the edge holds its requests (at most `maxHeldRequests` and `maxHeldBytes` per
 * route and edge process, each at most `holdTimeoutSeconds`) and asks slipwayd to start one.
 */
export const scaleToZeroSchema = strictObject({
  idleSeconds: z.number().int().min(1).max(86_400).default(defaultScaleToZero.idleSeconds),
  holdTimeoutSeconds: z.number().int().min(1).max(300).default(defaultScaleToZero.holdTimeoutSeconds),
  maxHeldRequests: z.number().int().min(1).max(10_000).default(defaultScaleToZero.maxHeldRequests),
  maxHeldBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(defaultScaleToZero.maxHeldBytes),
});
export type ScaleToZeroSpec = z.infer<typeof scaleToZeroSchema>;

export const autoscaleSpecSchema = strictObject({
  /** Fewest instances while the process type serves (at least 1; `scaleToZero` stops the last one when idle). */
  min: z.number().int().min(0).max(maxAutoscaleInstances).default(1),
  /** Most instances. */
  max: z.number().int().min(1).max(maxAutoscaleInstances),
  metrics: z
    .array(autoscaleMetricSchema)
    .min(1)
    .max(3)
    .refine(
      (metrics) => new Set(metrics.map((m) => m.type)).size === metrics.length,
      'each metric type may appear once',
    ),
  behavior: autoscaleBehaviorSchema.default(() => ({
    scaleUp: copyRules(defaultScaleUpRules),
    scaleDown: copyRules(defaultScaleDownRules),
  })),
  /** Absent: the process type never goes below `min`. */
  scaleToZero: scaleToZeroSchema.optional(),
})
  .refine((spec) => spec.min >= 1, {
    message: 'min is at least 1: to stop the last instance when idle, add scaleToZero: { idleSeconds: 300 }',
    path: ['min'],
  })
  .refine((spec) => spec.max >= spec.min, { message: 'max must be at least min', path: ['max'] });
export type AutoscaleSpec = z.infer<typeof autoscaleSpecSchema>;

function copyRules(rules: ScalingRules) {
  return { ...rules, policies: rules.policies.map((p) => ({ ...p })) };
}
