/** `slipway ps <app>`: the instances of an app — process, release, state, port, pid, restarts. */
import type { Command } from 'commander';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

export function registerPsCommand(program: Command, ctx: CliContext): void {
  program
    .command('ps')
    .description('list the instances of an app')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .action(async (app: string, options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().instances.list(app, { environment: options.environment });
      if (run.isJson) return run.out.json(answer);
      if (answer.instances.length === 0) return run.out.line(`${app} has no instances`);
      run.out.table(
        ['INSTANCE', 'PROCESS', 'RELEASE', 'STATE', 'PORT', 'PID', 'RESTARTS', 'STARTED'],
        answer.instances.map((i) => [
          i.id,
          i.process,
          `v${i.releaseNumber}`,
          i.state === 'healthy' ? run.out.style.green(i.state) : i.crashLoop ? `${i.state} (CrashLoop)` : i.state,
          i.port === null ? '-' : String(i.port),
          i.pid === null ? '-' : String(i.pid),
          i.lastExitCode === null ? String(i.restarts) : `${i.restarts} (last exit ${i.lastExitCode})`,
          i.startedAt === null ? '-' : formatTimestamp(i.startedAt),
        ]),
      );
      for (const i of answer.instances) {
        if (!i.crashLoop) continue;
        run.out.line('');
        run.out.line(
          `${i.id} is crash-looping: ${i.crashLoop.exits} exits, last exit code ${i.crashLoop.lastExitCode ?? 'unknown'}`,
        );
        for (const line of i.crashLoop.logTail.slice(-5)) run.out.line(`    ${line}`);
      }
    });
}
