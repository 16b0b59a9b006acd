/** The persistence of alert rules and alerts; part of the `Store` port. */
import type { AlertFilter, AlertRecord, AlertRuleRecord } from '../alerts/alert-records.js';

export interface AlertRepository {
  /**
   * Stores a new rule. Errors: `VERSION_CONFLICT` when the project already has a built-in rule of its `defaultKind`
   * (two writers making the defaults at once: the other one's stands).
   */
  insertRule(record: AlertRuleRecord): Promise<void>;
  findRule(id: string): Promise<AlertRuleRecord | undefined>;
  /** The project's rules (every project's when undefined), oldest first. */
  listRules(projectId?: string): Promise<AlertRuleRecord[]>;
  /** Turns a rule on or off; true when it existed. */
  setRuleEnabled(id: string, isEnabled: boolean): Promise<boolean>;
  /** True when it existed. Its alerts stay; the evaluator resolves those still open. */
  deleteRule(id: string): Promise<boolean>;
  /** Errors: `VERSION_CONFLICT` when its id exists. */
  insertAlert(record: AlertRecord): Promise<void>;
  /** Replaces the alert whole (matched by id). */
  updateAlert(record: AlertRecord): Promise<void>;
  /** Idempotent. */
  deleteAlert(id: string): Promise<void>;
  /** Pending and firing alerts, oldest first. */
  listOpen(): Promise<AlertRecord[]>;
  /** Matching alerts: open ones first (newest first), then resolved ones (latest resolved first); at most `limit`. */
  listAlerts(filter: AlertFilter): Promise<AlertRecord[]>;
  /** Deletes resolved alerts resolved before `beforeMs`; resolves with how many. */
  deleteResolvedBefore(beforeMs: number): Promise<number>;
}
