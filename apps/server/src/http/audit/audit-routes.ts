/** The audit log over HTTP (admin or owner): list with filters and a cursor, and verify the hash chain. */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  auditListQuerySchema,
  type auditListResponseSchema,
  type AuditRecordView,
  type AuditVerifyView,
} from '@slipway/contract';
import type { AuditLog, AuditRecord } from '@slipway/core';
import { validate } from '../validate.js';

export function auditRoutes(app: FastifyInstance, audit: AuditLog): void {
  app.get('/api/v1/audit', async (request): Promise<z.output<typeof auditListResponseSchema>> => {
    const query = validate(auditListQuerySchema, request.query, 'query');
    const action = query.action?.endsWith('*') ? query.action.slice(0, -1) : query.action;
    const records = await audit.list({
      sinceMs: query.since === undefined ? undefined : Date.parse(query.since),
      untilMs: query.until === undefined ? undefined : Date.parse(query.until),
      actor: query.actor,
      action,
      afterSeq: query.cursor === undefined ? undefined : Number(query.cursor),
      // One more than asked tells whether another page exists.
      limit: query.limit + 1,
    });
    const page = records.slice(0, query.limit);
    const last = page.at(-1);
    return {
      records: page.map(auditRecordView),
      ...(records.length > query.limit && last !== undefined ? { nextCursor: String(last.seq) } : {}),
    };
  });

  app.get('/api/v1/audit/verify', async (): Promise<AuditVerifyView> => {
    const result = await audit.verify();
    return {
      isValid: result.isValid,
      checked: result.checked,
      anchor: { seq: result.anchor.seq, hash: result.anchor.hash },
      lastSeq: result.lastSeq,
      ...(result.brokenAt === undefined ? {} : { brokenAt: { ...result.brokenAt } }),
    };
  });
}

function auditRecordView(record: AuditRecord): AuditRecordView {
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
