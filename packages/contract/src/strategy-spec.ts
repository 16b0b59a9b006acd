/**
 * How a release replaces the one serving, as `slipway.yaml` declares it (`strategy:`): `recreate` and `rolling` replace
 * instances; `blue-green` starts the new release beside the old one and switches traffic at once; `canary` moves
 * traffic in exact steps, with pauses, analyses, approvals and header/cookie routes. Every issue is worded for users by
 * `manifest-issues.ts`.
 */
import { z } from 'zod';
import { analysisSpecSchema } from './analysis-spec.js';
import { closestName, strictObject } from './strict-object.js';

const seconds = (max: number) => z.number().min(0).max(max);
const wholeSeconds = (min: number, max: number) => z.number().int().min(min).max(max);

/** One week: the longest a step, a promotion or a warm release may wait; a larger figure is a typo. */
const maxWaitSeconds = 7 * 86_400;

/** Kubernetes' and Argo Rollouts' default: a rollout that makes no progress for 10 minutes is stuck. */
export const defaultProgressDeadlineSeconds = 600;
/** The old release stays warm this long after a blue-green switch, so switching back is instant (Argo's default). */
export const defaultScaleDownDelaySeconds = 30;
/** The cookie that keeps a client on the release a canary split sent it to. */
export const defaultStickyCookie = 'slipway-canary';

/** Maximum header/cookie routes of one canary: the routing table carries at most 16 matches per release. */
export const maxCanaryHeaderRoutes = 16;

/** An HTTP field or cookie name: an RFC 9110 §5.6.2 token. */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const tokenName = (what: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(tokenPattern, `must be a ${what} name: letters, digits and !#$%&'*+-.^_\`|~, no spaces`);

/** Visible characters, spaces and tabs: no line break can reach a header or the routing table. */
const matchValue = z
  .string()
  .max(1024)
  .regex(/^[\t\x20-\x7e\x80-\uffff]*$/, 'must not hold control characters such as line breaks');

const progressFields = {
  /** A rollout that makes no progress this long (paused time not counted) misses its deadline. */
  progressDeadlineSeconds: seconds(86_400).default(defaultProgressDeadlineSeconds),
  /** A missed progress deadline aborts the rollout (traffic back on the stable release); false: it is only reported. */
  progressDeadlineAbort: z.boolean().default(true),
};

const onlyRolling = {
  maxSurge: 'only a rolling strategy has maxSurge; remove it, or use type: rolling',
  maxUnavailable: 'only a rolling strategy has maxUnavailable; remove it, or use type: rolling',
};
const onlyCanary = {
  steps: 'only a canary strategy has steps; remove it, or use type: canary',
  stickyCookie: 'only a canary strategy has a stickyCookie; remove it, or use type: canary',
};
const onlyBlueGreen = {
  autoPromoteAfterSeconds: 'only a blue-green strategy promotes after a delay; in a canary, use a "- pause" step',
  prePromotionAnalysis: 'only a blue-green strategy has a prePromotionAnalysis; in a canary, use an "- analysis" step',
  postPromotionAnalysis:
    'only a blue-green strategy has a postPromotionAnalysis; in a canary, use an "- analysis" step',
  scaleDownDelaySeconds: 'only a blue-green strategy keeps the old release warm; remove it, or use type: blue-green',
};
const onlyProgressive = {
  progressDeadlineAbort:
    'only blue-green and canary strategies abort on their deadline; a rolling or recreate rollout that misses it fails',
};

/** Instances over or under the desired count during a rolling update: at most the replica limit, or up to 100 %. */
const intOrPercent = z.union([
  z.number().int().min(0).max(100),
  z.string().regex(/^(100|[1-9]?\d)%$/, 'must be an integer up to 100 or a percentage up to "100%"'),
]);

export const recreateStrategySchema = strictObject(
  { type: z.literal('recreate'), progressDeadlineSeconds: seconds(86_400).default(defaultProgressDeadlineSeconds) },
  { ...onlyRolling, ...onlyCanary, ...onlyBlueGreen, ...onlyProgressive },
);

export const rollingStrategySchema = strictObject(
  {
    type: z.literal('rolling'),
    /** Kubernetes' defaults: 25 % surge (rounded up), 25 % unavailable (rounded down). */
    maxSurge: intOrPercent.default('25%'),
    maxUnavailable: intOrPercent.default('25%'),
    progressDeadlineSeconds: seconds(86_400).default(defaultProgressDeadlineSeconds),
  },
  { ...onlyCanary, ...onlyBlueGreen, ...onlyProgressive },
);

/**
 * Blue-green: the new release starts at full scale beside the stable one and takes no traffic but its preview host's;
 * after the pre-promotion analysis and the promotion (by a user, or after `autoPromoteAfterSeconds`) the router
 * switches all traffic at once; a failing post-promotion analysis switches back; the old release stays warm for
 * `scaleDownDelaySeconds`.
 */
export const blueGreenStrategySchema = strictObject(
  {
    type: z.literal('blue-green'),
    /** Promote this long after the preview is ready (and its analysis passed); absent: wait for `rollout promote`. */
    autoPromoteAfterSeconds: wholeSeconds(0, maxWaitSeconds).optional(),
    /** Measured on the preview before the switch; failing aborts, the stable release never stops serving. */
    prePromotionAnalysis: analysisSpecSchema.optional(),
    /** Measured after the switch; failing switches traffic back to the old release, still warm. */
    postPromotionAnalysis: analysisSpecSchema.optional(),
    /** How long the old release keeps running after the switch (and its analysis), so switching back is instant. */
    scaleDownDelaySeconds: wholeSeconds(0, maxWaitSeconds).default(defaultScaleDownDelaySeconds),
    ...progressFields,
  },
  { ...onlyRolling, ...onlyCanary },
);
export type BlueGreenStrategySpec = z.infer<typeof blueGreenStrategySchema>;

/** A header route: requests whose header matches go to the canary; or a cookie route: an exact cookie value. */
export const headerRouteSchema = strictObject({
  /** The request header to match (case-insensitive, as HTTP field names are). */
  header: tokenName('header').optional(),
  /** The cookie to match (exact value). */
  cookie: tokenName('cookie').optional(),
  value: matchValue,
  /** How a header's value matches: `exact` (default), `prefix`, or `regex` (RE2 syntax, a subset of JavaScript's). */
  kind: z.enum(['exact', 'prefix', 'regex']).optional(),
}).superRefine((route, context) => {
  if ((route.header === undefined) === (route.cookie === undefined))
    context.addIssue({
      code: 'custom',
      message:
        route.header === undefined
          ? 'name what to match: "header: x-canary" or "cookie: canary", with its value'
          : 'match a header or a cookie, not both: write each as its own "- setHeaderRoute" step',
    });
  if (route.cookie !== undefined && route.kind !== undefined)
    context.addIssue({
      code: 'custom',
      path: ['kind'],
      message: 'a cookie matches its exact value; remove kind, or match a header instead',
    });
  if (route.kind === 'regex' && !compiles(route.value))
    context.addIssue({ code: 'custom', path: ['value'], message: 'is not a valid regular expression' });
});
export type HeaderRouteSpec = z.infer<typeof headerRouteSchema>;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** The step kinds of a canary, in the order the docs present them. */
export const canaryStepKinds = ['setWeight', 'pause', 'analysis', 'approval', 'setHeaderRoute'] as const;
export type CanaryStepKind = (typeof canaryStepKinds)[number];

const kindList = `${canaryStepKinds.slice(0, -1).join(', ')} or ${canaryStepKinds[canaryStepKinds.length - 1]}`;

/**
 * One canary step: exactly one of its kinds. `pause` and `approval` may be written empty (`- pause:` reads as null):
 * a pause without a duration waits until promoted; an approval without a timeout takes the environment's policy's.
 */
export const canaryStepSchema = z
  .strictObject(
    {
      /** Percent (0–100) of the requests sent to the canary, exactly, by the router. */
      setWeight: z.number().int().min(0).max(100).optional(),
      pause: strictObject({ durationSeconds: wholeSeconds(1, maxWaitSeconds).optional() })
        .nullable()
        .optional(),
      analysis: analysisSpecSchema.optional(),
      approval: strictObject({ timeoutSeconds: wholeSeconds(1, 30 * 86_400).optional() })
        .nullable()
        .optional(),
      setHeaderRoute: headerRouteSchema.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys
              .map((key) => {
                const hint = closestName(key, canaryStepKinds);
                return `unknown step kind "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}: use one of ${canaryStepKinds.join(', ')}`;
              })
              .join('; ')
          : undefined,
    },
  )
  .refine((step) => kindsOf(step).length === 1, {
    // An unknown kind, or a step that is no mapping, is reported as such; counting kinds would only add noise.
    when: (payload) => isMapping(payload.value) && !payload.issues.some((issue) => issue.code === 'unrecognized_keys'),
    error: (issue) => {
      const kinds = kindsOf(issue.input as Record<string, unknown>);
      return kinds.length === 0
        ? `a step needs one kind: ${kindList}`
        : `a step has one kind, this one has ${kinds.join(' and ')}: write each as its own "- ${kinds[0] ?? ''}: …" item`;
    },
  });
export type CanaryStepSpec = z.infer<typeof canaryStepSchema>;

const isMapping = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

function kindsOf(step: Record<string, unknown>): CanaryStepKind[] {
  return canaryStepKinds.filter((kind) => Object.hasOwn(step, kind) && step[kind] !== undefined);
}

/**
 * Canary: the steps run in order; the new release takes exactly the percent of traffic the last `setWeight` gave it,
 * with instances sized in proportion (at least one) while the stable release stays at full scale; after the last step
 * all traffic moves to the new release at full scale.
 */
export const canaryStrategySchema = strictObject(
  {
    type: z.literal('canary'),
    steps: z
      .array(canaryStepSchema)
      .min(1)
      .max(100)
      .refine(
        (steps) => steps.filter((step) => step.setHeaderRoute !== undefined).length <= maxCanaryHeaderRoutes,
        `at most ${maxCanaryHeaderRoutes} setHeaderRoute steps`,
      ),
    /** Keeps a client on the release it was sent to while that release's weight does not go down; null: no stickiness. */
    stickyCookie: tokenName('cookie').nullable().default(defaultStickyCookie),
    ...progressFields,
  },
  { ...onlyRolling, ...onlyBlueGreen },
);
export type CanaryStrategySpec = z.infer<typeof canaryStrategySchema>;

export const strategySchema = z.discriminatedUnion('type', [
  recreateStrategySchema,
  rollingStrategySchema,
  blueGreenStrategySchema,
  canaryStrategySchema,
]);
export type Strategy = z.infer<typeof strategySchema>;
