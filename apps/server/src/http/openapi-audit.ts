/** The audit, rate-limit, image and host-claim operations of the OpenAPI document: the system's own records. */
import {
  auditListResponseSchema,
  auditVerifyResponseSchema,
  grantHostBodySchema,
  hostClaimSchema,
  listHostsResponseSchema,
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
  {
    method: 'get',
    path: '/api/v1/hosts',
    summary: 'Which project holds each host the edge may route, and how it came to (admin or owner)',
    ok: 200,
    response: listHostsResponseSchema,
  },
  {
    method: 'post',
    path: '/api/v1/hosts',
    summary: 'Grant a host or wildcard, reserved ones included, to a project; 409 HOST_TAKEN when another holds it',
    body: grantHostBodySchema,
    ok: 201,
    response: hostClaimSchema,
  },
  {
    method: 'delete',
    path: '/api/v1/hosts/{host}',
    summary: 'Free a host no route uses (409 HOST_IN_USE otherwise), for whoever claims it next (admin or owner)',
    ok: 204,
  },
];
