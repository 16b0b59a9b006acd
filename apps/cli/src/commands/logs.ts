/**
 * `slipway logs <app>`: the recent output of an app's instances in time order, each line with its time, and with `-f`
 * everything after it, from every instance as instances come and go (deploys, restarts, scaling), until Ctrl-C. With
 * `--since`, `--until`, `--grep` or `--after` it reads the persisted log (deployments' output included), which
 * outlives instances and restarts of slipwayd.
 */
import type { Command } from 'commander';
import { logTimeMs, type LogLineView, type LogsOptions } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';
import type { Output } from '../output.js';

interface LogsCommandOptions {
  follow?: boolean;
  tail?: string;
  process?: string;
  environment?: string;
  since?: string;
  until?: string;
  grep?: string;
  after?: string;
}

const maxTailLines = 10_000;
/** Pages of the persisted log read for one answer at most (10,000 lines each). */
const maxPages = 100;

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
    .option('-n, --tail <lines>', 'how many recent lines to start with (default 100)')
    .option('--process <type>', 'only this process type, e.g. web (deploy: deployments’ output)')
    .option('--since <time>', 'persisted lines from this time: a duration back (90s, 15m, 1h, 2d) or an ISO time')
    .option('--until <time>', 'persisted lines before this time (same forms as --since)')
    .option('--grep <text>', 'only persisted lines containing this text (case-sensitive)')
    .option('--after <id>', 'persisted lines after this line id (resume where you stopped; --json shows ids)')
    .addOption(environmentOption())
    .action(async (app: string, options: LogsCommandOptions, command: Command) => {
      const run = ctx.for(command);
      const tailText = options.tail ?? '100';
      const tail = Number(tailText);
      if (!/^\d+$/.test(tailText) || tail > maxTailLines)
        run.usageError(`--tail expects a whole number from 0 to ${maxTailLines}, not "${tailText}"`);
      for (const [flag, value] of [
        ['--since', options.since],
        ['--until', options.until],
      ] as const) {
        if (value !== undefined && logTimeMs(value, Date.now()) === undefined)
          run.usageError(`${flag} expects a duration (90s, 15m, 1h, 2d) or an ISO 8601 time, not "${value}"`);
      }
      if (options.after !== undefined && !/^\d{1,15}$/.test(options.after))
        run.usageError(`--after expects a line id (a whole number), not "${options.after}"`);
      const isFromPoint = options.since !== undefined || options.after !== undefined;
      const query: LogsOptions = {
        environment: options.environment,
        // From a point every line is wanted: pages of the most the API gives, unless -n bounds them.
        tail: isFromPoint && options.tail === undefined ? maxTailLines : tail,
        process: options.process,
        since: options.since,
        until: options.until,
        grep: options.grep,
        after: options.after === undefined ? undefined : Number(options.after),
      };
      const client = run.client();
      const isHistory = isFromPoint || options.until !== undefined || options.grep !== undefined;
      if (options.follow !== true && !isHistory) {
        const answer = await client.logs.get(app, query);
        if (run.isJson) return run.out.json(answer);
        for (const line of answer.lines) printLine(run.out, line);
        if (answer.omitted !== undefined) run.err.line(run.err.style.dim(answer.omitted.message));
        return;
      }
      if (options.follow !== true) {
        let answer = await client.logs.get(app, query);
        for (let page = 1; ; page += 1) {
          if (run.isJson) for (const line of answer.lines) run.out.jsonLine(line);
          else for (const line of answer.lines) printLine(run.out, line);
          if (answer.nextAfter === undefined || options.tail !== undefined || page >= maxPages) break;
          answer = await client.logs.get(app, { ...query, since: undefined, after: answer.nextAfter });
        }
        return;
      }
      for await (const line of client.logs.follow(app, { ...query, signal: run.io.signal })) {
        if (run.isJson) run.out.jsonLine(line);
        else printLine(run.out, line);
      }
    });
}
