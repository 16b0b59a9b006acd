/**
 * `slipway logs <app>`: the recent output of an app's instances in time order, each line with its time, and with `-f`
 * everything after it, from every instance as instances come and go (deploys, restarts, scaling), until Ctrl-C.
 */
import type { Command } from 'commander';
import type { LogLineView } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';
import type { Output } from '../output.js';

interface LogsCommandOptions {
  follow?: boolean;
  tail: string;
  process?: string;
  environment?: string;
}

const maxTailLines = 10_000;

function printLine(out: Output, line: LogLineView): void {
  const prefix = out.style.dim(`${line.time} ${line.process}[${line.instanceId}]`);
  out.line(`${prefix} ${line.stream === 'stderr' ? out.style.yellow(line.line) : line.line}`);
}

export function registerLogsCommand(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .description('print the logs of an app (with -f, keep printing new lines)')
    .argument('<app>', 'app name')
    .option('-f, --follow', 'keep printing new lines, across deploys, restarts and scaling, until interrupted')
    .option('-n, --tail <lines>', 'how many recent lines to start with', '100')
    .option('--process <type>', 'only this process type, e.g. web')
    .addOption(environmentOption())
    .action(async (app: string, options: LogsCommandOptions, command: Command) => {
      const run = ctx.for(command);
      const tail = Number(options.tail);
      if (!/^\d+$/.test(options.tail) || tail > maxTailLines)
        run.usageError(`--tail expects a whole number from 0 to ${maxTailLines}, not "${options.tail}"`);
      const query = { environment: options.environment, tail, process: options.process };
      if (options.follow !== true) {
        const answer = await run.client().logs.get(app, query);
        if (run.isJson) return run.out.json(answer);
        for (const line of answer.lines) printLine(run.out, line);
        if (answer.omitted !== undefined) run.err.line(run.err.style.dim(answer.omitted.message));
        return;
      }
      for await (const line of run.client().logs.follow(app, { ...query, signal: run.io.signal })) {
        if (run.isJson) run.out.jsonLine(line);
        else printLine(run.out, line);
      }
    });
}
