/** The audit log over HTTP (admin or owner): list with filters and a cursor, and verify the hash chain. */
import type { z } from 'zod';
import {
  auditListQuerySchema,
  auditListResponseSchema,
  auditVerifyResponseSchema,
  type AuditRecordView,
  type AuditVerifyView,
} from '@slipway/contract';
import type { AuditRecord } from '@slipway/core';
import { globally } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const auditRoutes: RouteGroup<RouteContext> = {
  name: 'audit-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/audit',
      summary:
        'Audit records, oldest first (or newest first with order=newest): every state-changing request and security event (admin or owner)',
      permission: { action: 'audit.list', access: globally('admin') },
      schema: { querystring: auditListQuerySchema, response: { 200: auditListResponseSchema } },
      handler: async ({ query }, _reply, { audit }): Promise<z.output<typeof auditListResponseSchema>> => {
        const action = query.action?.endsWith('*') ? query.action.slice(0, -1) : query.action;
        const records = await audit.list({
          sinceMs: query.since === undefined ? undefined : Date.parse(query.since),
          untilMs: query.until === undefined ? undefined : Date.parse(query.until),
          actor: query.actor,
          action,
          ...(query.cursor === undefined
            ? {}
            : query.order === 'newest'
              ? { beforeSeq: Number(query.cursor) }
              : { afterSeq: Number(query.cursor) }),
          order: query.order === 'newest' ? 'newest-first' : 'oldest-first',
          // One more than asked tells whether another page exists.
          limit: query.limit + 1,
        });
        const page = records.slice(0, query.limit);
        const last = page.at(-1);
        return {
          records: page.map(auditRecordView),
          ...(records.length > query.limit && last !== undefined ? { nextCursor: String(last.seq) } : {}),
        };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/audit/verify',
      summary: "Walk the audit log's hash chain: valid, or the first broken sequence number and why (admin or owner)",
      permission: { action: 'audit.verify', access: globally('admin') },
      schema: { response: { 200: auditVerifyResponseSchema } },
      handler: async (_request, _reply, { audit }): Promise<AuditVerifyView> => {
        const result = await audit.verify();
        return {
          isValid: result.isValid,
          checked: result.checked,
          anchor: { seq: result.anchor.seq, hash: result.anchor.hash },
          lastSeq: result.lastSeq,
          ...(result.brokenAt === undefined ? {} : { brokenAt: { ...result.brokenAt } }),
        };
      },
    }),
  ],
};

export function auditRecordView(record: AuditRecord): AuditRecordView {
  return {
    seq: record.seq,
    at: new Date(record.atMs).toISOString(),
    kind: record.kind,
    actor: { ...record.actor },
    action: record.action,
    target: record.target === null ? null : { ...record.target },
    sourceIp: record.sourceIp,
    requestId: record.requestId,
    outcome: record.outcome,
    errorCode: record.errorCode,
    details: { ...record.details },
    prevHash: record.prevHash,
    hash: record.hash,
  };
}
