/**
 * Condition sources read from the store: `crash-loop` (an instance of the app in the environment crash-loops, as the
 * instance views report it) and `deployment-failed` (the app's last finished deployment in the environment failed;
 * a later successful one clears it).
 */
import { exitsOf, isCrashLooping } from '../use-cases/crash-loop.js';
import { appSubjectOf, type AlertConditionSource } from './alert-conditions.js';

/** Deployments looked through for the last finished one (cancelled and running ones are skipped). */
const deploymentsLookedAt = 20;

export function createCrashLoopConditionSource(): AlertConditionSource {
  return {
    async observe(rule, context) {
      const { deps } = context;
      const subjects = await context.appEnvironmentsOf(rule);
      return Promise.all(
        subjects.map(async (subject) => {
          const instances = await deps.store.instances.list({
            appId: subject.app.id,
            environmentId: subject.environment.id,
          });
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
        }),
      );
    },
  };
}

export function createDeploymentFailedConditionSource(): AlertConditionSource {
  return {
    async observe(rule, context) {
      const { deps } = context;
      const subjects = await context.appEnvironmentsOf(rule);
      return Promise.all(
        subjects.map(async (subject) => {
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
          return {
            ...appSubjectOf(subject),
            condition: last?.state === 'failed' ? ('active' as const) : ('inactive' as const),
            value: null,
            message,
          };
        }),
      );
    },
  };
}
