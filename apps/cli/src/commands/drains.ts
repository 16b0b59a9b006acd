/**
 * `slipway drains add|list|remove <app>`: where an app's persisted log lines are shipped (syslog over TCP or TLS, or
 * an HTTP endpoint), with each drain's status. A URL carrying a token can be given on stdin (`-`), so it stays out of
 * the shell history and the process list; slipwayd never shows it again.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SlipwayError, type LogDrainView } from '@slipway/contract';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { readSecretValue } from '../read-secret-value.js';

function describeError(drain: LogDrainView): string {
  if (drain.lastError === null) return '-';
  return `${drain.lastError.code} at ${formatTimestamp(drain.lastError.at)}: ${drain.lastError.message}`;
}

interface ProjectOption {
  project?: boolean;
}

const projectHelp = 'the name is a project: its own drains, each shipping every app of it (present and future)';

async function readCa(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new SlipwayError('VALIDATION_FAILED', `--drain-ca-file: ${file} cannot be read`, { cause: error });
  }
}

export function registerDrainsCommand(program: Command, ctx: CliContext): void {
  const drains = program
    .command('drains')
    .description("where an app's log lines are shipped: syslog (RFC 5424 over TCP or TLS) or an HTTP endpoint");

  drains
    .command('list <app>')
    .description("list an app's log drains: destination, lines shipped and waiting, last success and last error")
    .option('--project', projectHelp)
    .action(async (app: string, options: ProjectOption, command: Command) => {
      const run = ctx.for(command);
      const client = run.client().logDrains;
      const answer = options.project === true ? await client.project.list(app) : await client.list(app);
      if (run.isJson) return run.out.json(answer);
      if (answer.drains.length === 0)
        return run.out.line(`${options.project === true ? 'project ' : ''}${app} has no log drains`);
      run.out.table(
        ['ID', 'KIND', 'DESTINATION', 'SHIPPED', 'WAITING', 'FAILED', 'LAST SUCCESS', 'LAST ERROR'],
        answer.drains.map((d) => [
          d.id,
          d.kind,
          d.destination,
          String(d.linesShipped),
          String(d.lagLines),
          String(d.linesFailed),
          d.lastSuccessAt === null ? '-' : formatTimestamp(d.lastSuccessAt),
          describeError(d),
        ]),
      );
    });

  drains
    .command('add <app> <url>')
    .description(
      'ship the lines the app stores from now on to syslog+tls://host:port, syslog://host:port, https://… or http://… (`-`: read the URL from stdin)',
    )
    .option('--drain-ca-file <file>', "PEM certificate authority that verifies the drain's certificate (TLS only)")
    .option('--project', projectHelp)
    .action(async (app: string, url: string, options: ProjectOption & { drainCaFile?: string }, command: Command) => {
      const run = ctx.for(command);
      const given = url === '-' ? (await readSecretValue('the drain URL', run.io.stdin, run.io.stderr)).trim() : url;
      const caPem = options.drainCaFile === undefined ? undefined : await readCa(options.drainCaFile, run.io.cwd);
      const body = { url: given, ...(caPem === undefined ? {} : { caPem }) };
      const client = run.client().logDrains;
      const view = options.project === true ? await client.project.add(app, body) : await client.add(app, body);
      if (run.isJson) return run.out.json(view);
      const whose = view.app === null ? `every app of project ${view.project}` : view.app;
      run.out.line(`${view.id}: the log lines of ${whose} go to ${view.kind} ${view.destination}`);
    });

  drains
    .command('remove <app> <id>')
    .description('stop shipping the app’s log lines to a drain')
    .option('--project', projectHelp)
    .action(async (app: string, id: string, options: ProjectOption, command: Command) => {
      const run = ctx.for(command);
      const client = run.client().logDrains;
      await (options.project === true ? client.project.remove(app, id) : client.remove(app, id));
      if (run.isJson) return run.out.json({ app, id, isRemoved: true });
      run.out.line(`log drain ${id} removed from ${app}`);
    });
}
