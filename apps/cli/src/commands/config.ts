/** `slipway config list|set|unset <app>`: an app's environment variables; a change rolls out a new release unless told not to. */
import type { Command } from 'commander';
import { appEnvKeySchema, envKeySchema } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext, CommandRun } from '../cli-context.js';
import { followChangeRollout } from '../follow-change-rollout.js';

interface ChangeOptions {
  environment?: string;
  deploy: boolean;
  follow: boolean;
}

function checkKey(run: CommandRun, key: string, schema: typeof envKeySchema = envKeySchema): void {
  const result = schema.safeParse(key);
  if (!result.success)
    run.usageError(`invalid config key "${key}": ${result.error.issues[0]?.message ?? 'not allowed'}`);
}

/** `KEY=value` pairs; the value is everything after the first `=` and may be empty. */
export function parseAssignments(run: CommandRun, pairs: readonly string[]): Record<string, string> {
  const set: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals === -1)
      run.usageError(`expected KEY=VALUE, got "${pair}" (to remove a key: slipway config unset <app> ${pair})`);
    const key = pair.slice(0, equals);
    checkKey(run, key, appEnvKeySchema);
    set[key] = pair.slice(equals + 1);
  }
  return set;
}

async function applyChange(
  run: CommandRun,
  app: string,
  change: { set?: Record<string, string>; unset?: string[] },
  options: ChangeOptions,
): Promise<void> {
  const client = run.client();
  const answer = await client.config.patch(
    app,
    { ...change, deploy: options.deploy },
    { environment: options.environment },
  );
  const keys = [...Object.keys(change.set ?? {}), ...(change.unset ?? [])].join(', ');
  const where = `${app}${options.environment === undefined ? '' : ` (${options.environment})`}`;
  if (run.isJson) run.out.json(answer);
  else if (!answer.isChanged) {
    run.out.line(
      change.set === undefined
        ? `nothing to unset: ${keys} not set on ${where}; no release made`
        : `nothing to change: ${keys} already so on ${where}; no release made`,
    );
  } else run.out.line(`${change.set === undefined ? 'unset' : 'set'} ${keys} on ${where}`);
  if (!answer.isChanged) return;
  await followChangeRollout(run, answer.deploymentId, options, 'the config applies');
}

export function registerConfigCommand(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('list, set and unset the environment variables of an app');

  config
    .command('list')
    .description('list the config of an app')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .action(async (app: string, options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().config.get(app, { environment: options.environment });
      if (run.isJson) return run.out.json(answer);
      const entries = Object.entries(answer.config).sort(([a], [b]) => a.localeCompare(b));
      if (entries.length === 0 && answer.pendingKeys.length === 0)
        return run.out.line(`no config on ${app}: add some with \`slipway config set ${app} KEY=VALUE\``);
      if (answer.release !== null) run.out.line(run.out.style.dim(`config of release ${answer.release}`));
      if (entries.length > 0) run.out.table(['KEY', 'VALUE'], entries);
      if (answer.pendingKeys.length > 0) {
        run.out.line(
          run.out.style.dim(
            `not rolled out yet (stored with --no-deploy): ${answer.pendingKeys.join(', ')}; the next deploy applies it`,
          ),
        );
      }
    });

  const change = (name: 'set' | 'unset', description: string, argument: string) =>
    config
      .command(name)
      .description(description)
      .argument('<app>', 'app name')
      .argument(`<${argument}...>`)
      .addOption(environmentOption())
      .option('--no-deploy', 'store the change without rolling out a new release')
      .option('--no-follow', 'do not follow the resulting deployment');

  change('set', 'set config vars and roll out a release with them', 'KEY=VALUE').action(
    async (app: string, pairs: string[], options: ChangeOptions, command: Command) => {
      const run = ctx.for(command);
      await applyChange(run, app, { set: parseAssignments(run, pairs) }, options);
    },
  );

  change('unset', 'remove config vars and roll out a release without them', 'KEY').action(
    async (app: string, keys: string[], options: ChangeOptions, command: Command) => {
      const run = ctx.for(command);
      for (const key of keys) checkKey(run, key);
      await applyChange(run, app, { unset: keys }, options);
    },
  );
}
