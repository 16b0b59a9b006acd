/**
 * Approval requests: list those of the projects the caller may read, approve or reject one. Whoever may read the
 * project reaches the route; the core decides eligibility (named users, roles on that project). Every decision is
 * also an audit event with its actor, time and comment.
 */
import {
  approvalDecisionBodySchema,
  approvalParamsSchema,
  approvalRequestSchema,
  listApprovalsQuerySchema,
  listApprovalsResponseSchema,
  type ApprovalRequestView,
} from '@slipway/contract';
import { actorOf, decideApproval, listApprovals } from '@slipway/core';
import type { FastifyRequest } from 'fastify';
import { visibleProjects } from '../auth/authorize.js';
import { requirePrincipal } from '../auth/request-principal.js';
import { anyProject, onApproval } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

async function decide(
  request: FastifyRequest,
  input: { id: string; comment: string | undefined },
  context: RouteContext,
  decision: 'approve' | 'reject',
): Promise<ApprovalRequestView> {
  const principal = requirePrincipal(request);
  const { comment } = input;
  const view = await decideApproval(context.deps, {
    id: input.id,
    decision,
    ...(comment === undefined ? {} : { comment }),
    actor: { userId: principal.userId, userName: principal.userName, grants: principal.grants },
  });
  context.auditRecorder.onSecurityEvent({
    name: decision === 'approve' ? 'approvals.approved' : 'approvals.rejected',
    actor: actorOf(principal),
    target: { kind: 'approval', id: view.id },
    outcome: 'success',
    details: {
      app: view.app,
      environment: view.environment,
      deploymentId: view.deploymentId,
      releaseNumber: view.releaseNumber,
      comment: comment ?? null,
      state: view.state,
    },
  });
  return view;
}

export const approvalRoutes: RouteGroup<RouteContext> = {
  name: 'approval-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/approvals',
      summary: 'Approval requests, newest first: pending ones (every one with all=true) of projects the caller reads',
      permission: { action: 'approvals.list', access: anyProject('viewer') },
      schema: { querystring: listApprovalsQuerySchema, response: { 200: listApprovalsResponseSchema } },
      handler: async (request, _reply, { deps }) => ({
        approvals: await listApprovals(deps, {
          ...(request.query.app === undefined ? {} : { app: request.query.app }),
          ...(request.query.environment === undefined ? {} : { environment: request.query.environment }),
          isAll: request.query.all,
          canRead: visibleProjects(request),
        }),
      }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/approvals/:id/approve',
      summary: 'Approve a pending request (403 APPROVAL_NOT_ELIGIBLE / APPROVAL_SELF_REVIEW, 409 APPROVAL_NOT_PENDING)',
      permission: { action: 'approvals.approve', access: onApproval('viewer') },
      schema: {
        params: approvalParamsSchema,
        body: approvalDecisionBodySchema.optional(),
        response: { 200: approvalRequestSchema },
      },
      handler: async (request, _reply, context) =>
        decide(request, { id: request.params.id, comment: request.body?.comment }, context, 'approve'),
    }),
    route({
      method: 'POST',
      url: '/api/v1/approvals/:id/reject',
      summary: 'Reject a pending request: one reject rejects it, and its deployment fails APPROVAL_REJECTED',
      permission: { action: 'approvals.reject', access: onApproval('viewer') },
      schema: {
        params: approvalParamsSchema,
        body: approvalDecisionBodySchema.optional(),
        response: { 200: approvalRequestSchema },
      },
      handler: async (request, _reply, context) =>
        decide(request, { id: request.params.id, comment: request.body?.comment }, context, 'reject'),
    }),
  ],
};
