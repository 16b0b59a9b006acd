/**
 * `slipway rollout status|promote|pause|resume|abort|retry <app>`: where an app environment's blue-green or canary
 * rollout stands, and the controls a user has on it. Each control is a request the controller acts on at its next
 * pass; the answer is the rollout as it stands, with the request pending.
 */
import type { Command } from 'commander';
import type { RolloutView } from '@slipway/contract';
import { environmentOption, type CliContext, type CommandRun } from '../cli-context.js';
import { rolloutCommand, stepPhrase, writeRolloutHeadline, writeRolloutStatus } from './rollout-status.js';

interface EnvironmentOptions {
  environment?: string;
}

export function registerRolloutCommand(program: Command, ctx: CliContext): void {
  const rollout = program
    .command('rollout')
    .description("show and steer an app's rollout: promote, pause, resume, abort or retry it");

  rollout
    .command('status')
    .description('show the rollout: phase, step, traffic split, analysis, and what to do next')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .action(async (app: string, options: EnvironmentOptions, command: Command) => {
      const run = ctx.for(command);
      const view = await run.client().rollout.get(app, { environment: options.environment });
      if (run.isJson) return run.out.json(view);
      writeRolloutStatus(run.out, view);
    });

  rollout
    .command('promote')
    .description('leave the current pause, analysis or approval and go on to the next step')
    .argument('<app>', 'app name')
    .option('--full', 'skip every remaining step, pause and analysis: all traffic to the new release')
    .addOption(environmentOption())
    .action(async (app: string, options: EnvironmentOptions & { full?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const isFull = options.full === true;
      const view = await run.client().rollout.promote(app, { full: isFull }, { environment: options.environment });
      report(run, view, () =>
        isFull
          ? `promote --full asked: release ${view.releaseNumber} of ${scopeOf(view)} skips its remaining steps and takes all traffic`
          : `promote asked: the rollout of release ${view.releaseNumber} of ${scopeOf(view)} leaves ${stepPhrase(view)}`,
      );
    });

  const control = (name: 'pause' | 'resume' | 'abort', description: string, done: (view: RolloutView) => string) =>
    rollout
      .command(name)
      .description(description)
      .argument('<app>', 'app name')
      .addOption(environmentOption())
      .action(async (app: string, options: EnvironmentOptions, command: Command) => {
        const run = ctx.for(command);
        const view = await run.client().rollout[name](app, { environment: options.environment });
        report(run, view, () => done(view));
      });

  control(
    'pause',
    'hold the rollout at its current step (traffic stays as it is) until resumed',
    (view) =>
      `pause asked: the rollout of release ${view.releaseNumber} of ${scopeOf(view)} holds at ${stepPhrase(view)}; go on with \`${rolloutCommand(view, 'resume')}\``,
  );
  control(
    'resume',
    'go on from a pause asked with `rollout pause`',
    (view) =>
      `resumed: the rollout of release ${view.releaseNumber} of ${scopeOf(view)} goes on from ${stepPhrase(view)}`,
  );
  control('abort', 'move all traffic back to the stable release at once, and make it the desired one again', (view) =>
    view.stableReleaseNumber === null
      ? `abort asked: release ${view.releaseNumber} of ${scopeOf(view)} stops rolling out (there is no earlier release to go back to)`
      : `abort asked: all traffic of ${scopeOf(view)} goes back to release ${view.stableReleaseNumber}, the desired release again`,
  );
  rollout
    .command('retry')
    .description('roll out an aborted or degraded release again from its first step (a new deployment)')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .action(async (app: string, options: EnvironmentOptions, command: Command) => {
      const run = ctx.for(command);
      const { deployment } = await run.client().rollout.retry(app, { environment: options.environment });
      if (run.isJson) return run.out.json({ deployment });
      run.out.line(
        `${run.out.style.green('✓')} retry asked: deployment ${deployment.id} rolls release ${deployment.releaseNumber ?? '?'} of ${deployment.app} (${deployment.environment}) out again from its first step`,
      );
      run.out.line(`  follow it: slipway deployments logs ${deployment.id}`);
    });
}

const scopeOf = (view: RolloutView): string => `${view.app} (${view.environment})`;

function report(run: CommandRun, view: RolloutView, sentence: () => string): void {
  if (run.isJson) return run.out.json(view);
  run.out.line(`${run.out.style.green('✓')} ${sentence()}`);
  writeRolloutHeadline(run.out, view);
}
