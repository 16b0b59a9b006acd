/**
 * `slipway catalog acl list|grant|revoke` (admins): who may read, write or is denied which KV key prefixes and service
 * name prefixes of the catalog. A rule is for a user (all their credentials) or one API token; the longest matching
 * prefix wins; anything no rule grants is denied (except the anonymous reads slipwayd allows).
 */
import type { Command } from 'commander';
import { catalogAclPolicySchema, type CatalogAclRuleView, type PutCatalogAclRuleBody } from '@slipway/contract';
import type { CliContext, CommandRun } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

/** `--token-id`, not `--token`: the program's own `--token` is the credential the CLI sends. */
interface SubjectOptions {
  user?: string;
  tokenId?: string;
}

interface ResourceOptions {
  key?: string;
  service?: string;
}

type RuleTarget = Omit<PutCatalogAclRuleBody, 'policy'>;

/** The subject and resource of `grant` and `revoke`: exactly one of --user/--token-id and one of --key/--service. */
function ruleTargetOf(run: CommandRun, options: SubjectOptions & ResourceOptions): RuleTarget {
  if ((options.user === undefined) === (options.tokenId === undefined)) {
    run.usageError('name exactly one subject: --user NAME or --token-id TOKEN_ID');
  }
  if ((options.key === undefined) === (options.service === undefined)) {
    run.usageError('name exactly one resource: --key PREFIX or --service PREFIX (an empty prefix "" covers all)');
  }
  const resource =
    options.key === undefined
      ? { resource: 'service' as const, prefix: options.service ?? '' }
      : { resource: 'key' as const, prefix: options.key };
  return options.user === undefined
    ? { token: options.tokenId ?? '', ...resource }
    : { user: options.user, ...resource };
}

const subjectOf = (rule: CatalogAclRuleView): string =>
  `${rule.subject.kind} ${rule.subject.name ?? `${rule.subject.id} (gone)`}`;

/** `""` for the empty prefix, so a rule over everything is visible as such. */
const shownPrefix = (prefix: string): string => (prefix === '' ? '""' : prefix);

/** Registers `acl` under the `catalog` command (created here when no other catalog command made it first). */
export function registerCatalogAclCommand(program: Command, ctx: CliContext): void {
  const catalog =
    program.commands.find((command) => command.name() === 'catalog') ??
    program.command('catalog').description('the service catalog: KV, services, snapshots and access');
  const acl = catalog
    .command('acl')
    .description('who may read, write or is denied which KV prefixes and services of the catalog (admins)');

  acl
    .command('list')
    .description('list the catalog ACL rules')
    .action(async (_options: object, command: Command) => {
      const run: CommandRun = ctx.for(command);
      const answer = await run.client().catalogAcl.listRules();
      if (run.isJson) return run.out.json(answer);
      if (answer.rules.length === 0) {
        return run.out.line(
          'no catalog ACL rules: only admins (and anonymous reads) reach the catalog; grant with `slipway catalog acl grant`',
        );
      }
      run.out.table(
        ['ID', 'SUBJECT', 'RESOURCE', 'PREFIX', 'POLICY', 'UPDATED'],
        answer.rules.map((rule) => [
          rule.id,
          subjectOf(rule),
          rule.resource,
          shownPrefix(rule.prefix),
          rule.policy,
          formatTimestamp(rule.updatedAt),
        ]),
      );
    });

  acl
    .command('grant')
    .description(
      "give a user or an API token read, write or deny on a KV or service prefix (replaces the subject's rule there)",
    )
    .argument('<policy>', 'read, write or deny')
    .option('--user <name>', 'the rule is for this user (all their sessions and tokens)')
    .option('--token-id <id>', 'the rule is for this API token only (tok_…)')
    .option('--key <prefix>', 'KV keys starting with this prefix ("" for all keys)')
    .option('--service <prefix>', 'services whose name starts with this prefix ("" for all services)')
    .action(async (policy: string, options: SubjectOptions & ResourceOptions, command: Command) => {
      const run: CommandRun = ctx.for(command);
      const parsed = catalogAclPolicySchema.safeParse(policy);
      if (!parsed.success) run.usageError(`<policy>: expected read, write or deny, got "${policy}"`);
      const rule = await run.client().catalogAcl.putRule({ ...ruleTargetOf(run, options), policy: parsed.data });
      if (run.isJson) return run.out.json(rule);
      run.out.line(
        `${rule.id}: ${subjectOf(rule)} may ${rule.policy === 'deny' ? 'not touch' : rule.policy} ${rule.resource} ${shownPrefix(rule.prefix)}*`,
      );
    });

  acl
    .command('revoke')
    .description('remove a rule, by id or by its subject and prefix')
    .argument('[id]', 'rule id (see slipway catalog acl list)')
    .option('--user <name>', 'the rule of this user')
    .option('--token-id <id>', 'the rule of this API token')
    .option('--key <prefix>', 'on this KV prefix')
    .option('--service <prefix>', 'on this service prefix')
    .action(async (id: string | undefined, options: SubjectOptions & ResourceOptions, command: Command) => {
      const run: CommandRun = ctx.for(command);
      const client = run.client();
      let ruleId = id;
      if (ruleId === undefined) {
        const target = ruleTargetOf(run, options);
        const { rules } = await client.catalogAcl.listRules();
        const match = rules.find(
          (rule) =>
            rule.resource === target.resource &&
            rule.prefix === target.prefix &&
            (target.user === undefined
              ? rule.subject.kind === 'token' && rule.subject.id === target.token
              : rule.subject.kind === 'user' && rule.subject.name === target.user),
        );
        if (match === undefined) run.usageError('no such rule: see slipway catalog acl list');
        ruleId = match.id;
      } else if (Object.values(options).some((value) => value !== undefined)) {
        run.usageError('give a rule id, or --user/--token-id with --key/--service, not both');
      }
      await client.catalogAcl.revokeRule(ruleId);
      if (run.isJson) return run.out.json({ id: ruleId, isRevoked: true });
      run.out.line(`revoked catalog ACL rule ${ruleId}`);
    });
}
