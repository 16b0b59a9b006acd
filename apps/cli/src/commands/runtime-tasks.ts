/**
 * `slipway stop|start|restart <app>` and `slipway maintenance on|off <app>`: what runs of an app, and what its
 * routes answer, without a deploy.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { InstanceView, RunStateView } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext, CommandRun } from '../cli-context.js';
import { followAndReport } from '../follow-deployment.js';

/** How long `stop` and `start` wait for the instances to go or to serve before saying it goes on in slipwayd. */
const settleTimeoutMs = 120_000;
const settlePollMs = 500;

interface ScopeOptions {
  environment?: string;
  wait: boolean;
}

export function registerRuntimeTaskCommands(program: Command, ctx: CliContext): void {
  program
    .command('stop')
    .description('stop an app: its instances go and none starts until `slipway start` (its routes answer 503)')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .option('--no-wait', 'return once the stop is recorded, without waiting for the instances to go')
    .action(async (app: string, options: ScopeOptions, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().runtime.stop(app, { environment: options.environment });
      if (options.wait) await settle(run, app, options.environment, (instances) => instances.length === 0);
      if (run.isJson) return run.out.json(answer);
      run.out.line(
        answer.isUnchanged
          ? `${app}${where(options.environment)} was already stopped`
          : `stopped ${app}${where(options.environment)}: no instance runs until \`slipway start ${app}\`; its routes answer 503 with the maintenance page`,
      );
    });

  program
    .command('start')
    .description('start a stopped app: its current release runs again')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .option('--no-wait', 'return once the start is recorded, without waiting for the instances to serve')
    .action(async (app: string, options: ScopeOptions, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().runtime.start(app, { environment: options.environment });
      if (options.wait) await settle(run, app, options.environment, isServing);
      if (run.isJson) return run.out.json(answer);
      run.out.line(
        answer.isUnchanged
          ? `${app}${where(options.environment)} was already running`
          : `started ${app}${where(options.environment)}${maintenanceNote(answer)}`,
      );
    });

  program
    .command('restart')
    .description('replace the instances of an app with new ones of the same release (rolling: it keeps serving)')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .option('--no-follow', 'return once the restart is accepted')
    .action(async (app: string, options: { environment?: string; follow: boolean }, command: Command) => {
      const run = ctx.for(command);
      const started = await run.client().runtime.restart(app, { environment: options.environment });
      await followAndReport(run, started, options.follow);
    });

  program
    .command('maintenance')
    .description('serve a maintenance page (503 with Retry-After) for an app, or stop serving it')
    .argument('<state>', 'on or off')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .option('--retry-after <seconds>', 'what Retry-After says (default 60)')
    .option('--page <file>', 'an HTML file to serve instead of the default page (at most 64 KiB)')
    .action(
      async (
        state: string,
        app: string,
        options: { environment?: string; retryAfter?: string; page?: string },
        command: Command,
      ) => {
        const run = ctx.for(command);
        if (state !== 'on' && state !== 'off') run.usageError(`expected "on" or "off", not "${state}"`);
        const retryAfterSeconds = options.retryAfter === undefined ? undefined : Number(options.retryAfter);
        if (retryAfterSeconds !== undefined && !(/^\d+$/.test(options.retryAfter ?? '') && retryAfterSeconds >= 1))
          run.usageError(`--retry-after expects a whole number of seconds from 1, not "${options.retryAfter}"`);
        if (state === 'off' && (options.page !== undefined || retryAfterSeconds !== undefined))
          run.usageError('--page and --retry-after go with `maintenance on`');
        const page = options.page === undefined ? undefined : await readPage(run, options.page);
        const answer = await run.client().runtime.maintenance(
          app,
          {
            isEnabled: state === 'on',
            ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
            ...(page === undefined ? {} : { page }),
          },
          { environment: options.environment },
        );
        if (run.isJson) return run.out.json(answer);
        if (state === 'on')
          run.out.line(`${app}${where(options.environment)} is in maintenance: its routes answer 503 with the page`);
        else if (answer.runState === 'stopped')
          run.out.line(
            `maintenance off for ${app}${where(options.environment)}; it is stopped, so its routes still answer 503 until \`slipway start ${app}\``,
          );
        else run.out.line(`maintenance off: ${app}${where(options.environment)} serves again`);
      },
    );
}

function where(environment: string | undefined): string {
  return environment === undefined ? '' : ` (${environment})`;
}

function maintenanceNote(answer: RunStateView): string {
  return answer.maintenance === null
    ? ''
    : `; it is still in maintenance (\`slipway maintenance off ${answer.app}\` to serve it)`;
}

/** Every instance serving (web) or running (other processes), and at least one. */
function isServing(instances: readonly InstanceView[]): boolean {
  return instances.length > 0 && instances.every((i) => i.state === 'healthy');
}

async function readPage(run: CommandRun, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    return run.usageError(`cannot read --page ${path}: ${(error as Error).message}`);
  }
}

/** Waits until the app's instances satisfy `isDone`, or says that it goes on in slipwayd. */
async function settle(
  run: CommandRun,
  app: string,
  environment: string | undefined,
  isDone: (instances: readonly InstanceView[]) => boolean,
): Promise<void> {
  const deadlineMs = Date.now() + settleTimeoutMs;
  while (Date.now() < deadlineMs && run.io.signal?.aborted !== true) {
    const { instances } = await run.client().instances.list(app, { environment });
    if (isDone(instances)) return;
    await new Promise((resolve) => setTimeout(resolve, settlePollMs));
  }
  run.err.line(run.err.style.dim('still settling: see `slipway ps`'));
}
