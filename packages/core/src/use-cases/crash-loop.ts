/**
 * The `CrashLoop` report: an instance that has exited the crash-loop threshold of times and has not served since
 * its last restart. Outside a rollout nothing fails because of it — the controller keeps restarting it with a
 * capped backoff — so the report is how a person learns of it (instances, app and status views).
 */
import type { InstanceView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { InstanceRecord } from '../domain/records.js';
import { errorExcerpt } from '../domain/error-excerpt.js';
import { noMasking, type SecretMasker } from '../secrets/secret-masker.js';

export type CrashLoopView = NonNullable<InstanceView['crashLoop']>;

const logTailLines = 10;
/** Lines looked through for the first error line (above a stack trace, where the thrown message is). */
const errorSearchLines = 200;

/** Times the instance has exited: one per restart, plus the exit it is down from now. */
export function exitsOf(instance: Pick<InstanceRecord, 'restarts' | 'state'>): number {
  return instance.restarts + (instance.state === 'crashed' ? 1 : 0);
}

export function isCrashLooping(
  instance: Pick<InstanceRecord, 'restarts' | 'state' | 'healthyAtMs'>,
  settings: Pick<CoreDeps['settings'], 'crashLoopRestarts'>,
): boolean {
  const isDown =
    instance.state === 'crashed' ||
    ((instance.state === 'starting' || instance.state === 'unhealthy') && instance.healthyAtMs === null);
  return isDown && exitsOf(instance) >= settings.crashLoopRestarts;
}

/** The report for a crash-looping instance (with its last output, secret values masked by `mask`), or null. */
export async function crashLoopOf(
  deps: Pick<CoreDeps, 'runtimes' | 'settings'>,
  instance: InstanceRecord,
  mask: SecretMasker = noMasking,
): Promise<CrashLoopView | null> {
  if (!isCrashLooping(instance, deps.settings)) return null;
  const logTail: string[] = [];
  try {
    for await (const line of deps.runtimes
      .get(instance.runtime)
      .logs(instance.id, { tailLines: errorSearchLines, follow: false })) {
      logTail.push(mask(line.line));
    }
  } catch {
    // No output to show (the runtime lost it, or never had it): the exit code still says something.
  }
  return {
    reason: 'CrashLoop',
    exits: exitsOf(instance),
    lastExitCode: instance.lastExitCode,
    nextRestartAt:
      instance.state === 'crashed' && instance.restartAfterMs !== null
        ? new Date(instance.restartAfterMs).toISOString()
        : null,
    logTail: logTail.slice(-logTailLines),
    firstError: errorExcerpt(logTail, logTailLines).firstError,
  };
}
