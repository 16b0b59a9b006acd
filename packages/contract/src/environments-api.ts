/**
 * Environments of an app as first-class objects (`slipway env create|list|delete`), each with its own strategy
 * override and approval policy, and the approval requests and decisions that gate deployments to it.
 */
import { z } from 'zod';
import { strategySchema } from './strategy-spec.js';
import { dnsLabelSchema } from './names.js';
import { roles } from './roles.js';

export const appEnvironmentParamsSchema = z.object({ app: dnsLabelSchema, env: dnsLabelSchema });

export const environmentSchema = z.object({
  app: z.string(),
  name: z.string(),
  /** The app's default host in this environment (`<app>.<domain>` in production, `<app>-<env>.<domain>` elsewhere). */
  defaultHost: z.string(),
  currentRelease: z.number().int().nullable(),
  /** Instances not retiring. */
  instances: z.number().int(),
  /** The strategy that replaces the manifest's in this environment; null: the manifest's. */
  strategy: strategySchema.nullable(),
  hasApprovalPolicy: z.boolean(),
  createdAt: z.string(),
});
export type EnvironmentView = z.infer<typeof environmentSchema>;
export const listEnvironmentsResponseSchema = z.object({ environments: z.array(environmentSchema) });

export const deleteEnvironmentQuerySchema = z.object({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Stop the running instances instead of refusing'),
});

export const setStrategyBodySchema = z.object({ strategy: strategySchema }).strict();

/** `user:<name>` approves by name; `role:<role>` any user holding at least that role on the app's project. */
export const approverSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: dnsLabelSchema }).strict(),
  z.object({ kind: z.literal('role'), id: z.enum(roles) }).strict(),
]);
export type Approver = z.infer<typeof approverSchema>;

/** Ref patterns are matched against the full ref (`refs/heads/main`, `refs/tags/v1`); `*` does not cross `/`. */
export const refPatternSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^refs\/[\x21-\x7e]+$/, 'a ref pattern starts with refs/ (refs/heads/…, refs/tags/…)');

export const maxApprovalTimeoutSeconds = 30 * 86_400;

export const approvalPolicyBodySchema = z
  .object({
    requiredApprovals: z.number().int().min(1).max(10).default(1),
    approvers: z.array(approverSchema).max(20).default([]),
    preventSelfApproval: z.boolean().default(true),
    waitTimerSeconds: z.number().int().min(0).max(maxApprovalTimeoutSeconds).default(0),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(maxApprovalTimeoutSeconds)
      .default(72 * 3_600),
    refPatterns: z.array(refPatternSchema).max(20).default([]),
  })
  .strict();
export type ApprovalPolicyBody = z.input<typeof approvalPolicyBodySchema>;

export const approvalPolicySchema = z.object({
  app: z.string(),
  environment: z.string(),
  requiredApprovals: z.number().int(),
  approvers: z.array(approverSchema),
  preventSelfApproval: z.boolean(),
  waitTimerSeconds: z.number().int(),
  timeoutSeconds: z.number().int(),
  refPatterns: z.array(z.string()),
  updatedAt: z.string(),
});
export type ApprovalPolicyView = z.infer<typeof approvalPolicySchema>;

export const approvalStates = ['pending', 'approved', 'rejected', 'expired', 'superseded', 'cancelled'] as const;
export type ApprovalState = (typeof approvalStates)[number];

export const approvalDecisionSchema = z.object({
  actor: z.string(),
  decision: z.enum(['approve', 'reject']),
  comment: z.string().nullable(),
  at: z.string(),
});

export const approvalRequestSchema = z.object({
  id: z.string(),
  app: z.string(),
  environment: z.string(),
  /** `deployment`: a deployment waits before its rollout; `rollout-step`: a canary's `approval` step. */
  purpose: z.enum(['deployment', 'rollout-step']),
  deploymentId: z.string(),
  releaseNumber: z.number().int().nullable(),
  ref: z.string().nullable(),
  commit: z.string().nullable(),
  requestedBy: z.string().nullable(),
  state: z.enum(approvalStates),
  /** Why it left `pending`, in words; null while pending. */
  reason: z.string().nullable(),
  requiredApprovals: z.number().int(),
  approvals: z.number().int(),
  decisions: z.array(approvalDecisionSchema),
  createdAt: z.string(),
  /** Approvals count from here (the wait timer). */
  notBefore: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type ApprovalRequestView = z.infer<typeof approvalRequestSchema>;

export const listApprovalsQuerySchema = z.object({
  app: dnsLabelSchema.optional(),
  environment: dnsLabelSchema.optional(),
  all: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Every request, not only pending ones'),
});
export const listApprovalsResponseSchema = z.object({ approvals: z.array(approvalRequestSchema) });
export const approvalParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const approvalDecisionBodySchema = z.object({ comment: z.string().max(1_000).optional() }).strict();
