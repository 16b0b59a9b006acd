/** The `slipway` command tree and its one error path: coded errors exit 1, usage errors exit 2, nothing escapes as a stack trace. */
import { Command, CommanderError } from 'commander';
import { isSlipwayError } from '@slipway/contract';
import { createCliContext, defaultApiUrl } from './cli-context.js';
import type { ProgramIo } from './cli-context.js';
import { registerAppsCommand } from './commands/apps.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerCatalogAclCommand } from './commands/catalog-acl.js';
import { registerCatalogCommand } from './commands/catalog.js';
import { registerKvCommand } from './commands/kv.js';
import { registerTemplateCommand } from './commands/template.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDeployCommand } from './commands/deploy.js';
import { registerDeploymentsCommand } from './commands/deployments.js';
import { registerHostsCommand } from './commands/hosts.js';
import { registerDomainsCommand } from './commands/domains.js';
import { registerDrainsCommand } from './commands/drains.js';
import { registerNotificationsCommand } from './commands/notifications.js';
import { registerAlertsCommand } from './commands/alerts.js';
import { registerEnvCommand } from './commands/env.js';
import { registerRulesCommand } from './commands/rules.js';
import { registerReposCommand } from './commands/repos.js';
import { registerPreviewsCommand } from './commands/previews.js';
import { registerGitCredentialCommand } from './commands/git-credential.js';
import { registerApprovalsCommand } from './commands/approvals.js';
import { registerImagesCommand } from './commands/images.js';
import { registerLoginCommands } from './commands/login.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerProjectsCommand } from './commands/projects.js';
import { registerPsCommand } from './commands/ps.js';
import { registerReleasesCommand } from './commands/releases.js';
import { registerRollbackCommand } from './commands/rollback.js';
import { registerRolloutCommand } from './commands/rollout.js';
import { registerRunCommand } from './commands/run.js';
import { registerReposWebhookCommands } from './commands/repos-webhook.js';
import { registerRuntimeTaskCommands } from './commands/runtime-tasks.js';
import { registerScaleCommand } from './commands/scale.js';
import { registerAutoscaleCommand } from './commands/autoscale.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerSecretsCommand } from './commands/secrets.js';
import { registerStackCommand } from './commands/stack.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSystemCommand } from './commands/system.js';
import { registerTokensCommand } from './commands/tokens.js';
import { registerUsersCommand } from './commands/users.js';
import { registerValidateCommand } from './commands/validate.js';
import { errorHints } from './error-hints.js';
import cliPackage from '../package.json' with { type: 'json' };

export type { ProgramIo } from './cli-context.js';

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export interface SlipwayProgram {
  /** The commander tree (for completion and help). */
  readonly command: Command;
  /** Runs one command line (without `node slipway`) and resolves its exit code; never rejects. A program runs once. */
  run(args: readonly string[]): Promise<number>;
}

export function createProgram(io: ProgramIo): SlipwayProgram {
  const ctx = createCliContext(io);
  const program = new Command('slipway');
  // Set before adding commands: subcommands inherit output and exit handling from their parent.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .description('deploy and run apps on slipwayd')
    .version(cliPackage.version, '-V, --version')
    .option('--json', 'print the API answer as JSON and nothing else on stdout')
    .option(
      '--api <url>',
      `slipwayd API URL (default: $SLIPWAY_API_URL, else ${defaultApiUrl} — or the only running slipwayd this user started, when it listens elsewhere)`,
    )
    .option(
      '--token <token>',
      'API or access token to send (default: $SLIPWAY_TOKEN, the saved login, or the local admin token)',
    )
    .option(
      '--ca-file <file>',
      "PEM certificate authority to verify an https API with (default: $SLIPWAY_CA_FILE; for a loopback URL, the data dir's self-signed certificate)",
    );

  registerAppsCommand(program, ctx);
  registerProjectsCommand(program, ctx);
  registerDeployCommand(program, ctx);
  registerDeploymentsCommand(program, ctx);
  registerStackCommand(program, ctx);
  registerReleasesCommand(program, ctx);
  registerPsCommand(program, ctx);
  registerRollbackCommand(program, ctx);
  registerRolloutCommand(program, ctx);
  registerScaleCommand(program, ctx);
  registerAutoscaleCommand(program, ctx);
  registerMetricsCommand(program, ctx);
  registerLogsCommand(program, ctx);
  registerDrainsCommand(program, ctx);
  registerRuntimeTaskCommands(program, ctx);
  registerRunCommand(program, ctx);
  registerConfigCommand(program, ctx);
  registerSecretsCommand(program, ctx);
  registerStatusCommand(program, ctx);
  registerSystemCommand(program, ctx);
  registerValidateCommand(program, ctx);
  registerLoginCommands(program, ctx);
  registerTokensCommand(program, ctx);
  registerUsersCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerImagesCommand(program, ctx);
  registerHostsCommand(program, ctx);
  registerDomainsCommand(program, ctx);
  registerNotificationsCommand(program, ctx);
  registerAlertsCommand(program, ctx);
  registerEnvCommand(program, ctx);
  registerRulesCommand(program, ctx);
  registerReposCommand(program, ctx);
  registerPreviewsCommand(program, ctx);
  registerApprovalsCommand(program, ctx);
  registerKvCommand(program, ctx);
  registerCatalogCommand(program, ctx);
  registerTemplateCommand(program, ctx);
  // After every other catalog command: `acl` joins the `catalog` command they create.
  registerCatalogAclCommand(program, ctx);
  registerGitCredentialCommand(program, ctx);
  // After `repos` itself: these are subcommands of it.
  registerReposWebhookCommands(program, ctx);
  registerCompletionCommand(program, ctx);

  const reportError = async (error: unknown): Promise<number> => {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (isSlipwayError(error)) {
      io.stderr.write(`error: ${error.code}: ${error.message}\n`);
      const credentialKind = (await ctx.credential?.kind().catch(() => undefined)) ?? 'none';
      const hints = errorHints({ code: error.code, apiUrl: ctx.apiUrl ?? defaultApiUrl, credentialKind, env: io.env });
      for (const hint of hints) io.stderr.write(`hint: ${hint}\n`);
      return exitCodes.failed;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: INTERNAL: ${message}\n`);
    if (io.env['SLIPWAY_DEBUG'] !== undefined && error instanceof Error && error.stack !== undefined)
      io.stderr.write(`${error.stack}\n`);
    return exitCodes.failed;
  };

  return {
    command: program,
    async run(args) {
      try {
        await program.parseAsync([...args], { from: 'user' });
        return ctx.exitCode;
      } catch (error) {
        return await reportError(error);
      }
    },
  };
}
