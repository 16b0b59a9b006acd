/** `slipway rollback <app>`: roll out an earlier release again (the previous one by default) and follow it like a deploy. */
import type { Command } from 'commander';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';
import { followAndReport } from '../follow-deployment.js';

export function registerRollbackCommand(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('roll an app back to its previous release, or to release N')
    .argument('<app>', 'app name')
    .option('--to <release>', 'release number to roll back to')
    .addOption(environmentOption())
    .option('--no-follow', 'return once the rollback is accepted')
    .action(async (app: string, options: { to?: string; environment?: string; follow: boolean }, command: Command) => {
      const run = ctx.for(command);
      let toRelease: number | undefined;
      if (options.to !== undefined) {
        toRelease = Number(options.to.replace(/^v/, ''));
        if (!/^v?\d+$/.test(options.to) || toRelease < 1)
          run.usageError(`--to expects a release number like 3 or v3, not "${options.to}"`);
      }
      const started = await run
        .client()
        .releases.rollback(app, toRelease === undefined ? {} : { toRelease }, { environment: options.environment });
      await followAndReport(run, started, options.follow);
    });
}
