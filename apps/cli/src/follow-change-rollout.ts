/**
 * What `config set|unset` and `secrets set|unset` do after the change is stored: say whether a release rolls out,
 * and follow its deployment unless told not to.
 */
import type { CommandRun } from './cli-context.js';
import { followAndReport, followDeployment } from './follow-deployment.js';

export interface ChangeRolloutOptions {
  /** `--no-deploy` was given: the change waits for the next deploy. */
  readonly deploy: boolean;
  /** `--no-follow` was given: the rollout runs without the CLI watching it. */
  readonly follow: boolean;
}

/** `applies` says what applies, with its verb, in the notice (`the config applies`, `the secrets apply`). */
export async function followChangeRollout(
  run: CommandRun,
  deploymentId: string | null,
  options: ChangeRolloutOptions,
  applies: string,
): Promise<void> {
  if (deploymentId === null) {
    if (!run.isJson) {
      run.out.line(
        run.out.style.dim(
          options.deploy
            ? `no release to roll out yet: ${applies} from the first deploy`
            : 'not rolled out (--no-deploy): it applies from the next deploy',
        ),
      );
    }
    return;
  }
  if (!options.follow) {
    if (run.isJson) return;
    run.out.line(`rolling out in deployment ${deploymentId}; not following (--no-follow)`);
    run.out.line(run.out.style.dim(`follow it with: slipway deployments logs ${deploymentId}`));
    return;
  }
  if (run.isJson) {
    // The change's answer is the whole stdout; the rollout only decides the exit code.
    const final = await followDeployment(run, deploymentId, undefined);
    if (final?.state !== 'succeeded') run.fail(final === undefined ? 130 : 1);
    return;
  }
  const deployment = await run.client().deployments.get(deploymentId);
  await followAndReport(run, { deployment, eventsUrl: '' }, true);
}
