/** `slipway status`: is slipwayd up, is the edge router serving, and how is each app doing. */
import type { Command } from 'commander';
import { countNoun, type StatusView } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { formatLimits } from './ps.js';

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show slipwayd, the edge router and every app at a glance')
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const status = await run.client().status();
      if (run.isJson) return run.out.json(status);
      const { style } = run.out;
      const { edge } = status;
      run.out.fields([
        [
          'slipwayd',
          `${style.green('up')} — version ${status.version} on ${status.nodeName}, api ${status.api}, since ${formatTimestamp(status.startedAt)}`,
        ],
        ['runtimes', (status.runtimes ?? ['process']).join(', ')],
        ...(status.isolation === undefined ? [] : [['isolation', formatIsolation(status.isolation, style)] as const]),
        [
          'edge',
          edge.isRunning
            ? `${style.green('running')} at ${edge.address}${edge.pid === null ? '' : ` (pid ${edge.pid})`}, ${countNoun(edge.routes, 'route')}`
            : `${style.red('not running')} (${edge.address})`,
        ],
      ]);
      run.out.line();
      if (status.apps.length === 0) return run.out.line('no apps yet: create one with `slipway apps create <name>`');
      run.out.table(
        ['APP', 'ENVIRONMENT', 'RELEASE', 'RUNTIME', 'LIMITS', 'INSTANCES', 'LAST DEPLOYMENT'],
        status.apps.map((app) => {
          const isHealthy = app.instances.healthy === app.instances.total;
          const instances =
            app.currentRelease === null ? 'no release yet' : `${app.instances.healthy}/${app.instances.total} healthy`;
          const last = app.lastDeployment;
          return [
            app.name,
            app.environment,
            app.currentRelease === null ? '-' : `v${app.currentRelease}`,
            app.runtime ?? '-',
            formatLimits(app.limits ?? null),
            isHealthy ? instances : style.yellow(instances),
            last === null ? '-' : `${last.id} ${last.state === 'failed' ? style.red(last.state) : last.state}`,
          ];
        }),
      );
    });
}

/** `none` is a warning: every process app can read slipwayd's data dir and the other apps. */
function formatIsolation(
  isolation: NonNullable<StatusView['isolation']>,
  style: { green(text: string): string; red(text: string): string },
): string {
  return isolation.mode === 'sandbox'
    ? `${style.green('sandbox')} — each project's process instances and builds run as its own user`
    : `${style.red('none')} — process instances are not isolated${isolation.reason === undefined ? '' : ` (${isolation.reason})`}`;
}
