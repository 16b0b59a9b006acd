/**
 * `slipway system stop [--all]`: stops slipwayd on purpose (owner only). Alone, it is the same as SIGTERM: apps and
 * the edge keep serving. With `--all`, every app instance and the edge stop first. Waits until slipwayd has gone.
 */
import type { Command } from 'commander';
import { countNoun, isSlipwayError } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';

/** How long to wait for slipwayd to go: stopping everything waits for each instance's stop grace. */
const goneWithinMs = 130_000;
const pollIntervalMs = 250;

export function registerSystemCommand(program: Command, ctx: CliContext): void {
  const system = program.command('system').description('control slipwayd itself (owner only)');

  system
    .command('stop')
    .description(
      'stop slipwayd (apps and the edge keep serving, as with SIGTERM); with --all, stop every app instance and the edge too',
    )
    .option('--all', 'also stop every app instance and the edge router')
    .action(async (options: { all?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const client = run.client();
      const answer = await client.system.stop({ scope: options.all === true ? 'everything' : 'slipwayd' });
      if (!run.isJson) {
        run.err.line(
          answer.scope === 'everything'
            ? `stopping ${countNoun(answer.runningInstances, 'app instance')}, the edge and slipwayd …`
            : `stopping slipwayd; ${countNoun(answer.runningInstances, 'app instance')} and the edge keep running …`,
        );
      }
      const deadlineMs = Date.now() + goneWithinMs;
      for (;;) {
        const isGone = await client.health().then(
          () => false,
          (error: unknown) => isSlipwayError(error) && error.code === 'UNAVAILABLE',
        );
        if (isGone) break;
        if (Date.now() > deadlineMs) {
          run.err.line(`slipwayd at ${run.apiUrl} still answers; see its log`);
          return run.fail();
        }
        await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      }
      if (run.isJson) return run.out.json({ ...answer, isStopped: true });
      run.out.line(
        answer.scope === 'everything'
          ? 'stopped: every app instance, the edge and slipwayd (the next start brings the apps back)'
          : 'slipwayd stopped; the apps and the edge go on serving (the next start re-adopts them)',
      );
    });
}
