/** `slipway users list|create|grant|revoke|set-password`: who may use slipwayd, and with which role where. */
import { Argument } from 'commander';
import type { Command } from 'commander';
import { roles, type Role, type UserView } from '@slipway/contract';
import type { CliContext, CommandRun } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { readPassword } from '../read-password.js';

const formatGrants = (user: UserView): string =>
  user.grants.map((g) => (g.project === null ? `${g.role} (global)` : `${g.role} on ${g.project}`)).join(', ') ||
  'none';

function printUser(run: CommandRun, user: UserView, headline: string): void {
  if (run.isJson) return run.out.json(user);
  run.out.line(headline);
  run.out.fields([
    ['roles', formatGrants(user)],
    ['password login', user.hasPassword ? 'yes' : 'no (set one with slipway users set-password)'],
  ]);
}

export function registerUsersCommand(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('manage users and their roles');

  users
    .command('list')
    .description('list users with their roles')
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().users.list();
      if (run.isJson) return run.out.json(answer);
      run.out.table(
        ['NAME', 'ROLES', 'PASSWORD', 'CREATED'],
        answer.users.map((u) => [u.name, formatGrants(u), u.hasPassword ? 'yes' : 'no', formatTimestamp(u.createdAt)]),
      );
    });

  users
    .command('create')
    .description('create a user (with no role until granted one)')
    .argument('<name>', 'user name')
    .option('--password-stdin', 'set a password read from stdin')
    .option('--password', 'set a password, asked for on the terminal')
    .action(async (name: string, options: { passwordStdin?: boolean; password?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const wantsPassword = options.passwordStdin === true || options.password === true;
      const password = wantsPassword
        ? await readPassword(run.io, {
            fromStdin: options.passwordStdin === true,
            promptText: `password for ${name}: `,
            prompt: run.io.stderr,
          })
        : undefined;
      const user = await run.client().users.create(password === undefined ? { name } : { name, password });
      printUser(run, user, `created user ${user.name}`);
    });

  users
    .command('grant')
    .description('grant a role on a project, or globally (admin, owner) without --project')
    .argument('<user>', 'user name')
    .addArgument(new Argument('<role>', 'role').choices(roles))
    .option('--project <project>', 'the project (viewer, deployer and admin)')
    .action(async (user: string, role: Role, options: { project?: string }, command: Command) => {
      const run = ctx.for(command);
      const body = options.project === undefined ? { role } : { role, project: options.project };
      const answer = await run.client().users.grant(user, body);
      printUser(
        run,
        answer,
        `granted ${role} ${options.project === undefined ? 'globally' : `on ${options.project}`} to ${user}`,
      );
    });

  users
    .command('revoke')
    .description("revoke a user's role on a project, or the global one without --project")
    .argument('<user>', 'user name')
    .option('--project <project>', 'the project')
    .action(async (user: string, options: { project?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().users.revokeGrant(user, { project: options.project });
      printUser(
        run,
        answer,
        `revoked ${user}'s role ${options.project === undefined ? '(global)' : `on ${options.project}`}`,
      );
    });

  users
    .command('set-password')
    .description("set a user's password (owner only); ends the user's sessions")
    .argument('<user>', 'user name')
    .option('--password-stdin', 'read the password from stdin instead of asking on the terminal')
    .action(async (user: string, options: { passwordStdin?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const password = await readPassword(run.io, {
        fromStdin: options.passwordStdin === true,
        promptText: `new password for ${user}: `,
        prompt: run.io.stderr,
      });
      await run.client().users.setPassword(user, { password });
      if (run.isJson) return run.out.json({ user, isPasswordSet: true });
      run.out.line(`password set for ${user}; log in with: slipway login ${user}`);
    });
}
