/**
 * The alert loop: every interval, each enabled rule's condition source observes its subjects, and each (rule,
 * subject) alert takes one step of its state machine (`stepAlert`). A step that fires or resolves stores the alert's
 * new state and its notification deliveries in one transaction, so each is sent exactly once, and a restarted
 * slipwayd resumes from the stored state: it neither sends a firing alert again nor forgets it.
 */
import { SlipwayError, type EdgeMetrics } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeliveryEvent } from '../delivery/delivery-events.js';
import { deliveriesOf } from '../notifications/notification-outbox.js';
import type {
  AlertConditionSources,
  AlertEvaluationContext,
  AlertObservation,
  AppEnvironmentSubject,
} from './alert-conditions.js';
import { firingMessage, resolvedMessage } from './alert-messages.js';
import type { AlertRecord, AlertRuleRecord } from './alert-records.js';
import { ensureDefaultAlertRules } from './alert-rules.js';
import { stepAlert, type AlertCondition } from './alert-state.js';

type EvaluatorDeps = Pick<CoreDeps, 'store' | 'ids' | 'clock' | 'logger' | 'router' | 'settings'>;

export interface AlertEvaluatorSettings {
  /** Time between two passes. */
  readonly intervalMs: number;
  /** Resolved alerts are kept (listed by `slipway alerts list`) this long, then deleted. */
  readonly historyMs: number;
}

export const defaultAlertEvaluatorSettings: AlertEvaluatorSettings = {
  intervalMs: 15_000,
  historyMs: 7 * 86_400_000,
};

export interface AlertPassResult {
  fired: number;
  resolved: number;
}

export interface AlertEvaluator {
  /** One pass over every rule. Rejects only when the store fails; a failing source is logged and skipped. */
  evaluate(): Promise<AlertPassResult>;
  /** Runs a pass every `intervalMs` until `stop`; a failed pass is logged and the next one runs. */
  start(): void;
  /** Ends the loop and waits for a pass under way. Idempotent. */
  stop(): Promise<void>;
}

export function createAlertEvaluator(
  deps: EvaluatorDeps,
  sources: AlertConditionSources,
  settings: AlertEvaluatorSettings = defaultAlertEvaluatorSettings,
  options: { onQueued?: () => void } = {},
): AlertEvaluator {
  const contextAt = (nowMs: number): AlertEvaluationContext => {
    let metrics: Promise<EdgeMetrics> | undefined;
    let subjects: Promise<AppEnvironmentSubject[]> | undefined;
    const allSubjects = async (): Promise<AppEnvironmentSubject[]> => {
      const [apps, appEnvironments] = await Promise.all([deps.store.apps.list(), deps.store.appEnvironments.list()]);
      const appsById = new Map(apps.map((a) => [a.id, a]));
      const environments = new Map<string, Awaited<ReturnType<typeof deps.store.environments.findById>>>();
      const out: AppEnvironmentSubject[] = [];
      for (const ae of appEnvironments) {
        const app = appsById.get(ae.appId);
        if (!environments.has(ae.environmentId)) {
          environments.set(ae.environmentId, await deps.store.environments.findById(ae.environmentId));
        }
        const environment = environments.get(ae.environmentId);
        if (app !== undefined && environment !== undefined) out.push({ app, environment });
      }
      return out;
    };
    return {
      nowMs,
      deps,
      async appEnvironmentsOf(rule) {
        subjects ??= allSubjects();
        return (await subjects).filter(
          (s) =>
            s.app.projectId === rule.projectId &&
            (rule.appId === null || s.app.id === rule.appId) &&
            (rule.environmentId === null || s.environment.id === rule.environmentId),
        );
      },
      edgeMetrics: () => (metrics ??= deps.router.metrics()),
    };
  };

  const eventOf = async (alert: AlertRecord, message: string, nowMs: number): Promise<DeliveryEvent> => {
    const [app, environment] = await Promise.all([
      alert.appId === null ? undefined : deps.store.apps.findById(alert.appId),
      alert.environmentId === null ? undefined : deps.store.environments.findById(alert.environmentId),
    ]);
    const state = alert.state === 'resolved' ? 'resolved' : 'firing';
    return {
      id: deps.ids.next('evt'),
      kind: state === 'resolved' ? 'alert.resolved' : 'alert.firing',
      projectId: alert.projectId,
      environmentId: alert.environmentId,
      appId: alert.appId,
      app: app?.name ?? null,
      environment: environment?.name ?? null,
      deploymentId: null,
      releaseNumber: null,
      message,
      atMs: nowMs,
      alert: {
        id: alert.id,
        ruleId: alert.ruleId,
        kind: alert.kind,
        state,
        value: alert.value,
        threshold: alert.threshold,
        subject: alert.subject,
        activeAtMs: alert.activeAtMs,
      },
    };
  };

  /** Stores the alert and its notification in one transaction; resolves with the deliveries made. */
  const storeTransition = async (alert: AlertRecord, isNew: boolean, message: string): Promise<number> => {
    const event = await eventOf(alert, message, alert.updatedAtMs);
    const queued = await deps.store.transaction(async (tx) => {
      if (isNew) await tx.alerts.insertAlert(alert);
      else await tx.alerts.updateAlert(alert);
      const deliveries = deliveriesOf(await tx.notifications.listTargets(alert.projectId), event, deps);
      for (const delivery of deliveries) await tx.notifications.insertDelivery(delivery);
      return deliveries.length;
    });
    deps.logger.info(
      { alertId: alert.id, rule: alert.ruleId, kind: alert.kind, subject: alert.subject, state: alert.state, queued },
      alert.state === 'resolved' ? 'alert resolved' : 'alert firing',
    );
    if (queued > 0) options.onQueued?.();
    return queued;
  };

  /** One step of one alert; resolves with the transition sent, if any. */
  const step = async (
    rule: Pick<AlertRuleRecord, 'id' | 'projectId' | 'kind' | 'threshold' | 'forMs'>,
    current: AlertRecord | undefined,
    observation: Pick<AlertObservation, 'subjectKey' | 'subject' | 'appId' | 'environmentId' | 'message'> & {
      condition: AlertCondition;
      value: number | null;
    },
    nowMs: number,
  ): Promise<'fired' | 'resolved' | null> => {
    const result = stepAlert(
      current === undefined || current.state === 'resolved'
        ? null
        : { state: current.state, activeAtMs: current.activeAtMs, firedAtMs: current.firedAtMs },
      observation.condition,
      rule.forMs,
      nowMs,
    );
    const measured =
      observation.condition === 'no-data' && current !== undefined
        ? {}
        : { value: observation.value, message: observation.message };
    switch (result.transition) {
      case 'dropped':
        if (current !== undefined) await deps.store.alerts.deleteAlert(current.id);
        return null;
      case 'resolved': {
        if (current === undefined) return null;
        const resolved: AlertRecord = {
          ...current,
          ...measured,
          state: 'resolved',
          resolvedAtMs: nowMs,
          updatedAtMs: nowMs,
        };
        await storeTransition(resolved, false, resolvedMessage(resolved));
        return 'resolved';
      }
      case 'pending':
      case 'fired': {
        const next = result.next;
        if (next === null) return null;
        const base: AlertRecord = current ?? {
          id: deps.ids.next('alt'),
          ruleId: rule.id,
          projectId: rule.projectId,
          kind: rule.kind,
          subjectKey: observation.subjectKey,
          subject: observation.subject,
          appId: observation.appId,
          environmentId: observation.environmentId,
          state: next.state,
          activeAtMs: next.activeAtMs,
          firedAtMs: null,
          resolvedAtMs: null,
          value: observation.value,
          threshold: rule.threshold,
          message: observation.message,
          updatedAtMs: nowMs,
        };
        const alert: AlertRecord = { ...base, ...measured, ...next, updatedAtMs: nowMs };
        if (result.transition === 'pending') {
          await deps.store.alerts.insertAlert(alert);
          return null;
        }
        await storeTransition(alert, current === undefined, firingMessage(alert, rule.forMs));
        return 'fired';
      }
      case null: {
        if (current === undefined || result.next === null) return null;
        if (current.value === observation.value && current.message === observation.message) return null;
        if (observation.condition === 'no-data') return null;
        await deps.store.alerts.updateAlert({ ...current, ...measured, updatedAtMs: nowMs });
        return null;
      }
    }
  };

  const evaluate = async (): Promise<AlertPassResult> => {
    const nowMs = deps.clock.nowMs();
    const kinds = new Set(Object.keys(sources));
    for (const project of await deps.store.projects.list()) {
      await ensureDefaultAlertRules(deps, project.id, (kind) => kinds.has(kind));
    }
    const rules = (await deps.store.alerts.listRules()).filter((r) => r.isEnabled);
    const open = await deps.store.alerts.listOpen();
    const keyOf = (ruleId: string, subjectKey: string): string => `${ruleId}\u0000${subjectKey}`;
    const openByKey = new Map(open.map((a) => [keyOf(a.ruleId, a.subjectKey), a]));
    const seen = new Set<string>();
    const context = contextAt(nowMs);
    const result: AlertPassResult = { fired: 0, resolved: 0 };
    const count = (transition: 'fired' | 'resolved' | null): void => {
      if (transition !== null) result[transition] += 1;
    };
    for (const rule of rules) {
      const source = sources[rule.kind];
      let observations: AlertObservation[];
      try {
        if (source === undefined) throw new SlipwayError('ALERT_RULE_INVALID', `no condition source for ${rule.kind}`);
        observations = await source.observe(rule, context);
      } catch (error) {
        // Nothing is known of its subjects: their alerts stay as they are until a pass that can see them.
        deps.logger.warn({ rule: rule.id, kind: rule.kind, err: error }, 'alert rule not evaluated');
        for (const alert of open) if (alert.ruleId === rule.id) seen.add(keyOf(rule.id, alert.subjectKey));
        continue;
      }
      for (const observation of observations) {
        const key = keyOf(rule.id, observation.subjectKey);
        seen.add(key);
        count(await step(rule, openByKey.get(key), observation, nowMs));
      }
    }
    // Open alerts no pass observed: their subject is gone (an app deleted) or their rule removed or turned off.
    const rulesById = new Map(rules.map((r) => [r.id, r]));
    for (const alert of open) {
      if (seen.has(keyOf(alert.ruleId, alert.subjectKey))) continue;
      const rule = rulesById.get(alert.ruleId);
      const message = rule === undefined ? 'the rule was removed or turned off' : `${alert.subject} is gone`;
      count(
        await step(
          { id: alert.ruleId, projectId: alert.projectId, kind: alert.kind, threshold: alert.threshold, forMs: 0 },
          alert,
          { ...alert, condition: 'inactive', value: alert.value, message },
          nowMs,
        ),
      );
    }
    const ruleIds = new Set(rules.map((r) => r.id));
    for (const source of Object.values(sources)) source?.retain?.(ruleIds);
    await deps.store.alerts.deleteResolvedBefore(nowMs - settings.historyMs);
    return result;
  };

  let loop: Promise<void> | undefined;
  const stopping = new AbortController();
  return {
    evaluate,
    start() {
      if (loop !== undefined) return;
      loop = (async () => {
        while (!stopping.signal.aborted) {
          try {
            const passed = await evaluate();
            if (passed.fired + passed.resolved > 0) deps.logger.debug(passed, 'alert pass');
          } catch (error) {
            deps.logger.error({ err: error }, 'alert pass failed');
          }
          await deps.clock.sleep(settings.intervalMs, stopping.signal).catch(() => undefined);
        }
      })();
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
