/**
 * Request and response bodies of the deployment-rule routes (`/api/v1/apps/:app/rules`, `/api/v1/stacks/:stack/rules`): ordered rules that deploy a
 * repository's pushes to an environment, and the dry run that says which rule a ref fires. Times are ISO-8601.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';

export const deploymentRuleEventSchema = z.enum(['push', 'tag']);
export type DeploymentRuleEventName = z.infer<typeof deploymentRuleEventSchema>;

/** A full-ref glob (`refs/heads/release/*`, `refs/tags/v*`, `refs/heads/**`); the server checks it further. */
export const refGlobSchema = z
  .string()
  .min(6)
  .max(512)
  .regex(/^refs\//, 'must be a full-ref pattern starting with refs/ (refs/heads/main, refs/tags/v*)');

/** A full ref (`refs/heads/release/1.2`); the server refuses `..` and shell metacharacters with a reason. */
export const fullRefSchema = z.string().min(1).max(1024);

export const deploymentRuleSchema = z.object({
  id: z.string(),
  /** 1-based: the first enabled rule that matches fires. */
  position: z.number().int(),
  /** Whose rule it is: an app's, or a stack's. */
  target: z.object({ kind: z.enum(['app', 'stack']), name: z.string() }),
  repository: z.string(),
  repositoryId: z.string(),
  refPattern: z.string(),
  event: deploymentRuleEventSchema,
  environment: z.string().nullable(),
  isEnabled: z.boolean(),
  triggerCount: z.number().int(),
  lastDeployedCommit: z.string().nullable(),
  lastDeployedRef: z.string().nullable(),
  lastTriggeredAt: z.string().nullable(),
  /** A push that found the environment busy and deploys when its running deployment ends (the newest one wins). */
  queued: z.object({ ref: z.string(), commit: z.string(), since: z.string(), reason: z.string() }).nullable(),
  createdAt: z.string(),
});
export type DeploymentRuleView = z.infer<typeof deploymentRuleSchema>;

export const listDeploymentRulesResponseSchema = z.object({ rules: z.array(deploymentRuleSchema) });

export const addDeploymentRuleBodySchema = z
  .object({
    /** The name of a repository of the project (`slipway repos list`); a stack's rule reads the stack's by default. */
    repository: dnsLabelSchema.optional(),
    refPattern: refGlobSchema,
    event: deploymentRuleEventSchema.default('push'),
    environment: dnsLabelSchema.default('production'),
    /** Where to insert it (1 = first); default: last. */
    position: z.number().int().min(1).max(1000).optional(),
    isEnabled: z.boolean().default(true),
  })
  .strict();
export type AddDeploymentRuleBody = z.input<typeof addDeploymentRuleBodySchema>;

const ruleParamSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^(?:rul_[A-Za-z0-9_-]+|[1-9][0-9]{0,3})$/, 'must be a rule id (rul_…) or a position');

/** `:rule` is the rule's id (`rul_…`) or its position. */
export const deploymentRuleParamsSchema = z.object({ app: dnsLabelSchema, rule: ruleParamSchema });
export const stackDeploymentRuleParamsSchema = z.object({ stack: dnsLabelSchema, rule: ruleParamSchema });

export const moveDeploymentRuleBodySchema = z.object({ position: z.number().int().min(1).max(1000) }).strict();

export const testDeploymentRulesQuerySchema = z.object({ ref: fullRefSchema }).strict();

export const deploymentRuleStepSchema = z.object({
  rule: deploymentRuleSchema,
  verdict: z.enum(['fires', 'skipped', 'not-reached']),
  reason: z.string(),
});

export const testDeploymentRulesResponseSchema = z.object({
  ref: z.string(),
  /** The event a push of `ref` is; null when it is neither a branch nor a tag. */
  event: deploymentRuleEventSchema.nullable(),
  /** The rule that would deploy, or null. */
  fired: deploymentRuleSchema.nullable(),
  /** One line: what would happen. */
  summary: z.string(),
  steps: z.array(deploymentRuleStepSchema),
});
export type TestDeploymentRulesResponse = z.infer<typeof testDeploymentRulesResponseSchema>;
