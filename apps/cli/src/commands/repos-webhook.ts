/**
 * `slipway repos webhook rotate <repo>` and `slipway repos deliveries <repo>`: a repository's webhook secret (made,
 * or rotated with a grace period for the previous one; shown once) and the deliveries its inbox received.
 */
import type { Command } from 'commander';
import { maxWebhookGraceSeconds, type WebhookSecretView } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { defaultProjectName } from './projects.js';
import { parseDurationSeconds } from './tokens.js';

const providerSettings: Readonly<Record<WebhookSecretView['provider'], string>> = {
  github: 'GitHub: Settings → Webhooks → Add webhook; content type application/json; events: pushes and pull requests',
  gitlab: 'GitLab: Settings → Webhooks; paste the secret as "Secret token"; triggers: push, tag push, merge request',
  gitea:
    'Gitea/Forgejo: Settings → Webhooks → Add webhook → Gitea/Forgejo; POST, application/json; push, delete, pull request',
  bitbucket:
    'Bitbucket: Repository settings → Webhooks; triggers: repository push, pull request created/updated/merged/declined',
};

function describeSecret(secret: WebhookSecretView, apiUrl: string): string[] {
  return [
    `webhook secret v${secret.version} (shown once: paste it into the provider's webhook settings now)`,
    `  secret:  ${secret.secret}`,
    `  url:     ${apiUrl.replace(/\/+$/, '')}${secret.path}`,
    `  where:   ${providerSettings[secret.provider]}`,
    secret.previousValidUntil === null
      ? '  the previous secret, if any, is no longer accepted'
      : `  the previous secret is accepted until ${formatTimestamp(secret.previousValidUntil)}`,
  ];
}

/** Registers `webhook rotate` and `deliveries` under `repos` (created here when the repos command is not there yet). */
export function registerReposWebhookCommands(program: Command, ctx: CliContext): void {
  const repos =
    program.commands.find((command) => command.name() === 'repos') ??
    program.command('repos').description("a project's git repositories");
  const webhook = repos.command('webhook').description("a repository's webhook secret");

  webhook
    .command('rotate')
    .description('make the webhook secret, or a new one (the previous one stays valid for --grace); shown once')
    .argument('<repository>', 'repository name or id')
    .option('--project <project>', `project (default: ${defaultProjectName})`)
    .option('--grace <duration>', 'how long the previous secret is still accepted: 24h (default), 30m, 0', '24h')
    .action(async (repository: string, options: { project?: string; grace: string }, command: Command) => {
      const run = ctx.for(command);
      const graceSeconds = parseDurationSeconds(options.grace);
      if (graceSeconds === undefined || graceSeconds > maxWebhookGraceSeconds) {
        run.usageError(`--grace: expected a duration such as 24h, 30m or 0, at most 30d (got "${options.grace}")`);
      }
      const answer = await run
        .client()
        .webhooks.rotate(options.project ?? defaultProjectName, repository, { graceSeconds: graceSeconds ?? 0 });
      if (run.isJson) return run.out.json(answer);
      for (const line of describeSecret(answer, run.apiUrl)) run.out.line(line);
    });

  repos
    .command('deliveries')
    .description("list a repository's webhook deliveries, newest first: status, event and what handling them did")
    .argument('<repository>', 'repository name or id')
    .option('--project <project>', `project (default: ${defaultProjectName})`)
    .option('--limit <n>', 'how many (1-500)', '50')
    .action(async (repository: string, options: { project?: string; limit: string }, command: Command) => {
      const run = ctx.for(command);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) run.usageError('--limit: expected 1 to 500');
      const answer = await run.client().webhooks.deliveries(options.project ?? defaultProjectName, repository, limit);
      if (run.isJson) return run.out.json(answer);
      if (answer.deliveries.length === 0) return run.out.line('no deliveries received yet');
      run.out.table(
        ['RECEIVED', 'ID', 'EVENT', 'STATUS', 'OUTCOME', 'REASON'],
        answer.deliveries.map((d) => [
          formatTimestamp(d.receivedAt),
          d.id,
          d.event,
          d.status,
          d.outcome ?? '-',
          // The reason names the deployments it started already (rules say "deploying (dep_…)"); the others follow.
          [d.reason ?? '', ...d.deploymentIds.filter((id) => !(d.reason ?? '').includes(id)).map((id) => `(${id})`)]
            .filter((part) => part !== '')
            .join(' '),
        ]),
      );
    });
}
