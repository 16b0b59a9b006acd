/**
 * What fails a rollout from what its new instances do: one that never became healthy and keeps exiting
 * (`CRASH_LOOP`, with the first error line of its output), one failing its check past the start period
 * (`HEALTH_CHECK_FAILED`), one listening on another port than `$PORT` (`PORT_MISMATCH`, see `port-mismatch.ts`).
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import { isRefused, portHint } from '../deployment/port-mismatch.js';
import { errorExcerpt, formatErrorExcerpt } from '../domain/error-excerpt.js';
import type { ResolvedProcess } from '../domain/process-plan.js';
import type { InstanceRecord } from '../domain/records.js';

/** Output lines read for a crash report: its first error line is looked for in these. */
const crashExcerptLines = 200;

/** Throws the coded error of the first broken instance among `fresh` (instances of one process the rollout started). */
export async function assertNoBrokenInstance(
  deps: Pick<CoreDeps, 'settings'>,
  fleet: Fleet,
  fresh: readonly InstanceRecord[],
  process: ResolvedProcess,
  appName: string,
): Promise<void> {
  for (const instance of fresh) {
    if (instance.healthyAtMs !== null) continue;
    if (instance.state === 'crashed' && instance.restarts + 1 >= deps.settings.crashLoopRestarts) {
      // Enough lines to reach above a stack trace, where the thrown message is.
      const tail = await fleet.logTail(instance.id, crashExcerptLines);
      const excerpt = errorExcerpt(tail, 3);
      const quoted = formatErrorExcerpt(excerpt);
      const code = instance.lastExitCode === null ? 'an unknown code' : `code ${instance.lastExitCode}`;
      const exit = instance.lastExitReason === 'oom-killed' ? `${code}, killed for going over its memory limit` : code;
      throw new SlipwayError(
        'CRASH_LOOP',
        `${process.name} instance exited ${instance.restarts + 1} times with ${exit} before becoming healthy (command: ${process.command})` +
          (quoted.length > 0 ? `; ${quoted}` : '') +
          `; its output: slipway logs ${appName} --process ${process.name}`,
        {
          details: {
            instanceId: instance.id,
            exitCode: instance.lastExitCode,
            firstError: excerpt.firstError,
            logTail: tail.slice(-10),
          },
        },
      );
    }
    if (instance.state === 'unhealthy') {
      const check = process.healthCheck;
      const what = check.type === 'http' ? `http check on ${check.path}` : `${check.type} check`;
      const detail = fleet.health.lastDetail(instance.id);
      const hint =
        isRefused(detail) && instance.port !== null ? ` (nothing listens there; ${portHint(instance.port)})` : '';
      throw new SlipwayError(
        'HEALTH_CHECK_FAILED',
        `${process.name} instance ${instance.id} did not pass its ${what}: ${detail ?? 'no answer'}${hint}`,
        { details: { instanceId: instance.id, detail: fleet.health.lastDetail(instance.id) ?? null } },
      );
    }
  }
}
