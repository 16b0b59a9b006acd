/**
 * `slipway repos add|list|show|credentials|remove`: a project's git repositories. `add` with an ssh URL generates a
 * deploy key and prints its public half (to add on the host, read-only); with a token, the token is read from stdin
 * and never shown again. `credentials` replaces them in place (a new token, a new deploy key, or none).
 */
import type { Command } from 'commander';
import {
  repositoryProviderNames,
  type AddRepositoryBody,
  type RepositoryView,
  type SetRepositoryCredentialsBody,
} from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { readSecretValue } from '../read-secret-value.js';
import { defaultProjectName } from './projects.js';

interface CredentialsOptions {
  project?: string;
  tokenStdin?: boolean;
  username?: string;
  newKey?: boolean;
  public?: boolean;
}

interface AddOptions {
  project?: string;
  provider?: string;
  tokenStdin?: boolean;
  username?: string;
  public?: boolean;
}

function describeRepository(repository: RepositoryView): string[] {
  return [
    `repository ${repository.name} (${repository.id}) of project ${repository.project}`,
    `  url:      ${repository.url}`,
    `  provider: ${repository.provider}`,
    `  auth:     ${repository.auth}`,
    ...(repository.publicKey === null ? [] : [`  deploy key (public half): ${repository.publicKey}`]),
    `  added:    ${formatTimestamp(repository.createdAt)}`,
  ];
}

export function registerReposCommand(program: Command, ctx: CliContext): void {
  const repos = program
    .command('repos')
    .description("add, list, show and remove a project's git repositories (deploy keys, tokens)");

  repos
    .command('list')
    .description("list a project's repositories")
    .option('--project <project>', `project (default: ${defaultProjectName})`)
    .action(async (options: { project?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().repositories.list(options.project ?? defaultProjectName);
      if (run.isJson) return run.out.json(answer);
      if (answer.repositories.length === 0) return run.out.line('no repositories: add one with `slipway repos add`');
      run.out.table(
        ['NAME', 'ID', 'PROVIDER', 'AUTH', 'URL'],
        answer.repositories.map((r) => [r.name, r.id, r.provider, r.auth, r.url]),
      );
    });

  repos
    .command('add')
    .description(
      'add a repository (admin): an ssh URL gets a generated deploy key (its public half is printed: add it on the ' +
        'host), an https URL a token read from stdin (--token-stdin) or nothing (a public repository)',
    )
    .argument('<name>', 'name in the project (lowercase letters, digits and "-")')
    .argument('<url>', 'clone URL: git@host:owner/repo.git, ssh://…, https://…')
    .option('--project <project>', `project (default: ${defaultProjectName})`)
    .option('--provider <provider>', `one of ${repositoryProviderNames.filter((p) => p !== 'hosted').join(', ')}`)
    .option('--token-stdin', 'read an access token from stdin (typed unechoed on a terminal)')
    .option('--username <name>', 'user name sent with the token (default: what the provider expects)')
    .option('--public', 'no credentials (a public https repository)')
    .action(async (name: string, url: string, options: AddOptions, command: Command) => {
      const run = ctx.for(command);
      if (options.tokenStdin === true && options.public === true)
        run.usageError('--token-stdin and --public exclude each other');
      if (options.username !== undefined && options.tokenStdin !== true)
        run.usageError('--username goes with --token-stdin');
      const provider = options.provider;
      if (provider !== undefined && !(repositoryProviderNames as readonly string[]).includes(provider))
        run.usageError(`--provider: expected one of ${repositoryProviderNames.join(', ')}`);
      const body: AddRepositoryBody = {
        name,
        url,
        ...(provider === undefined ? {} : { provider: provider as NonNullable<AddRepositoryBody['provider']> }),
      };
      if (options.tokenStdin === true) {
        const token = (await readSecretValue('token', run.io.stdin, run.io.stderr)).trim();
        body.auth = {
          kind: 'token',
          token,
          ...(options.username === undefined ? {} : { username: options.username }),
        };
      } else if (options.public === true) {
        body.auth = { kind: 'none' };
      }
      const repository = await run.client().repositories.add(options.project ?? defaultProjectName, body);
      if (run.isJson) return run.out.json(repository);
      for (const line of describeRepository(repository)) run.out.line(line);
      if (repository.publicKey !== null) {
        run.out.line('');
        run.out.line('Add the public half above to the repository as a read-only deploy key, then deploy from it.');
      }
    });

  repos
    .command('show')
    .description('show a repository (its deploy key public half, never a secret)')
    .argument('<repository>', 'name or id')
    .option('--project <project>', `project (default: ${defaultProjectName})`)
    .action(async (repository: string, options: { project?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().repositories.show(options.project ?? defaultProjectName, repository);
      if (run.isJson) return run.out.json(answer);
      for (const line of describeRepository(answer)) run.out.line(line);
    });

  repos
    .command('credentials')
    .description(
      "replace a repository's credentials in place (admin): a new token from stdin, a newly generated deploy key " +
        '(its public half is printed: add it on the host, then remove the old one), or none',
    )
    .argument('<repository>', 'name or id')
    .option('--project <project>', `project (default: ${defaultProjectName})`)
    .option('--token-stdin', 'read the new access token from stdin (typed unechoed on a terminal)')
    .option('--username <name>', 'user name sent with the token (default: what the provider expects)')
    .option('--new-key', 'generate a new deploy key (an ssh repository)')
    .option('--public', 'no credentials (a public https repository)')
    .action(async (repository: string, options: CredentialsOptions, command: Command) => {
      const run = ctx.for(command);
      const chosen = [options.tokenStdin, options.newKey, options.public].filter((o) => o === true).length;
      if (chosen !== 1) run.usageError('give exactly one of --token-stdin, --new-key, --public');
      if (options.username !== undefined && options.tokenStdin !== true)
        run.usageError('--username goes with --token-stdin');
      let auth: SetRepositoryCredentialsBody['auth'] = { kind: 'none' };
      if (options.newKey === true) auth = { kind: 'ssh-key' };
      if (options.tokenStdin === true) {
        const token = (await readSecretValue('token', run.io.stdin, run.io.stderr)).trim();
        auth = { kind: 'token', token, ...(options.username === undefined ? {} : { username: options.username }) };
      }
      const project = options.project ?? defaultProjectName;
      const answer = await run.client().repositories.setCredentials(project, repository, { auth });
      if (run.isJson) return run.out.json(answer);
      for (const line of describeRepository(answer)) run.out.line(line);
      if (answer.publicKey !== null && options.newKey === true) {
        run.out.line('');
        run.out.line('Add the new public half to the repository as a read-only deploy key, then remove the old one.');
      }
    });

  repos
    .command('remove')
    .description('remove a repository, its sealed credential and its mirror (admin)')
    .argument('<repository>', 'name or id')
    .option('--project <project>', `project (default: ${defaultProjectName})`)
    .action(async (repository: string, options: { project?: string }, command: Command) => {
      const run = ctx.for(command);
      await run.client().repositories.remove(options.project ?? defaultProjectName, repository);
      if (run.isJson) return run.out.json({ removed: repository });
      run.out.line(`removed repository ${repository}`);
    });
}
