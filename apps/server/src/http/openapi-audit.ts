/** The audit, rate-limit and image operations of the OpenAPI document: the system's own records. */
import {
  auditListResponseSchema,
  auditVerifyResponseSchema,
  listImagesResponseSchema,
  pruneImagesResponseSchema,
  rateLimitCountersSchema,
} from '@slipway/contract';
import type { Operation } from './openapi.js';

export const auditOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/v1/audit',
    summary: 'Audit records, oldest first: every state-changing request and security event (admin or owner)',
    ok: 200,
    response: auditListResponseSchema,
    query: {
      since: 'Only records at or after this ISO 8601 time',
      until: 'Only records before this ISO 8601 time',
      actor: 'A user name, user id or credential id',
      action: 'An action name, or a prefix ending in * (auth.*)',
      limit: 'At most this many (1–1000, default 100)',
      cursor: 'The nextCursor of the previous page',
    },
  },
  {
    method: 'get',
    path: '/api/v1/audit/verify',
    summary: "Walk the audit log's hash chain: valid, or the first broken sequence number and why (admin or owner)",
    ok: 200,
    response: auditVerifyResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/system/rate-limits',
    summary: "The rate limiter's counters per route class and the login throttle (admin or owner)",
    ok: 200,
    response: rateLimitCountersSchema,
  },
  {
    method: 'get',
    path: '/api/v1/system/images',
    summary: 'The container images Slipway built, with the retained releases that run them (admin or owner)',
    ok: 200,
    response: listImagesResponseSchema,
  },
  {
    method: 'post',
    path: '/api/v1/system/images/prune',
    summary: 'Remove the images no retained release runs; one a container still uses is kept (admin or owner)',
    ok: 200,
    response: pruneImagesResponseSchema,
  },
];
