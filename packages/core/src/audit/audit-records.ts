/**
 * What the audit log stores: one record per state-changing API request and per security event, chained by SHA-256
 * (each record holds the previous record's hash and its own). Times are epoch ms. Nothing here may hold a secret.
 */
import type { AuditOutcome } from '@slipway/contract';
import type { Actor } from '../identity/principal.js';

export interface AuditTarget {
  /** `app`, `project`, `user`, `token`, `deployment`, `session`, `secret`, `signing-key`, `master-key` … */
  readonly kind: string;
  /** The target's id or (for apps, projects and users, whose names are unique) its name. */
  readonly id: string;
}

/** What a caller appends; the log assigns `seq`, `prevHash` and `hash`. */
export interface AuditEntry {
  readonly atMs: number;
  readonly kind: 'request' | 'event';
  readonly actor: Actor;
  /** The permission table's action name, or a security event name (see `SecurityEventName`). */
  readonly action: string;
  readonly target: AuditTarget | null;
  readonly sourceIp: string | null;
  readonly requestId: string | null;
  readonly outcome: AuditOutcome;
  /** The error code of a denied or failed outcome. */
  readonly errorCode: string | null;
  /** Small and never secret: names, counts, reasons — no value, password, token or header. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3 … in append order, without gaps (pruning removes a prefix). */
  readonly seq: number;
  /** SHA-256 (hex) of the previous record's canonical form, or the chain's anchor for the first one. */
  readonly prevHash: string;
  /** SHA-256 (hex) of this record's canonical form (which includes `prevHash`). */
  readonly hash: string;
}

/** Left by pruning: the last pruned record's seq and hash, which the first kept record links to. */
export interface AuditCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly prunedAtMs: number;
}

export interface AuditFilter {
  readonly sinceMs?: number | undefined;
  readonly untilMs?: number | undefined;
  /** Matches the actor's user name, user id or credential id. */
  readonly actor?: string | undefined;
  /** An exact action, or a prefix when it ends in `.` (e.g. `auth.`). */
  readonly action?: string | undefined;
  /** Only records with a seq greater than this. */
  readonly afterSeq?: number | undefined;
  /** Only records with a seq less than this (the cursor of a newest-first page). */
  readonly beforeSeq?: number | undefined;
  /** `oldest-first` (the default) or `newest-first`: which end of the matching records `limit` keeps, and their order. */
  readonly order?: 'oldest-first' | 'newest-first' | undefined;
  readonly limit: number;
}
