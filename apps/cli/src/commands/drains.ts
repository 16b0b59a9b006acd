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
    .action(async (app: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().logDrains.list(app);
      if (run.isJson) return run.out.json(answer);
      if (answer.drains.length === 0) return run.out.line(`${app} has no log drains`);
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
    .action(async (app: string, url: string, options: { drainCaFile?: string }, command: Command) => {
      const run = ctx.for(command);
      const given = url === '-' ? (await readSecretValue('the drain URL', run.io.stdin, run.io.stderr)).trim() : url;
      const caPem = options.drainCaFile === undefined ? undefined : await readCa(options.drainCaFile, run.io.cwd);
      const view = await run.client().logDrains.add(app, { url: given, ...(caPem === undefined ? {} : { caPem }) });
      if (run.isJson) return run.out.json(view);
      run.out.line(`${view.id}: ${app}'s log lines go to ${view.kind} ${view.destination}`);
    });

  drains
    .command('remove <app> <id>')
    .description('stop shipping the app’s log lines to a drain')
    .action(async (app: string, id: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      await run.client().logDrains.remove(app, id);
      if (run.isJson) return run.out.json({ app, id, isRemoved: true });
      run.out.line(`log drain ${id} removed from ${app}`);
    });
}
