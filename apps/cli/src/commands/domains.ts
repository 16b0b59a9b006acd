/** `slipway domains add|list|remove <app> [domain]`: an app's custom domains and their certificates. */
import type { DomainView } from '@slipway/contract';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

function describeState(domain: DomainView): string {
  if (domain.lastError === null) return domain.state;
  return `${domain.state} (${domain.lastError.code}, ${domain.failures} failure${domain.failures === 1 ? '' : 's'})`;
}

function describeReason(domain: string, reason: NonNullable<DomainView['reason']>): string {
  return `${domain}: ${reason.code}: ${reason.message}`;
}

export function registerDomainsCommand(program: Command, ctx: CliContext): void {
  const domains = program.command('domains').description("an app's custom domains and their automatic certificates");

  domains
    .command('list <app>')
    .description('list the domains of an app: verification, certificate state, expiry, renewal and last error')
    .action(async (app: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().domains.list(app);
      if (run.isJson) return run.out.json(answer);
      if (answer.domains.length === 0) return run.out.line(`${app} has no custom domains`);
      run.out.table(
        ['DOMAIN', 'ENV', 'ORIGIN', 'VERIFIED', 'STATE', 'EXPIRES', 'RENEWS', 'LAST ERROR'],
        answer.domains.map((d) => [
          d.domain,
          d.environment,
          d.origin,
          d.verification,
          describeState(d),
          d.certificate === null ? '-' : formatTimestamp(d.certificate.notAfter),
          d.certificate === null ? '-' : formatTimestamp(d.certificate.renewAt),
          d.lastError === null ? '-' : d.lastError.message,
        ]),
      );
      // Why a domain is not served over HTTPS as it should be, and what to do (one line each, under the table).
      for (const d of answer.domains) if (d.reason !== null) run.out.line(describeReason(d.domain, d.reason));
    });

  domains
    .command('add <app> <domain>')
    .description("route a domain to the app's web process and order a certificate for it")
    .option('--environment <environment>', 'the environment the domain serves', 'production')
    .action(async (app: string, domain: string, options: { environment: string }, command: Command) => {
      const run = ctx.for(command);
      const view = await run.client().domains.add(app, { domain, environment: options.environment });
      if (run.isJson) return run.out.json(view);
      run.out.line(`${view.domain} routes to ${view.app} (${view.environment}); certificate ${view.state}`);
      if (view.reason !== null) run.out.line(describeReason(view.domain, view.reason));
    });

  domains
    .command('remove <app> <domain>')
    .description('stop routing a domain to the app and serving its certificate')
    .action(async (app: string, domain: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      await run.client().domains.remove(app, domain);
      if (run.isJson) return run.out.json({ app, domain, isRemoved: true });
      run.out.line(`${domain} removed from ${app}`);
    });
}
