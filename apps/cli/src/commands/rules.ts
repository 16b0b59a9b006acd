/**
 * `slipway rules add|list|enable|disable|move|remove|test <app>`: an app's ordered deployment rules — pushes of a
 * repository's refs matching a full-ref glob deploy to an environment — and the dry run that says which rule fires.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { DeploymentRuleView, TestDeploymentRulesResponse } from '@slipway/contract';
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
  const target = rule.environment ?? 'the stack';
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

export function registerRulesCommand(program: Command, ctx: CliContext): void {
  const rules = program
    .command('rules')
    .description("an app's ordered deployment rules: which pushes of its repository deploy to which environment");

  rules
    .command('list')
    .description("list an app's rules in order, with how often each fired and what it last deployed")
    .argument('<app>', 'app name')
    .action(async (app: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().rules.list(app);
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
    });

  rules
    .command('add')
    .description('add a rule (admin): pushes of refs matching <pattern> deploy their exact commit to an environment')
    .argument('<app>', 'app name')
    .argument('<pattern>', "full-ref glob: 'refs/heads/main', 'refs/heads/release/*', 'refs/tags/v*' (** crosses /)")
    .requiredOption('--repo <repository>', "a repository of the app's project (slipway repos list)")
    .option('-e, --env <env>', 'environment to deploy to', 'production')
    .option('--tag', 'match tag pushes (refs/tags/…) instead of branch pushes')
    .option('--position <n>', 'insert at this position (1 = first); default: last', parsePosition)
    .option('--disabled', 'add it disabled')
    .action(
      async (
        app: string,
        pattern: string,
        options: { repo: string; env: string; tag?: boolean; position?: number; disabled?: boolean },
        command: Command,
      ) => {
        const run = ctx.for(command);
        const rule = await run.client().rules.add(app, {
          repository: options.repo,
          refPattern: pattern,
          event: options.tag === true ? 'tag' : 'push',
          environment: options.env,
          isEnabled: options.disabled !== true,
          ...(options.position === undefined ? {} : { position: options.position }),
        });
        if (run.isJson) return run.out.json(rule);
        run.out.line(`added rule ${describeRule(rule)}`);
        run.out.line(run.out.style.dim(`try it with: slipway rules test ${app} <full ref>`));
      },
    );

  for (const [name, isEnabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    rules
      .command(name)
      .description(`${name} a rule (admin)${isEnabled ? '' : ': it never fires, the next matching rule does'}`)
      .argument('<app>', 'app name')
      .argument('<rule>', 'the rule: its position or its id (rul_…)')
      .action(async (app: string, rule: string, _options: object, command: Command) => {
        const run = ctx.for(command);
        const view = await run.client().rules.setEnabled(app, rule, isEnabled);
        if (run.isJson) return run.out.json(view);
        run.out.line(`${isEnabled ? 'enabled' : 'disabled'} rule ${describeRule(view)}`);
      });
  }

  rules
    .command('move')
    .description('move a rule to another position (admin); the first enabled matching rule is the one that fires')
    .argument('<app>', 'app name')
    .argument('<rule>', 'the rule: its position or its id (rul_…)')
    .argument('<position>', 'its new position (1 = first)', parsePosition)
    .action(async (app: string, rule: string, position: number, _options: object, command: Command) => {
      const run = ctx.for(command);
      const view = await run.client().rules.move(app, rule, position);
      if (run.isJson) return run.out.json(view);
      run.out.line(`moved rule to ${describeRule(view)}`);
    });

  rules
    .command('remove')
    .description('remove a rule (admin); the rules after it move up')
    .argument('<app>', 'app name')
    .argument('<rule>', 'the rule: its position or its id (rul_…)')
    .action(async (app: string, rule: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      await run.client().rules.remove(app, rule);
      if (run.isJson) return run.out.json({ app, rule, isRemoved: true });
      run.out.line(`removed rule ${rule} of ${app}`);
    });

  rules
    .command('test')
    .description('dry run: which rule a push of a full ref would fire, and why each earlier one would not')
    .argument('<app>', 'app name')
    .argument('<ref>', 'a full ref: refs/heads/release/1.2, refs/tags/v1.0.0')
    .action(async (app: string, ref: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().rules.test(app, ref);
      if (run.isJson) return run.out.json(answer);
      for (const line of formatRulesTest(answer)) run.out.line(line);
    });
}
