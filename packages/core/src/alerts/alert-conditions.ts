/**
 * The condition sources of alert rules, one per kind, pluggable: slipwayd registers one per kind it can observe
 * (certificate expiry, for one, comes from the custom-domains certificates when those run), and a rule of a kind with
 * no source is refused when added and skipped when evaluated.
 */
import type { EdgeMetrics } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord, EnvironmentRecord } from '../domain/records.js';
import type { AlertCondition } from './alert-state.js';
import type { AlertRuleKind, AlertRuleRecord } from './alert-records.js';

/** What one evaluation of a rule saw of one subject. */
export interface AlertObservation {
  /** Unique per rule: `app:<appId>:<environmentId>`, `disk`, `host:<host>`. */
  subjectKey: string;
  /** In words: `web in production`, `the data dir`, `shop.example.com`. */
  subject: string;
  appId: string | null;
  environmentId: string | null;
  condition: AlertCondition;
  value: number | null;
  /** The measurement in words, without the rule (`12.5% of 80 requests answered 5xx`). Never holds a secret. */
  message: string;
}

export interface AppEnvironmentSubject {
  app: AppRecord;
  environment: EnvironmentRecord;
}

/** What a pass reads once and hands every source. */
export interface AlertEvaluationContext {
  readonly nowMs: number;
  readonly deps: Pick<CoreDeps, 'store' | 'settings'>;
  /** The app environments the rule covers (its project's, narrowed to its app and environment when it names them). */
  appEnvironmentsOf(rule: AlertRuleRecord): Promise<AppEnvironmentSubject[]>;
  /** The edge router's per-release counters, read once per pass. */
  edgeMetrics(): Promise<EdgeMetrics>;
}

export interface AlertConditionSource {
  /**
   * Observes the rule's subjects. A subject the rule covers and the answer leaves out counts as inactive (an app
   * deleted resolves its alerts). Errors are logged by the evaluator, and the rule's open alerts are left as they are.
   */
  observe(rule: AlertRuleRecord, context: AlertEvaluationContext): Promise<AlertObservation[]>;
  /** Forgets what it keeps between passes (counters read before) of rules other than these. Optional. */
  retain?(ruleIds: ReadonlySet<string>): void;
}

export type AlertConditionSources = Partial<Record<AlertRuleKind, AlertConditionSource>>;

export function appSubjectKey(subject: AppEnvironmentSubject): string {
  return `app:${subject.app.id}:${subject.environment.id}`;
}

export function appSubjectOf(
  subject: AppEnvironmentSubject,
): Pick<AlertObservation, 'subjectKey' | 'subject' | 'appId' | 'environmentId'> {
  return {
    subjectKey: appSubjectKey(subject),
    subject: `${subject.app.name} in ${subject.environment.name}`,
    appId: subject.app.id,
    environmentId: subject.environment.id,
  };
}
