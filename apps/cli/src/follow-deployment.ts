/** Follows a deployment to its end — event stream first, resumed after drops, polling as a last resort — and tells people how it went. */
import { SlipwayError } from '@slipway/contract';
import type { ApiClient, DeploymentEvent, DeploymentPhase, DeploymentView, PhaseRecordView } from '@slipway/contract';
import type { CommandRun } from './cli-context.js';
import { formatDurationMs } from './output.js';
import type { Output } from './output.js';

const terminalStates: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(deployment: Pick<DeploymentView, 'state'>): boolean {
  return terminalStates.has(deployment.state);
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

const isUnavailable = (error: unknown) => error instanceof SlipwayError && error.code === 'UNAVAILABLE';

/** Prints phases as they start and end (`▸ build`, `✓ build 12.3s`) and build output indented. */
export function createDeploymentNarrator(out: Output) {
  const startedAtMs = new Map<DeploymentPhase, number>();
  const printed = new Set<string>();
  const { style } = out;

  const phase = (
    name: DeploymentPhase,
    state: PhaseRecordView['state'],
    atMs: number,
    detail: string | null,
    finishedMs?: number,
  ) => {
    const key = `${name}:${state}`;
    if (printed.has(key)) return;
    printed.add(key);
    if (state === 'running') {
      startedAtMs.set(name, atMs);
      out.line(`${style.cyan('▸')} ${name}${detail === null || detail === '' ? '' : style.dim(` ${detail}`)}`);
      return;
    }
    const started = startedAtMs.get(name);
    const took = started === undefined ? '' : ` ${style.dim(formatDurationMs((finishedMs ?? atMs) - started))}`;
    if (state === 'succeeded') out.line(`${style.green('✓')} ${name}${took}`);
    else if (state === 'failed') out.line(`${style.red('✗')} ${name}${took}`);
    else out.line(style.dim(`- ${name} skipped`));
  };

  return {
    event(event: DeploymentEvent): void {
      switch (event.type) {
        case 'phase':
          phase(event.phase, event.state, Date.parse(event.at), event.detail);
          break;
        case 'log':
          out.line(`    ${event.line}`);
          break;
        case 'state':
          break;
      }
    },
    /** Polling sees phase records, not events: print what changed since the last look. */
    snapshot(deployment: DeploymentView): void {
      for (const record of deployment.phases) {
        const startedMs = Date.parse(record.startedAt);
        phase(record.phase, 'running', startedMs, record.detail);
        if (record.state !== 'running') {
          phase(
            record.phase,
            record.state,
            startedMs,
            null,
            record.finishedAt === null ? startedMs : Date.parse(record.finishedAt),
          );
        }
      }
    },
  };
}

type Narrator = ReturnType<typeof createDeploymentNarrator>;

/**
 * Waits for the deployment to end and returns it, or `undefined` when the run's signal aborted first.
 * A dropped stream is resumed with `after=<last seq>`; after `maxReconnects` fruitless tries it polls.
 */
export async function followDeployment(
  run: CommandRun,
  deploymentId: string,
  narrator: Narrator | undefined,
): Promise<DeploymentView | undefined> {
  const client: ApiClient = run.client();
  const { timing } = run;
  const signal = run.io.signal;
  const isAborted = () => signal?.aborted === true;
  let after: number | undefined;
  let fruitlessTries = 0;
  for (;;) {
    let hasProgress = false;
    try {
      for await (const event of client.deployments.events(deploymentId, { after, signal })) {
        after = event.seq;
        hasProgress = true;
        narrator?.event(event);
        if (event.type === 'state' && terminalStates.has(event.state))
          return await client.deployments.get(deploymentId);
      }
    } catch (error) {
      if (!isUnavailable(error)) throw error;
    }
    if (isAborted()) return undefined;
    fruitlessTries = hasProgress ? 1 : fruitlessTries + 1;
    if (fruitlessTries > timing.maxReconnects) break;
    run.err.line(
      run.err.style.dim(
        `event stream of ${deploymentId} dropped; reconnecting (${fruitlessTries}/${timing.maxReconnects})`,
      ),
    );
    await sleep(timing.reconnectDelayMs * fruitlessTries, signal);
  }
  run.err.line(
    run.err.style.dim(
      `event stream of ${deploymentId} unavailable; polling its state every ${timing.pollIntervalMs} ms`,
    ),
  );
  let failedPolls = 0;
  for (;;) {
    if (isAborted()) return undefined;
    try {
      const deployment = await client.deployments.get(deploymentId);
      failedPolls = 0;
      narrator?.snapshot(deployment);
      if (isTerminal(deployment)) return deployment;
    } catch (error) {
      failedPolls += 1;
      if (!isUnavailable(error) || failedPolls >= timing.maxPollFailures) throw error;
    }
    await sleep(timing.pollIntervalMs, signal);
  }
}

/** The closing line: `deployed web release 4`, or `✗ failed in build: BUILD_FAILED <reason>`. Returns whether it succeeded. */
export function reportOutcome(out: Output, deployment: DeploymentView): boolean {
  const { style } = out;
  const where = deployment.environment === 'production' ? '' : ` to ${deployment.environment}`;
  const inEnvironment = deployment.environment === 'production' ? '' : ` (${deployment.environment})`;
  const release = deployment.releaseNumber === null ? '' : ` release ${deployment.releaseNumber}`;
  switch (deployment.state) {
    case 'succeeded':
      if (deployment.kind === 'rollback')
        out.line(style.green(`rolled back ${deployment.app}${inEnvironment} to${release}`));
      else if (deployment.kind === 'restart')
        out.line(style.green(`restarted ${deployment.app}${inEnvironment}:${release} runs on new instances`));
      else if (deployment.kind === 'config')
        out.line(style.green(`deployed ${deployment.app}${release}${where} with the new config`));
      else out.line(style.green(`deployed ${deployment.app}${release}${where}`));
      return true;
    case 'failed': {
      const failure = deployment.failure;
      out.line(
        style.red(failure === null ? '✗ failed' : `✗ failed in ${failure.phase}: ${failure.code} ${failure.reason}`),
      );
      reportKeptRelease(out, deployment);
      return false;
    }
    case 'cancelled':
      out.line(style.red(deployment.cancellation ? `✗ cancelled by ${deployment.cancellation.by}` : '✗ cancelled'));
      reportKeptRelease(out, deployment);
      return false;
    case 'pending':
    case 'running':
      out.line(`deployment ${deployment.id} is ${deployment.state}`);
      return false;
  }
}

/** After a failed or cancelled deployment: what keeps serving, and that a config change went back with it. */
function reportKeptRelease(out: Output, deployment: DeploymentView): void {
  const kept = deployment.previousReleaseNumber;
  if (kept === null) return;
  out.line(out.style.dim(`release ${kept} keeps serving`));
  if (deployment.kind === 'config') {
    const environment = deployment.environment === 'production' ? '' : ` -e ${deployment.environment}`;
    out.line(
      out.style.dim(
        `the change is taken back: the config is release ${kept}'s again (slipway config list ${deployment.app}${environment})`,
      ),
    );
  }
}

/**
 * The shared tail of `deploy`, `rollback` and `config set`: follow unless told not to, narrate unless
 * `--json`, and set the exit code from the result.
 */
export async function followAndReport(
  run: CommandRun,
  started: { deployment: DeploymentView; eventsUrl: string },
  isFollow: boolean,
): Promise<void> {
  const { deployment } = started;
  if (!isFollow) {
    if (run.isJson) run.out.json(started);
    else {
      run.out.line(
        `deployment ${deployment.id} of ${deployment.app} (${deployment.environment}) started; not following (--no-follow)`,
      );
      run.out.line(
        run.out.style.dim(
          `follow it with: slipway deployments logs ${deployment.id} (or: deployments show|cancel ${deployment.id})`,
        ),
      );
    }
    return;
  }
  if (!run.isJson)
    run.out.line(run.out.style.dim(`deployment ${deployment.id} of ${deployment.app} (${deployment.environment})`));
  const narrator = run.isJson ? undefined : createDeploymentNarrator(run.out);
  const final = await followDeployment(run, deployment.id, narrator);
  if (final === undefined) {
    run.err.line(`stopped following; deployment ${deployment.id} goes on in slipwayd`);
    run.fail(130);
    return;
  }
  if (run.isJson) run.out.json(final);
  const isSuccess = run.isJson ? final.state === 'succeeded' : reportOutcome(run.out, final);
  if (!isSuccess) run.fail();
}
