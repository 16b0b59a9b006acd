/** The audit part of the typed API client: list and verify the audit log, read the rate limiter's counters. */
import type { z } from 'zod';
import type { ApiTransport } from './api-transport.js';
import {
  auditListResponseSchema,
  auditVerifyResponseSchema,
  rateLimitCountersSchema,
  type AuditListQuery,
  type AuditVerifyView,
  type RateLimitCounters,
} from './audit-api.js';

export interface AuditClient {
  audit: {
    /** GET /api/v1/audit (admin or owner) — oldest first from `since` (newest first with `order: newest`), one page of at most `limit`. */
    list(query?: AuditListQuery): Promise<z.output<typeof auditListResponseSchema>>;
    /** GET /api/v1/audit/verify (admin or owner) — walks the hash chain. */
    verify(): Promise<AuditVerifyView>;
  };
  system: {
    /** GET /api/v1/system/rate-limits (admin or owner) */
    rateLimits(): Promise<RateLimitCounters>;
  };
}

export function createAuditClient({ call }: Pick<ApiTransport, 'call'>): AuditClient {
  return {
    audit: {
      list: (q = {}) =>
        call(
          {
            method: 'GET',
            path: '/api/v1/audit',
            query: {
              since: q.since,
              until: q.until,
              actor: q.actor,
              action: q.action,
              limit: q.limit === undefined ? undefined : String(q.limit),
              order: q.order,
              cursor: q.cursor,
            },
          },
          auditListResponseSchema,
        ),
      verify: () => call({ method: 'GET', path: '/api/v1/audit/verify' }, auditVerifyResponseSchema),
    },
    system: {
      rateLimits: () => call({ method: 'GET', path: '/api/v1/system/rate-limits' }, rateLimitCountersSchema),
    },
  };
}
