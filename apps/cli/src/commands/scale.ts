/** `slipway scale <app> web=3 worker=1`: set how many instances of each process type run. */
import type { Command } from 'commander';
import { processTypeSchema } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';

export const maxReplicas = 100;

/** Parses `type=N` settings; returns the counts, or the first problem as a sentence. */
export function parseScaleSettings(
  settings: readonly string[],
): { processes: Record<string, number> } | { problem: string } {
  const processes: Record<string, number> = {};
  for (const setting of settings) {
    const match = /^([^=]+)=(\d+)$/.exec(setting);
    const type = match?.[1];
    const count = Number(match?.[2]);
    if (type === undefined || !Number.isSafeInteger(count) || count > maxReplicas) {
      return {
        problem: `invalid scale "${setting}": expected TYPE=COUNT with COUNT a whole number from 0 to ${maxReplicas}, e.g. web=3`,
      };
    }
    const typeCheck = processTypeSchema.safeParse(type);
    if (!typeCheck.success)
      return { problem: `invalid process type "${type}": ${typeCheck.error.issues[0]?.message ?? 'not allowed'}` };
    if (type in processes) return { problem: `process type "${type}" is given twice` };
    processes[type] = count;
  }
  return { processes };
}

export function registerScaleCommand(program: Command, ctx: CliContext): void {
  program
    .command('scale')
    .description('set the number of instances per process type, e.g. `slipway scale web web=3 worker=1`')
    .argument('<app>', 'app name')
    .argument('<settings...>', 'TYPE=COUNT pairs')
    .addOption(environmentOption())
    .action(async (app: string, settings: string[], options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const parsed = parseScaleSettings(settings);
      if ('problem' in parsed) return run.usageError(parsed.problem);
      const answer = await run
        .client()
        .apps.scale(app, { processes: parsed.processes }, { environment: options.environment });
      if (run.isJson) return run.out.json(answer);
      const summary = Object.entries(answer.processes)
        .map(([type, count]) => `${type}=${count}`)
        .join(' ');
      run.out.line(`scaled ${app}${options.environment === undefined ? '' : ` (${options.environment})`}: ${summary}`);
    });
}
