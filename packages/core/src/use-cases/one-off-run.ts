/**
 * `slipway run <app> -- <command>`: a one-off command in the current release's directory and environment, isolated
 * as the app's instances are (same runtime, same sandbox, same limits), its output streamed, its exit reported, and
 * stopped at its deadline or when the client goes away.
 */
import { SlipwayError, type RunEvent } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import { instanceEnv, instanceLabels } from '../controller/instance-env.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import { maskerForReleases, openReleaseSecrets } from '../secrets/secret-vault.js';
import { getAppScope, getRelease } from './lookups.js';

/** The process type a one-off run is labelled with (its output shows under it in `slipway logs`). */
export const oneOffProcess = 'run';
/** Grace between SIGTERM and SIGKILL when a run is stopped (deadline, client gone). */
const runStopGraceMs = 5_000;
/** How often a run is looked at for its exit, besides the end of its output. */
const exitPollMs = 200;

export interface OneOffRunInput {
  app: string;
  environment: string;
  command: string;
  timeoutMs: number;
  /** Aborted when the client goes away: the run is stopped. */
  signal: AbortSignal;
}

/**
 * The run's events: `started`, its output lines (secret values masked, as in logs), then `exit`. Errors, before the
 * first event: `NO_RELEASE`, `RUNTIME_INCOMPATIBLE` (a swarm runtime), those of the runtime's `start`.
 */
export async function* runOneOff(deps: CoreDeps, fleet: Fleet, input: OneOffRunInput): AsyncGenerator<RunEvent> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const releaseId = scope.appEnvironment.currentReleaseId;
  if (releaseId === null) throw new SlipwayError('NO_RELEASE', `"${input.app}" has no release yet: deploy it first`);
  const release = await getRelease(deps.store, releaseId);
  const plan = resolveRuntimePlan(release, scope.environment.name, oneOffProcess);
  if (plan.runtime === 'swarm') {
    throw new SlipwayError(
      'RUNTIME_INCOMPATIBLE',
      'one-off runs use the process or docker runtime: a swarm service would be restarted when the command exits',
      { details: { runtime: plan.runtime } },
    );
  }
  const driver = deps.runtimes.get(plan.runtime);
  const runId = deps.ids.next('run');
  const instance = { id: runId, process: oneOffProcess, deploymentId: null };
  const secrets = await openReleaseSecrets(deps, release);
  const mask = await maskerForReleases(deps, [release.id]);
  fleet.oneOffRuns.add(runId);
  try {
    await driver.start({
      instanceId: runId,
      labels: { ...instanceLabels(release, scope.app, scope.environment, instance), 'slipway.one-off': 'true' },
      // As its processes do: the builder's tools on PATH, its environment (`NODE_ENV`…), then the command.
      command: release.runtimePrefix === null ? input.command : `${release.runtimePrefix} ${input.command}`,
      workDir: release.artifactDir,
      env: instanceEnv(
        release,
        scope.app,
        scope.environment,
        instance,
        secrets,
        deps.settings.catalogAddresses[plan.runtime],
      ),
      stopGraceMs: runStopGraceMs,
      listensOnPort: false,
      networkScope: scope.app.projectId,
      secretNames: Object.keys(secrets),
      ...(release.image === null ? {} : { image: release.image.digest }),
      ...(plan.limits === undefined ? {} : { limits: plan.limits }),
    });
    deps.logger.info({ runId, app: scope.app.name, release: release.number }, 'one-off run started');
    yield { type: 'started', runId, releaseNumber: release.number };

    const deadline = AbortSignal.timeout(input.timeoutMs);
    const stop = AbortSignal.any([deadline, input.signal]);
    const isStopped = (): boolean => stop.aborted;
    const onStop = (): void => {
      fleet.background.run('run stop', () => driver.stop(runId), { runId });
    };
    stop.addEventListener('abort', onStop, { once: true });
    try {
      for await (const raw of driver.logs(runId, { tailLines: 10_000, follow: true, untilExit: true })) {
        if (input.signal.aborted) break;
        const timeMs = raw.timeMs ?? deps.clock.nowMs();
        yield { type: 'output', stream: raw.stream, line: mask(raw.line), time: new Date(timeMs).toISOString() };
      }
      // Output over (the runtime saw the exit): its status says how it ended.
      let status = await driver.inspect(runId);
      while (status?.state === 'running' && !input.signal.aborted) {
        await deps.clock.sleep(exitPollMs);
        status = await driver.inspect(runId);
      }
      const isTimedOut = deadline.aborted && !input.signal.aborted;
      deps.logger.info({ runId, exitCode: status?.exitCode ?? null, isTimedOut }, 'one-off run ended');
      if (!isStopped() || isTimedOut) {
        yield {
          type: 'exit',
          exitCode: status?.exitCode ?? null,
          signal: status?.exitSignal ?? null,
          isTimedOut,
        };
      }
    } finally {
      stop.removeEventListener('abort', onStop);
    }
  } finally {
    // Its output stays readable a while (the runtime keeps removed instances' logs), under process `run`.
    await driver.remove(runId).catch((error: unknown) => deps.logger.warn({ runId, err: error }, 'run remove failed'));
    fleet.oneOffRuns.delete(runId);
  }
}
