/** `slipway tokens create|list|revoke`: API tokens of the logged-in user, shown once, optionally narrowed and expiring. */
import { Option } from 'commander';
import type { Command } from 'commander';
import { roles, type CreateTokenBody, type Role, type TokenView } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

/** `30d`, `12h`, `90m`, `45s` or a number of seconds → seconds; `undefined` when it is none of these. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null) return undefined;
  const unitSeconds: Record<string, number> = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 };
  return Number(match[1]) * (unitSeconds[match[2] ?? ''] ?? 1);
}

function state(token: TokenView): string {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

export function registerTokensCommand(program: Command, ctx: CliContext): void {
  const tokens = program.command('tokens').description('create, list and revoke API tokens');

  tokens
    .command('create')
    .description('create an API token; its secret is shown once')
    .argument('<name>', 'a name to recognise it by')
    .option('--project <project>', 'narrow the token to one project')
    .addOption(new Option('--role <role>', 'cap the token at this role').choices(roles))
    .option('--expires-in <duration>', 'expire after e.g. 30d, 12h or 90m (default: never)')
    .action(async (name: string, options: { project?: string; role?: Role; expiresIn?: string }, command: Command) => {
      const run = ctx.for(command);
      const body: CreateTokenBody = { name };
      if (options.project !== undefined) body.project = options.project;
      if (options.role !== undefined) body.role = options.role;
      if (options.expiresIn !== undefined) {
        const seconds = parseDurationSeconds(options.expiresIn);
        if (seconds === undefined)
          run.usageError(`--expires-in: expected e.g. 30d, 12h or 90m, got "${options.expiresIn}"`);
        body.expiresInSeconds = seconds;
      }
      const answer = await run.client().tokens.create(body);
      if (run.isJson) return run.out.json(answer);
      run.out.line(answer.secret);
      run.err.line(
        run.err.style.dim(
          `token ${answer.token.name} (${answer.token.id}) created; this is the only time its secret is shown`,
        ),
      );
    });

  tokens
    .command('list')
    .description("list the logged-in user's tokens")
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().tokens.list();
      if (run.isJson) return run.out.json(answer);
      if (answer.tokens.length === 0) return run.out.line('no tokens: create one with `slipway tokens create <name>`');
      run.out.table(
        ['ID', 'NAME', 'PROJECT', 'ROLE', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'],
        answer.tokens.map((t) => [
          t.id,
          t.name,
          t.project ?? '*',
          t.role ?? '-',
          state(t),
          formatTimestamp(t.createdAt),
          formatTimestamp(t.expiresAt),
          formatTimestamp(t.lastUsedAt),
        ]),
      );
    });

  tokens
    .command('revoke')
    .description('revoke a token at once')
    .argument('<id>', 'token id (see slipway tokens list)')
    .action(async (id: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      await run.client().tokens.revoke(id);
      if (run.isJson) return run.out.json({ id, isRevoked: true });
      run.out.line(`revoked token ${id}`);
    });
}
