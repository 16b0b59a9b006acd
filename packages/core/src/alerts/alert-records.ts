/**
 * What the store keeps of alerts: the rules (a project's own and its built-in ones) and the alerts they raised, each
 * in the state of its Prometheus-like machine (pending → firing → resolved), so a restart neither re-sends nor
 * forgets one.
 */
import type { AlertRuleKind } from '@slipway/contract';

export type { AlertRuleKind } from '@slipway/contract';

export interface AlertRuleRecord {
  id: string;
  projectId: string;
  /** Null: every app of the project (and none for project-wide kinds such as `disk-usage`). */
  appId: string | null;
  /** Null: every environment. */
  environmentId: string | null;
  kind: AlertRuleKind;
  /** Null for kinds with none (`crash-loop`, `deployment-failed`). A share 0–1, milliseconds or days by kind. */
  threshold: number | null;
  /** How long the condition must hold before the alert fires. */
  forMs: number;
  /** Edge rules: fewer requests than this in an evaluation is no data. Null for other kinds. */
  minRequests: number | null;
  /** Set on a project's built-in rule (one per kind at most); null on rules a person added. */
  defaultKind: AlertRuleKind | null;
  /** False only for a built-in rule a person turned off (removing one keeps it, off, so it is not made again). */
  isEnabled: boolean;
  createdAtMs: number;
}

export type AlertRecordState = 'pending' | 'firing' | 'resolved';

export interface AlertRecord {
  id: string;
  ruleId: string;
  projectId: string;
  kind: AlertRuleKind;
  /** Unique per rule among open alerts: `app:<appId>:<environmentId>`, `disk`, `host:<host>`. */
  subjectKey: string;
  /** In words: `web in production`, `the data dir`. */
  subject: string;
  appId: string | null;
  environmentId: string | null;
  state: AlertRecordState;
  /** When the condition was first seen holding. */
  activeAtMs: number;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  /** The last measurement, or null when it had none. */
  value: number | null;
  threshold: number | null;
  /** The last measurement in words. */
  message: string;
  updatedAtMs: number;
}

export interface AlertFilter {
  projectId?: string;
  state?: AlertRecordState;
  /** At most this many: open ones first, then the most recently resolved. */
  limit: number;
}
