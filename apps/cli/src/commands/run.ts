/**
 * `slipway run <app> -- <command…>`: a one-off command in the app's current release, isolated as its instances are;
 * its output streamed (stdout to stdout, stderr to stderr) and its exit code made the CLI's own.
 */
import { constants } from 'node:os';
import type { Command } from 'commander';
import { maxRunTimeoutSeconds } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';

/** What `timeout(1)` exits with when the deadline stopped the command. */
export const timedOutExitCode = 124;

/** One argument is a command line as typed; several are quoted for `/bin/sh -c` one by one. */
export function commandLineOf(words: readonly string[]): string {
  if (words.length === 1) return words[0] ?? '';
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run a one-off command in the current release of an app, e.g. `slipway run web -- npm run migrate`')
    .argument('<app>', 'app name')
    .argument('<command...>', 'the command, after --')
    .addOption(environmentOption())
    .option('--timeout <seconds>', `stop it after this long (default 3600, at most ${maxRunTimeoutSeconds})`)
    .action(
      async (app: string, words: string[], options: { environment?: string; timeout?: string }, command: Command) => {
        const run = ctx.for(command);
        const timeoutSeconds = options.timeout === undefined ? undefined : Number(options.timeout);
        if (
          timeoutSeconds !== undefined &&
          !(/^\d+$/.test(options.timeout ?? '') && timeoutSeconds >= 1 && timeoutSeconds <= maxRunTimeoutSeconds)
        )
          run.usageError(`--timeout expects a whole number of seconds from 1 to ${maxRunTimeoutSeconds}`);
        const events = run
          .client()
          .runtime.run(
            app,
            { command: commandLineOf(words), ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) },
            { environment: options.environment, signal: run.io.signal },
          );
        for await (const event of events) {
          if (run.isJson) {
            run.out.jsonLine(event);
          } else if (event.type === 'started') {
            run.err.line(run.err.style.dim(`running in ${app} release ${event.releaseNumber} (${event.runId})`));
          } else if (event.type === 'output') {
            (event.stream === 'stderr' ? run.err : run.out).line(event.line);
          }
          if (event.type !== 'exit') continue;
          if (event.isTimedOut) {
            run.err.line(
              run.err.style.red(`✗ stopped: it ran past its ${timeoutSeconds ?? 3600}s deadline (--timeout)`),
            );
            return run.fail(timedOutExitCode);
          }
          if (event.exitCode !== null) return event.exitCode === 0 ? undefined : run.fail(event.exitCode);
          const signalNumber = constants.signals[event.signal as keyof typeof constants.signals] ?? 0;
          run.err.line(run.err.style.red(`✗ killed by ${event.signal ?? 'a signal'}`));
          return run.fail(128 + signalNumber);
        }
        // The stream ended without an exit: interrupted here (Ctrl-C stops the command too), or slipwayd went away.
        run.err.line('stopped: the command was stopped with the stream');
        run.fail(130);
      },
    );
}
