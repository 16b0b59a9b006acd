/**
 * The Administration section's calls: the caller's API tokens, the users and their grants, the audit log with its
 * chain check, the system status.
 */
import type {
  AuditListQuery,
  AuditRecordView,
  AuditVerifyView,
  CreateTokenBody,
  CreateUserBody,
  GrantBody,
  SystemStatusView,
  TokenView,
  UserView,
} from '@slipway/contract';
import { callJson } from './web-api.js';

/** The query string of an audit page: only the filters that are set. */
export function auditQueryString(query: AuditListQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export const adminApi = {
  tokens: () => callJson<{ tokens: TokenView[] }>('GET', '/api/v1/tokens'),
  createToken: (body: CreateTokenBody) =>
    callJson<{ token: TokenView; secret: string }>('POST', '/api/v1/tokens', body),
  revokeToken: (id: string) => callJson<undefined>('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
  users: () => callJson<{ users: UserView[] }>('GET', '/api/v1/users'),
  createUser: (body: CreateUserBody) => callJson<UserView>('POST', '/api/v1/users', body),
  grant: (user: string, body: GrantBody) =>
    callJson<UserView>('POST', `/api/v1/users/${encodeURIComponent(user)}/grants`, body),
  /** Revokes the user's role on `project`, or the global one when `project` is null. */
  revokeGrant: (user: string, project: string | null) =>
    callJson<UserView>(
      'DELETE',
      `/api/v1/users/${encodeURIComponent(user)}/grants${project === null ? '' : `?project=${encodeURIComponent(project)}`}`,
    ),
  setPassword: (user: string, password: string) =>
    callJson<undefined>('PUT', `/api/v1/users/${encodeURIComponent(user)}/password`, { password }),
  audit: (query: AuditListQuery) =>
    callJson<{ records: AuditRecordView[]; nextCursor?: string }>('GET', `/api/v1/audit${auditQueryString(query)}`),
  verifyAudit: () => callJson<AuditVerifyView>('GET', '/api/v1/audit/verify'),
  systemStatus: () => callJson<SystemStatusView>('GET', '/api/v1/system/status'),
};
