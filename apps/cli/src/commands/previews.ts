/** `slipway previews`: an app's pull-request previews — turn them on or off, list, approve a fork's commit, remove. */
import { InvalidArgumentError, type Command } from 'commander';
import {
  previewProviderKinds,
  SlipwayError,
  type EnablePreviewsBody,
  type PreviewSettingsView,
} from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { readAllInput, type TerminalInput } from '../read-hidden-line.js';
import { parseDurationSeconds } from './tokens.js';

function parseNumber(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value))
    throw new InvalidArgumentError(`expected a pull request number, got "${value}"`);
  return Number(value);
}

function parseDuration(value: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) throw new InvalidArgumentError(`expected a duration like 12h or 7d, got "${value}"`);
  return seconds;
}

function parseProvider(value: string): string {
  if (!(previewProviderKinds as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${previewProviderKinds.join(', ')}, got "${value}"`);
  return value;
}

/** Where each provider's API lives when `--api-url` is not given (a self-hosted one needs it). */
const defaultApiUrls: Record<(typeof previewProviderKinds)[number], string | undefined> = {
  github: 'https://api.github.com',
  gitlab: 'https://gitlab.com/api/v4',
  gitea: undefined,
  bitbucket: 'https://api.bitbucket.org/2.0',
};

function settingsLines(settings: PreviewSettingsView): string[] {
  const provider = settings.provider;
  return [
    `previews of ${settings.app}`,
    `  repository:     ${settings.repository}`,
    `  at most:        ${settings.maxPreviews} at once`,
    `  idle TTL:       ${Math.round(settings.idleTtlSeconds / 3600)}h`,
    provider === null
      ? '  provider:       not told'
      : `  provider:       ${provider.kind} ${provider.apiBaseUrl} ${provider.repositoryPath} (token ${provider.hasToken ? 'stored' : 'none'})`,
    `  config/secrets: those of environment "preview" (slipway config set ${settings.app} K=V -e preview)`,
  ];
}

export function registerPreviewsCommand(program: Command, ctx: CliContext): void {
  const previews = program
    .command('previews')
    .description("an app's pull-request previews: one environment pr-<n> per pull request");

  previews
    .command('list')
    .description("list an app's previews with their state, commit and host")
    .argument('<app>', 'app name')
    .action(async (app: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().previews.list(app);
      if (run.isJson) return run.out.json(answer);
      run.out.table(
        ['PR', 'STATE', 'COMMIT', 'BRANCH', 'FORK', 'HOST', 'LAST EVENT'],
        answer.previews.map((p) => [
          `#${p.number}`,
          p.state,
          p.commit.slice(0, 7),
          p.headRef,
          p.isFork ? (p.approvedBy === null ? 'yes' : `yes (approved by ${p.approvedBy})`) : '-',
          p.host,
          formatTimestamp(p.lastEventAt),
        ]),
      );
    });

  previews
    .command('approve')
    .description("let a fork's pull request build at its current head commit (deployer); a later commit waits again")
    .argument('<app>', 'app name')
    .argument('<number>', 'pull request number', parseNumber)
    .action(async (app: string, number: number, _options: object, command: Command) => {
      const run = ctx.for(command);
      const preview = await run.client().previews.approve(app, number);
      if (run.isJson) return run.out.json(preview);
      run.out.line(`approved ${preview.commit.slice(0, 7)} of pull request #${number} (${app}): ${preview.state}`);
      run.out.line(run.out.style.dim(`it answers on ${preview.host} once deployed`));
    });

  previews
    .command('remove')
    .description('remove a preview with its instances, routes, environment and hosts (deployer)')
    .argument('<app>', 'app name')
    .argument('<number>', 'pull request number', parseNumber)
    .action(async (app: string, number: number, _options: object, command: Command) => {
      const run = ctx.for(command);
      await run.client().previews.remove(app, number);
      if (run.isJson) return run.out.json({ app, number, isRemoved: true });
      run.out.line(`removed the preview of pull request #${number} (${app})`);
    });

  previews
    .command('enable')
    .description(
      "preview the pull requests of a repository (admin); config and secrets come from environment 'preview'",
    )
    .argument('<app>', 'app name')
    .requiredOption('--repo <repository>', "the repository's name in the app's project (slipway repos list)")
    .option('--limit <n>', 'previews at once (default 3)', (v) => Number.parseInt(v, 10))
    .option(
      '--ttl <duration>',
      'remove a preview whose pull request saw no event this long (default 7d)',
      parseDuration,
    )
    .option('--provider <kind>', `report to the provider: ${previewProviderKinds.join('|')}`, parseProvider)
    .option('--api-url <url>', "the provider's API (default per provider; required for gitea)")
    .option('--api-repo <path>', 'the repository at the provider: owner/name (GitLab: group/project or its id)')
    .option('--token-stdin', 'read the provider API token from stdin (it is sealed, never shown)')
    .action(async (app: string, options: EnableOptions, command: Command) => {
      const run = ctx.for(command);
      const body: EnablePreviewsBody = {
        repository: options.repo,
        ...(options.limit === undefined ? {} : { maxPreviews: options.limit }),
        ...(options.ttl === undefined ? {} : { idleTtlSeconds: options.ttl }),
      };
      if (options.provider !== undefined) {
        const kind = options.provider as (typeof previewProviderKinds)[number];
        const apiBaseUrl = options.apiUrl ?? defaultApiUrls[kind];
        if (apiBaseUrl === undefined) throw new SlipwayError('VALIDATION_FAILED', `--api-url is required for ${kind}`);
        if (options.apiRepo === undefined)
          throw new SlipwayError('VALIDATION_FAILED', '--api-repo is required with --provider');
        let token: string | undefined;
        if (options.tokenStdin === true) {
          const stdin = run.io.stdin as TerminalInput | undefined;
          if (stdin === undefined) throw new SlipwayError('VALIDATION_FAILED', '--token-stdin: there is no stdin');
          token = (await readAllInput(stdin)).trim();
          if (token === '') throw new SlipwayError('VALIDATION_FAILED', 'the token is empty');
        }
        body.provider = {
          kind,
          apiBaseUrl,
          repositoryPath: options.apiRepo,
          ...(token === undefined ? {} : { token }),
        };
      }
      const settings = await run.client().previews.enable(app, body);
      if (run.isJson) return run.out.json(settings);
      for (const line of settingsLines(settings)) run.out.line(line);
    });

  previews
    .command('show')
    .description("show an app's preview settings (the token is never shown)")
    .argument('<app>', 'app name')
    .action(async (app: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const settings = await run.client().previews.settings(app);
      if (run.isJson) return run.out.json(settings);
      for (const line of settingsLines(settings)) run.out.line(line);
    });

  previews
    .command('disable')
    .description('stop previewing pull requests (admin): every preview is removed')
    .argument('<app>', 'app name')
    .action(async (app: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      await run.client().previews.disable(app);
      if (run.isJson) return run.out.json({ app, isDisabled: true });
      run.out.line(`previews of ${app} are off; every preview was removed`);
    });
}

interface EnableOptions {
  repo: string;
  limit?: number;
  ttl?: number;
  provider?: string;
  apiUrl?: string;
  apiRepo?: string;
  tokenStdin?: boolean;
}
