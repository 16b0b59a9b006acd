/**
 * Condition sources read from the store: `crash-loop` (an instance of the app in the environment crash-loops, as the
 * instance views report it) and `deployment-failed` (the app's last finished deployment in the environment failed;
 * a later successful one clears it).
 */
import { nextEventLoopTurn, scopesPerTurn } from '../controller/event-loop-turn.js';
import type { InstanceRecord } from '../domain/records.js';
import { exitsOf, isCrashLooping } from '../use-cases/crash-loop.js';
import { appSubjectOf, type AlertConditionSource, type AlertObservation } from './alert-conditions.js';

const scopeKey = (appId: string, environmentId: string): string => `${appId}/${environmentId}`;

/** Deployments looked through for the last finished one (cancelled and running ones are skipped). */
const deploymentsLookedAt = 20;

export function createCrashLoopConditionSource(): AlertConditionSource {
  return {
    async observe(rule, context) {
      const { deps } = context;
      const subjects = await context.appEnvironmentsOf(rule);
      // One read of every instance, grouped by app environment, instead of one read per subject: a pass over
      // thousands of app environments would otherwise hold thousands of queries in flight at once.
      const byScope = new Map<string, InstanceRecord[]>();
      for (const instance of await deps.store.instances.list()) {
        const key = scopeKey(instance.appId, instance.environmentId);
        const scoped = byScope.get(key);
        if (scoped === undefined) byScope.set(key, [instance]);
        else scoped.push(instance);
      }
      return subjects.map((subject) => {
        const instances = byScope.get(scopeKey(subject.app.id, subject.environment.id)) ?? [];
        const looping = instances.filter((i) => isCrashLooping(i, deps.settings));
        const first = looping[0];
        const message =
          first === undefined
            ? 'no instance is crash-looping'
            : `${looping.length} instance${looping.length === 1 ? '' : 's'} crash-looping: ${first.id} (${first.process}) exited ${exitsOf(first)} times without serving${first.lastExitCode === null ? '' : `, last with exit code ${first.lastExitCode}`}`;
        return {
          ...appSubjectOf(subject),
          condition: looping.length > 0 ? ('active' as const) : ('inactive' as const),
          value: looping.length,
          message,
        };
      });
    },
  };
}

export function createDeploymentFailedConditionSource(): AlertConditionSource {
  return {
    async observe(rule, context) {
      const { deps } = context;
      const subjects = await context.appEnvironmentsOf(rule);
      const observations: AlertObservation[] = [];
      // One subject at a time: all at once would hold a query per app environment in flight, and every one of them
      // would outlive the young generation and be left for a full collection.
      for (const [index, subject] of subjects.entries()) {
        if (index > 0 && index % scopesPerTurn === 0) await nextEventLoopTurn();
        const deployments = await deps.store.deployments.list(
          subject.app.id,
          subject.environment.id,
          deploymentsLookedAt,
        );
        const last = deployments.find((d) => d.state === 'succeeded' || d.state === 'failed');
        const failure = last?.failure ?? null;
        const message =
          last === undefined
            ? 'no finished deployment'
            : last.state === 'succeeded'
              ? `deployment ${last.id} succeeded`
              : failure === null
                ? `deployment ${last.id} failed`
                : `deployment ${last.id} failed in ${failure.phase}: ${failure.code}: ${failure.reason}`;
        observations.push({
          ...appSubjectOf(subject),
          condition: last?.state === 'failed' ? 'active' : 'inactive',
          value: null,
          message,
        });
      }
      return observations;
    },
  };
}
