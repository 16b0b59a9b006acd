/** `slipway domains add|list|set|remove <app> [domain]`: an app's custom domains and their certificates. */
import type { DomainView, SetDomainBody } from '@slipway/contract';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

function describeState(domain: DomainView): string {
  if (domain.lastError === null) return domain.state;
  return `${domain.state} (${domain.lastError.code}, ${domain.failures} failure${domain.failures === 1 ? '' : 's'})`;
}

function describeReason(domain: string, reason: NonNullable<DomainView['reason']>): string {
  return `${domain}: ${reason.code}: ${reason.message}`;
}

/** `--hsts-max-age`: whole seconds (0: no HSTS), or `default` for the server's setting. */
function parseHstsMaxAge(value: string): number | null {
  if (value === 'default') return null;
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('expected whole seconds (0: none) or "default"');
  return Number(value);
}

interface HttpsOptions {
  httpsRedirect?: 'default' | 'on' | 'off';
  hstsMaxAge?: number | null;
}

const httpsBody = (options: HttpsOptions): SetDomainBody => ({
  ...(options.httpsRedirect === undefined ? {} : { httpsRedirect: options.httpsRedirect }),
  ...(options.hstsMaxAge === undefined ? {} : { hstsMaxAgeSeconds: options.hstsMaxAge }),
});

function withHttpsOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--https-redirect <mode>', "redirect plain HTTP to HTTPS: on, off, or the server's default").choices([
        'on',
        'off',
        'default',
      ]),
    )
    .option('--hsts-max-age <seconds>', "HSTS max-age (0: none; default: the server's)", parseHstsMaxAge);
}

const describeHttps = (d: DomainView): string =>
  `${d.httpsRedirect}/${d.hstsMaxAgeSeconds === null ? 'default' : d.hstsMaxAgeSeconds}`;

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
        ['DOMAIN', 'ENV', 'ORIGIN', 'VERIFIED', 'STATE', 'EXPIRES', 'RENEWS', 'REDIRECT/HSTS', 'LAST ERROR'],
        answer.domains.map((d) => [
          d.domain,
          d.environment,
          d.origin,
          d.verification,
          describeState(d),
          d.certificate === null ? '-' : formatTimestamp(d.certificate.notAfter),
          d.certificate === null ? '-' : formatTimestamp(d.certificate.renewAt),
          describeHttps(d),
          d.lastError === null ? '-' : d.lastError.message,
        ]),
      );
      // Why a domain is not served over HTTPS as it should be, and what to do (one line each, under the table).
      for (const d of answer.domains) if (d.reason !== null) run.out.line(describeReason(d.domain, d.reason));
    });

  withHttpsOptions(
    domains
      .command('add <app> <domain>')
      .description("route a domain to the app's web process and order a certificate for it")
      .option('--environment <environment>', 'the environment the domain serves', 'production'),
  ).action(async (app: string, domain: string, options: { environment: string } & HttpsOptions, command: Command) => {
    const run = ctx.for(command);
    const view = await run
      .client()
      .domains.add(app, { domain, environment: options.environment, ...httpsBody(options) });
    if (run.isJson) return run.out.json(view);
    run.out.line(`${view.domain} routes to ${view.app} (${view.environment}); certificate ${view.state}`);
    if (view.reason !== null) run.out.line(describeReason(view.domain, view.reason));
  });

  withHttpsOptions(
    domains.command('set <app> <domain>').description("change a domain's HTTPS redirect and HSTS max-age"),
  ).action(async (app: string, domain: string, options: HttpsOptions, command: Command) => {
    const run = ctx.for(command);
    const view = await run.client().domains.set(app, domain, httpsBody(options));
    if (run.isJson) return run.out.json(view);
    run.out.line(
      `${view.domain}: HTTPS redirect ${view.httpsRedirect}, HSTS max-age ${view.hstsMaxAgeSeconds ?? 'default'}`,
    );
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
