/**
 * The release command (a Procfile's `release:`, as Heroku defines it): run once per release, after the release is
 * recorded and before its rollout, in the release's environment (config and secrets, the same runtime and sandbox as
 * its instances), within `settings.releaseCommandTimeoutMs`. A non-zero exit or the deadline fails the deployment with
 * the tail of its output, and since no instance of the release has started, the current release keeps serving.
 *
 * It runs as a task of the runtime: an instance with no instance record, labelled `slipway.task=release`, which the
 * controller leaves alone while its deployment runs and removes as an orphan after.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { InstanceScope } from '../controller/fleet.js';
import { instanceEnv, instanceLabels, taskLabel } from '../controller/instance-env.js';
import { assertRuntimeRuns } from '../controller/runtime-set.js';
import { releaseCommandName, releaseCommandOf } from '../domain/process-plan.js';
import type { ReleaseRecord } from '../domain/records.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import { openReleaseSecrets } from '../secrets/secret-vault.js';

/** How often the task is asked whether it has exited. */
const pollIntervalMs = 250;
/** Lines of its output copied into the deployment log, and lines of them quoted in a failure's reason. */
const loggedLines = 1000;
const reasonLines = 5;
const stopGraceMs = 5_000;

export interface ReleaseCommandInput {
  scope: InstanceScope;
  release: ReleaseRecord;
  deploymentId: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

/**
 * Runs the release's command when it has one; resolves with a short summary, or undefined when there is none.
 * Errors: `RELEASE_COMMAND_FAILED` (non-zero exit, killed, or past the deadline; the output's tail in the message),
 * `INTERRUPTED` (the run was stopped), the runtime's own (`START_FAILED`, `RUNTIME_UNAVAILABLE`).
 */
export async function runReleaseCommand(deps: CoreDeps, input: ReleaseCommandInput): Promise<string | undefined> {
  const { scope, release, deploymentId, log, signal } = input;
  const command = releaseCommandOf(release.processes);
  if (command === undefined) return undefined;
  const plan = resolveRuntimePlan(release, scope.environment.name, releaseCommandName);
  assertRuntimeRuns(deps.runtimes, plan.runtime, release);
  const driver = deps.runtimes.get(plan.runtime);
  const taskId = `${deploymentId}-release`;
  const timeoutMs = deps.settings.releaseCommandTimeoutMs;
  // A task an interrupted run left behind is started afresh: the command runs to completion once per release.
  await driver.remove(taskId);
  log(`-----> running the release command: ${command}`);
  const secrets = await openReleaseSecrets(deps, release);
  const task = { id: taskId, process: releaseCommandName, deploymentId };
  await driver.start({
    instanceId: taskId,
    labels: { ...instanceLabels(release, scope.app, scope.environment, task), [taskLabel]: releaseCommandName },
    command,
    workDir: release.artifactDir,
    env: instanceEnv(
      release,
      scope.app,
      scope.environment,
      task,
      secrets,
      deps.settings.catalogAddresses[plan.runtime],
    ),
    stopGraceMs,
    networkScope: scope.app.projectId,
    secretNames: Object.keys(secrets),
    placement: plan.placement,
    ...(release.image === null ? {} : { image: release.image.digest }),
    ...(plan.limits === undefined ? {} : { limits: plan.limits }),
  });
  try {
    const deadlineMs = deps.clock.nowMs() + timeoutMs;
    let status = await driver.inspect(taskId);
    while (status !== undefined && status.state === 'running') {
      if (signal.aborted) throw new SlipwayError('INTERRUPTED', 'the release command was stopped with its deployment');
      if (deps.clock.nowMs() >= deadlineMs) break;
      await deps.clock.sleep(pollIntervalMs, signal).catch(() => undefined);
      status = await driver.inspect(taskId);
    }
    const isTimedOut = status?.state === 'running';
    if (isTimedOut) await driver.stop(taskId, { graceMs: stopGraceMs });
    const output = await outputOf(deps, plan.runtime, taskId);
    for (const line of output) log(line);
    if (isTimedOut) {
      throw failure(`the release command did not finish within ${timeoutMs} ms`, output, { timeoutMs });
    }
    const exitCode = status?.exitCode ?? null;
    if (exitCode !== 0) {
      const how = exitCode === null ? `was killed (${status?.exitSignal ?? 'unknown signal'})` : `exited ${exitCode}`;
      throw failure(`the release command ${how}`, output, {
        exitCode,
        ...(status?.exitSignal == null ? {} : { exitSignal: status.exitSignal }),
      });
    }
    return 'release command succeeded';
  } finally {
    await driver.remove(taskId).catch((error: unknown) => {
      deps.logger.warn({ taskId, err: error }, 'release command task not removed; the controller removes it');
    });
  }
}

async function outputOf(deps: CoreDeps, runtime: string, taskId: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for await (const entry of deps.runtimes.get(runtime).logs(taskId, { tailLines: loggedLines, follow: false })) {
      lines.push(entry.line);
    }
  } catch (error) {
    deps.logger.warn({ taskId, err: error }, 'release command output unavailable');
  }
  return lines;
}

function failure(what: string, output: readonly string[], details: Record<string, unknown>): SlipwayError {
  const tail = output.filter((line) => line.trim() !== '').slice(-reasonLines);
  return new SlipwayError(
    'RELEASE_COMMAND_FAILED',
    `${what}; the current release keeps serving` + (tail.length === 0 ? '' : `; its last output: ${tail.join(' | ')}`),
    { details: { ...details, outputLines: tail } },
  );
}
