/**
 * `slipway secrets list|set|unset <app>` and `slipway secrets rotate-master-key`: an app's secrets, encrypted at rest
 * and write-only (no command ever prints a value); a change rolls out a new release unless told not to.
 */
import type { Command } from 'commander';
import { secretNameSchema } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext, CommandRun } from '../cli-context.js';
import { followChangeRollout } from '../follow-change-rollout.js';
import { formatTimestamp } from '../output.js';
import { readSecretValue } from '../read-secret-value.js';

interface ChangeOptions {
  environment?: string;
  deploy: boolean;
  follow: boolean;
}

function checkName(run: CommandRun, name: string): void {
  const result = secretNameSchema.safeParse(name);
  if (!result.success)
    run.usageError(`invalid secret name "${name}": ${result.error.issues[0]?.message ?? 'not allowed'}`);
}

/** `NAME=value` pairs; the value is everything after the first `=` and may be empty. Never echoes a value. */
function parseAssignments(run: CommandRun, pairs: readonly string[]): Record<string, string> {
  const set: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals === -1) {
      run.usageError(
        `expected NAME=VALUE, got an argument without "=" (to keep a value out of the shell history: --from-stdin NAME)`,
      );
    }
    const name = pair.slice(0, equals);
    checkName(run, name);
    set[name] = pair.slice(equals + 1);
  }
  return set;
}

async function applyChange(
  run: CommandRun,
  app: string,
  change: { set: Record<string, string>; unset: string[] },
  options: ChangeOptions,
): Promise<void> {
  const client = run.client();
  const answer = await client.secrets.change(
    app,
    { set: change.set, unset: change.unset, deploy: options.deploy },
    { environment: options.environment },
  );
  const names = [...Object.keys(change.set), ...change.unset].join(', ');
  const inEnvironment = options.environment === undefined ? '' : ` (${options.environment})`;
  if (run.isJson) run.out.json(answer);
  else if (!answer.isChanged)
    run.out.line(`nothing to change: ${names} already so on ${app}${inEnvironment}; no release made`);
  else run.out.line(`${change.unset.length === 0 ? 'set' : 'unset'} ${names} on ${app}${inEnvironment}`);
  if (!answer.isChanged) return;
  await followChangeRollout(run, answer.deploymentId, options, 'the secrets apply');
}

export function registerSecretsCommand(program: Command, ctx: CliContext): void {
  const secrets = program
    .command('secrets')
    .description('list, set and unset the secrets of an app (encrypted at rest; values are never shown)');

  secrets
    .command('list')
    .description('list the secrets of an app: names, versions and update times')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .action(async (app: string, options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().secrets.list(app, { environment: options.environment });
      if (run.isJson) return run.out.json(answer);
      if (answer.secrets.length === 0)
        return run.out.line(`no secrets on ${app}: add one with \`slipway secrets set ${app} --from-stdin NAME\``);
      run.out.table(
        ['NAME', 'VERSION', 'UPDATED'],
        answer.secrets.map((s) => [s.name, String(s.version), formatTimestamp(s.updatedAt)]),
      );
    });

  secrets
    .command('set')
    .description('set secrets and roll out a release with them')
    .argument('<app>', 'app name')
    .argument('[pairs...]', 'NAME=VALUE pairs (values on the command line land in the shell history)')
    .option('--from-stdin <name>', 'read the value of NAME from stdin (typed unechoed on a terminal)')
    .addOption(environmentOption())
    .option('--no-deploy', 'store the change without rolling out a new release')
    .option('--no-follow', 'do not follow the resulting deployment')
    .action(async (app: string, pairs: string[], options: ChangeOptions & { fromStdin?: string }, command: Command) => {
      const run = ctx.for(command);
      const set = parseAssignments(run, pairs);
      if (options.fromStdin !== undefined) {
        checkName(run, options.fromStdin);
        if (Object.hasOwn(set, options.fromStdin))
          run.usageError(`${options.fromStdin} is given both as NAME=VALUE and with --from-stdin`);
        set[options.fromStdin] = await readSecretValue(options.fromStdin, run.io.stdin, run.io.stderr);
      }
      if (Object.keys(set).length === 0) run.usageError('nothing to set: give NAME=VALUE pairs or --from-stdin NAME');
      await applyChange(run, app, { set, unset: [] }, options);
    });

  secrets
    .command('unset')
    .description('remove secrets and roll out a release without them')
    .argument('<app>', 'app name')
    .argument('<names...>')
    .addOption(environmentOption())
    .option('--no-deploy', 'store the change without rolling out a new release')
    .option('--no-follow', 'do not follow the resulting deployment')
    .action(async (app: string, names: string[], options: ChangeOptions, command: Command) => {
      const run = ctx.for(command);
      for (const name of names) checkName(run, name);
      await applyChange(run, app, { set: {}, unset: names }, options);
    });

  secrets
    .command('rotate-master-key')
    .description('replace the master key with a new one and re-wrap every data key under it (owner only)')
    .action(async (_options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().secrets.rotateMasterKey();
      if (run.isJson) return run.out.json(answer);
      run.out.line(
        `master key rotated: ${answer.masterKeyId} now wraps every data key (${answer.rewrappedDataKeys} re-wrapped)`,
      );
    });
}
