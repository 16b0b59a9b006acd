/**
 * Wire shapes of the audit log (`GET /api/v1/audit`, `GET /api/v1/audit/verify`) and of the rate limiter's counters
 * (`GET /api/v1/system/rate-limits`). An audit record never holds a secret: no password, token or secret value.
 */
import { z } from 'zod';

export const auditOutcomes = ['success', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

export const auditRecordSchema = z.object({
  /** 1, 2, 3 … without gaps; pruning removes a prefix. */
  seq: z.number().int(),
  /** ISO 8601. */
  at: z.string(),
  /** `request` — one per state-changing API request; `event` — a security event (login, token created …). */
  kind: z.enum(['request', 'event']),
  actor: z.object({
    kind: z.enum(['user', 'anonymous']),
    userId: z.string().nullable(),
    name: z.string(),
    credentialKind: z.enum(['session', 'api-token']).nullable(),
    credentialId: z.string().nullable(),
  }),
  /** The permission table's action name (`apps.create`), or a security event name (`auth.login.failed`). */
  action: z.string(),
  target: z.object({ kind: z.string(), id: z.string() }).nullable(),
  sourceIp: z.string().nullable(),
  requestId: z.string().nullable(),
  outcome: z.enum(auditOutcomes),
  errorCode: z.string().nullable(),
  /** Small, never secret. */
  details: z.record(z.string(), z.unknown()),
  /** SHA-256 (hex) of the previous record's canonical form (or the chain's anchor). */
  prevHash: z.string(),
  /** SHA-256 (hex) of this record's canonical form, which includes `prevHash`. */
  hash: z.string(),
});
export type AuditRecordView = z.infer<typeof auditRecordSchema>;

const isoTime = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 time (2026-01-31T12:00:00Z)');

export const auditListQuerySchema = z
  .object({
    since: isoTime.optional(),
    until: isoTime.optional(),
    /** A user name, user id or credential id. */
    actor: z.string().min(1).max(200).optional(),
    /** An exact action name, or a prefix ending in `.` or `*` (`auth.*`). */
    action: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** `oldest` (the default): the first `limit` matching records, oldest first; `newest`: the last, newest first. */
    order: z.enum(['oldest', 'newest']).default('oldest'),
    /** The `nextCursor` of the previous page (in the same order). */
    cursor: z
      .string()
      .regex(/^\d{1,15}$/, 'expected the nextCursor of a previous page')
      .optional(),
  })
  .strict();
/** What a client passes: times as ISO 8601, `limit` 1–1000 (default 100). */
export interface AuditListQuery {
  since?: string | undefined;
  until?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  limit?: number | undefined;
  order?: 'oldest' | 'newest' | undefined;
  cursor?: string | undefined;
}

export const auditListResponseSchema = z.object({
  records: z.array(auditRecordSchema),
  /** Present when more records match: pass it as `cursor`. */
  nextCursor: z.string().optional(),
});

export const auditVerifyResponseSchema = z.object({
  isValid: z.boolean(),
  /** Records checked. */
  checked: z.number().int(),
  /** The anchor the chain starts from: the genesis value, or the checkpoint left by pruning. */
  anchor: z.object({ seq: z.number().int(), hash: z.string() }),
  lastSeq: z.number().int().nullable(),
  /** Present when the chain is broken: the first sequence number that does not verify, and why. */
  brokenAt: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
});
export type AuditVerifyView = z.infer<typeof auditVerifyResponseSchema>;

export const rateLimitCountersSchema = z.object({
  classes: z.record(
    z.string(),
    z.object({ allowed: z.number().int(), limited: z.number().int(), buckets: z.number().int() }),
  ),
  loginThrottle: z.object({ throttled: z.number().int(), failures: z.number().int(), buckets: z.number().int() }),
  /** Idle buckets dropped to keep memory bounded. */
  evicted: z.number().int(),
});
export type RateLimitCounters = z.infer<typeof rateLimitCountersSchema>;
