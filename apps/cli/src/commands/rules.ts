/**
 * `slipway rules add|list|enable|disable|move|remove|test <app>` (or `<stack> --stack`): the ordered deployment rules
 * of an app or a stack — pushes of a repository's refs matching a full-ref glob deploy to an environment — and the
 * dry run that says which rule fires.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { DeploymentRuleOwner, DeploymentRuleView, TestDeploymentRulesResponse } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

function parsePosition(value: string): number {
  const position = Number(value);
  if (!Number.isInteger(position) || position < 1 || position > 1000) {
    throw new InvalidArgumentError(`expected a position from 1, got "${value}"`);
  }
  return position;
}

function describeRule(rule: DeploymentRuleView): string {
  const target = rule.environment ?? 'production';
  const state = rule.isEnabled ? '' : ' (disabled)';
  return `${rule.position}. ${rule.event} ${rule.refPattern} of ${rule.repository} → ${target}${state}`;
}

/** The dry run as lines: what happens, then each rule with its verdict. */
export function formatRulesTest(answer: TestDeploymentRulesResponse): string[] {
  const marks = { fires: '→', skipped: '✗', 'not-reached': '·' } as const;
  return [
    answer.summary,
    ...answer.steps.map((step) => `  ${marks[step.verdict]} ${describeRule(step.rule)}: ${step.reason}`),
  ];
}

const stackOption = ['--stack', "the name is a stack's, not an app's"] as const;

function ownerOf(name: string, options: { stack?: boolean }): DeploymentRuleOwner {
  return options.stack === true ? { stack: name } : name;
}

export function registerRulesCommand(program: Command, ctx: CliContext): void {
  const rules = program
    .command('rules')
    .description("an app's ordered deployment rules: which pushes of its repository deploy to which environment");

  rules
    .command('list')
    .description("list an app's rules in order, with how often each fired and what it last deployed")
    .argument('<app>', 'app name (or stack name, with --stack)')
    .option(...stackOption)
    .action(async (app: string, options: { stack?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().rules.list(ownerOf(app, options));
      if (run.isJson) return run.out.json(answer);
      run.out.table(
        ['#', 'EVENT', 'REF PATTERN', 'REPOSITORY', 'ENVIRONMENT', 'ENABLED', 'FIRED', 'LAST COMMIT', 'LAST FIRED'],
        answer.rules.map((r) => [
          String(r.position),
          r.event,
          r.refPattern,
          r.repository,
          r.environment ?? '-',
          r.isEnabled ? 'yes' : 'no',
          String(r.triggerCount),
          r.lastDeployedCommit === null ? '-' : r.lastDeployedCommit.slice(0, 12),
          r.lastTriggeredAt === null ? '-' : formatTimestamp(r.lastTriggeredAt),
        ]),
      );
      for (const r of answer.rules) {
        if (r.queued === null) continue;
        const since = formatTimestamp(r.queued.since);
        run.out.line(
          `rule ${r.position}: ${r.queued.ref}@${r.queued.commit.slice(0, 12)} queued since ${since}, deploys when the running deployment ends`,
        );
      }
    });

  rules
    .command('add')
    .description('add a rule (admin): pushes of refs matching <pattern> deploy their exact commit to an environment')
    .argument('<app>', 'app name (or stack name, with --stack)')
    .argument('<pattern>', "full-ref glob: 'refs/heads/main', 'refs/heads/release/*', 'refs/tags/v*' (** crosses /)")
    .option('--repo <repository>', "a repository of the project (slipway repos list); a stack's rule: its own")
    .option('-e, --env <env>', 'environment to deploy to', 'production')
    .option('--tag', 'match tag pushes (refs/tags/…) instead of branch pushes')
    .option('--position <n>', 'insert at this position (1 = first); default: last', parsePosition)
    .option('--disabled', 'add it disabled')
    .option(...stackOption)
    .action(
      async (
        app: string,
        pattern: string,
        options: { repo?: string; env: string; tag?: boolean; position?: number; disabled?: boolean; stack?: boolean },
        command: Command,
      ) => {
        const run = ctx.for(command);
        const rule = await run.client().rules.add(ownerOf(app, options), {
          ...(options.repo === undefined ? {} : { repository: options.repo }),
          refPattern: pattern,
          event: options.tag === true ? 'tag' : 'push',
          environment: options.env,
          isEnabled: options.disabled !== true,
          ...(options.position === undefined ? {} : { position: options.position }),
        });
        if (run.isJson) return run.out.json(rule);
        run.out.line(`added rule ${describeRule(rule)}`);
        const flag = options.stack === true ? ' --stack' : '';
        run.out.line(run.out.style.dim(`try it with: slipway rules test ${app} <full ref>${flag}`));
      },
    );

  for (const [name, isEnabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    rules
      .command(name)
      .description(`${name} a rule (admin)${isEnabled ? '' : ': it never fires, the next matching rule does'}`)
      .argument('<app>', 'app name (or stack name, with --stack)')
      .argument('<rule>', 'the rule: its position or its id (rul_…)')
      .option(...stackOption)
      .action(async (app: string, rule: string, options: { stack?: boolean }, command: Command) => {
        const run = ctx.for(command);
        const view = await run.client().rules.setEnabled(ownerOf(app, options), rule, isEnabled);
        if (run.isJson) return run.out.json(view);
        run.out.line(`${isEnabled ? 'enabled' : 'disabled'} rule ${describeRule(view)}`);
      });
  }

  rules
    .command('move')
    .description('move a rule to another position (admin); the first enabled matching rule is the one that fires')
    .argument('<app>', 'app name (or stack name, with --stack)')
    .argument('<rule>', 'the rule: its position or its id (rul_…)')
    .argument('<position>', 'its new position (1 = first)', parsePosition)
    .option(...stackOption)
    .action(async (app: string, rule: string, position: number, options: { stack?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const view = await run.client().rules.move(ownerOf(app, options), rule, position);
      if (run.isJson) return run.out.json(view);
      run.out.line(`moved rule to ${describeRule(view)}`);
    });

  rules
    .command('remove')
    .description('remove a rule (admin); the rules after it move up')
    .argument('<app>', 'app name (or stack name, with --stack)')
    .argument('<rule>', 'the rule: its position or its id (rul_…)')
    .option(...stackOption)
    .action(async (app: string, rule: string, options: { stack?: boolean }, command: Command) => {
      const run = ctx.for(command);
      await run.client().rules.remove(ownerOf(app, options), rule);
      if (run.isJson) return run.out.json({ app, rule, isRemoved: true });
      run.out.line(`removed rule ${rule} of ${app}`);
    });

  rules
    .command('test')
    .description('dry run: which rule a push of a full ref would fire, and why each earlier one would not')
    .argument('<app>', 'app name (or stack name, with --stack)')
    .argument('<ref>', 'a full ref: refs/heads/release/1.2, refs/tags/v1.0.0')
    .option(...stackOption)
    .action(async (app: string, ref: string, options: { stack?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().rules.test(ownerOf(app, options), ref);
      if (run.isJson) return run.out.json(answer);
      for (const line of formatRulesTest(answer)) run.out.line(line);
    });
}
