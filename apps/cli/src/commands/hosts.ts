/** `slipway hosts list|grant|revoke`: which project holds each host the edge may route (admin or owner). */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

export function registerHostsCommand(program: Command, ctx: CliContext): void {
  const hosts = program.command('hosts').description('which project holds each host (admin or owner)');

  hosts
    .command('list')
    .description('list host claims: the project holding each host, and whether by app, first use or grant')
    .action(async (_options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().hosts.list();
      if (run.isJson) return run.out.json(answer);
      if (answer.hosts.length === 0) return run.out.line('no hosts claimed');
      run.out.table(
        ['HOST', 'PROJECT', 'ORIGIN', 'APP', 'SINCE'],
        answer.hosts.map((h) => [h.host, h.project, h.origin, h.app ?? '-', formatTimestamp(h.createdAt)]),
      );
    });

  hosts
    .command('grant <host>')
    .description('give an unclaimed host or wildcard (*.example.com) to a project; only it may route there')
    .requiredOption('--project <project>', 'the project that gets the host')
    .action(async (host: string, options: { project: string }, command: Command) => {
      const run = ctx.for(command);
      const claim = await run.client().hosts.grant({ host, project: options.project });
      if (run.isJson) return run.out.json(claim);
      run.out.line(`${claim.host} belongs to project ${claim.project}`);
    });

  hosts
    .command('revoke <host>')
    .description('free a host no route uses, for whichever project claims it next')
    .action(async (host: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      await run.client().hosts.revoke(host);
      if (run.isJson) return run.out.json({ host, isRevoked: true });
      run.out.line(`${host} is free`);
    });
}
