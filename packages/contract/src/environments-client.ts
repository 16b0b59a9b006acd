/** The environments-and-approvals part of the typed API client. */
import type { ApiTransport, RequestSpec } from './api-transport.js';
import type { Strategy } from './strategy-spec.js';
import {
  approvalPolicySchema,
  approvalRequestSchema,
  environmentSchema,
  listApprovalsResponseSchema,
  listEnvironmentsResponseSchema,
  type ApprovalPolicyBody,
  type ApprovalPolicyView,
  type ApprovalRequestView,
  type EnvironmentView,
} from './environments-api.js';

export interface EnvironmentsClient {
  environments: {
    /** GET /api/v1/apps/:app/environments */
    list(app: string): Promise<{ environments: EnvironmentView[] }>;
    /** POST /api/v1/apps/:app/environments/:env (admin) */
    create(app: string, env: string): Promise<EnvironmentView>;
    /** DELETE /api/v1/apps/:app/environments/:env (admin); refused while instances run unless `force`. */
    delete(app: string, env: string, options?: { force?: boolean }): Promise<void>;
    /** PUT /api/v1/apps/:app/environments/:env/strategy (admin) */
    setStrategy(app: string, env: string, strategy: Strategy): Promise<EnvironmentView>;
    /** DELETE /api/v1/apps/:app/environments/:env/strategy (admin) */
    clearStrategy(app: string, env: string): Promise<EnvironmentView>;
    /** GET /api/v1/apps/:app/environments/:env/approval-policy; 404 APPROVAL_NOT_FOUND when none. */
    getApprovalPolicy(app: string, env: string): Promise<ApprovalPolicyView>;
    /** PUT /api/v1/apps/:app/environments/:env/approval-policy (admin) */
    setApprovalPolicy(app: string, env: string, body: ApprovalPolicyBody): Promise<ApprovalPolicyView>;
    /** DELETE /api/v1/apps/:app/environments/:env/approval-policy (admin); idempotent. */
    clearApprovalPolicy(app: string, env: string): Promise<void>;
  };
  approvals: {
    /** GET /api/v1/approvals — pending requests of the projects the caller may read (every one with `all`). */
    list(query?: { app?: string; environment?: string; all?: boolean }): Promise<{ approvals: ApprovalRequestView[] }>;
    /** POST /api/v1/approvals/:id/approve */
    approve(id: string, comment?: string): Promise<ApprovalRequestView>;
    /** POST /api/v1/approvals/:id/reject */
    reject(id: string, comment?: string): Promise<ApprovalRequestView>;
  };
}

export function createEnvironmentsClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): EnvironmentsClient {
  const noContent = async (spec: RequestSpec): Promise<void> => {
    const response = await send(spec);
    await response.body?.cancel().catch(() => undefined);
  };
  const envPath = (app: string, env: string): string =>
    `/api/v1/apps/${encodeURIComponent(app)}/environments/${encodeURIComponent(env)}`;
  const decide = (id: string, decision: 'approve' | 'reject', comment: string | undefined) =>
    call(
      {
        method: 'POST',
        path: `/api/v1/approvals/${encodeURIComponent(id)}/${decision}`,
        json: comment === undefined ? {} : { comment },
      },
      approvalRequestSchema,
    );
  return {
    environments: {
      list: (app) =>
        call(
          { method: 'GET', path: `/api/v1/apps/${encodeURIComponent(app)}/environments` },
          listEnvironmentsResponseSchema,
        ),
      create: (app, env) => call({ method: 'POST', path: envPath(app, env), json: {} }, environmentSchema),
      delete: (app, env, options) =>
        noContent({
          method: 'DELETE',
          path: envPath(app, env),
          ...(options?.force === true ? { query: { force: 'true' } } : {}),
        }),
      setStrategy: (app, env, strategy) =>
        call({ method: 'PUT', path: `${envPath(app, env)}/strategy`, json: { strategy } }, environmentSchema),
      clearStrategy: (app, env) => call({ method: 'DELETE', path: `${envPath(app, env)}/strategy` }, environmentSchema),
      getApprovalPolicy: (app, env) =>
        call({ method: 'GET', path: `${envPath(app, env)}/approval-policy` }, approvalPolicySchema),
      setApprovalPolicy: (app, env, body) =>
        call({ method: 'PUT', path: `${envPath(app, env)}/approval-policy`, json: body }, approvalPolicySchema),
      clearApprovalPolicy: (app, env) => noContent({ method: 'DELETE', path: `${envPath(app, env)}/approval-policy` }),
    },
    approvals: {
      list: (query) => {
        const params: Record<string, string> = {};
        if (query?.app !== undefined) params.app = query.app;
        if (query?.environment !== undefined) params.environment = query.environment;
        if (query?.all === true) params.all = 'true';
        return call({ method: 'GET', path: '/api/v1/approvals', query: params }, listApprovalsResponseSchema);
      },
      approve: (id, comment) => decide(id, 'approve', comment),
      reject: (id, comment) => decide(id, 'reject', comment),
    },
  };
}
