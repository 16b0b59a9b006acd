/**
 * `slipway env create|list|delete <app> <env>`: an app's environments, each with its own config, secrets, scale,
 * routes, strategy override (`env strategy set|clear`) and approval policy (`env approval set|show|clear`).
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  SlipwayError,
  strategySchema,
  type ApprovalPolicyBody,
  type ApprovalPolicyView,
  type Approver,
  type Role,
  roles,
} from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { parseDurationSeconds } from './tokens.js';

function parseApprover(value: string, previous: Approver[] = []): Approver[] {
  const [kind, id = ''] = value.split(':', 2);
  if (kind === 'user' && id !== '') return [...previous, { kind: 'user', id }];
  if (kind === 'role' && (roles as readonly string[]).includes(id))
    return [...previous, { kind: 'role', id: id as Role }];
  throw new InvalidArgumentError(`expected user:<name> or role:<${roles.join('|')}>, got "${value}"`);
}

function parseDuration(value: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined)
    throw new InvalidArgumentError(`expected a duration like 90s, 5m, 72h or 3d, got "${value}"`);
  return seconds;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `72h`, `5m`, `90s` for a number of seconds: the largest unit that divides it. */
export function formatDurationSeconds(seconds: number): string {
  if (seconds === 0) return '0';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function describePolicy(policy: ApprovalPolicyView): string[] {
  const approvers =
    policy.approvers.length === 0
      ? 'anyone with deployer or more'
      : policy.approvers.map((a) => `${a.kind}:${a.id}`).join(', ');
  return [
    `approval policy of ${policy.app} (${policy.environment})`,
    `  required approvals: ${policy.requiredApprovals}`,
    `  approvers:          ${approvers}`,
    `  self-approval:      ${policy.preventSelfApproval ? 'refused' : 'allowed'}`,
    `  wait timer:         ${formatDurationSeconds(policy.waitTimerSeconds)}`,
    `  timeout:            ${formatDurationSeconds(policy.timeoutSeconds)} (then rejected)`,
    `  refs:               ${policy.refPatterns.length === 0 ? 'any' : policy.refPatterns.join(', ')}`,
  ];
}

export function registerEnvCommand(program: Command, ctx: CliContext): void {
  const env = program
    .command('env')
    .description("create, list and delete an app's environments; their strategy and approval policy");

  env
    .command('list')
    .description("list an app's environments with their default host, release, strategy override and policy")
    .argument('<app>', 'app name')
    .action(async (app: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().environments.list(app);
      if (run.isJson) return run.out.json(answer);
      run.out.table(
        ['NAME', 'HOST', 'RELEASE', 'INSTANCES', 'STRATEGY', 'APPROVAL', 'CREATED'],
        answer.environments.map((e) => [
          e.name,
          e.defaultHost,
          e.currentRelease === null ? '-' : `v${e.currentRelease}`,
          String(e.instances),
          e.strategy === null ? 'manifest' : e.strategy.type,
          e.hasApprovalPolicy ? 'required' : '-',
          formatTimestamp(e.createdAt),
        ]),
      );
    });

  env
    .command('create')
    .description('create an environment of an app (admin): its own config, secrets, scale and routes')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name (lowercase letters, digits and "-")')
    .action(async (app: string, name: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const created = await run.client().environments.create(app, name);
      if (run.isJson) return run.out.json(created);
      run.out.line(`created environment ${created.name} of ${created.app} (default host ${created.defaultHost})`);
      run.out.line(run.out.style.dim(`deploy to it with: slipway deploy ${app} -e ${name}`));
    });

  env
    .command('delete')
    .description('delete an environment with its releases, deployments, config and secrets (admin)')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .option('--force', 'stop instances running there instead of refusing')
    .action(async (app: string, name: string, options: { force?: boolean }, command: Command) => {
      const run = ctx.for(command);
      await run.client().environments.delete(app, name, { force: options.force === true });
      if (run.isJson) return run.out.json({ app, environment: name, isDeleted: true });
      run.out.line(`deleted environment ${name} of ${app}`);
    });

  const strategy = env.command('strategy').description("the strategy that replaces the manifest's in one environment");
  strategy
    .command('set')
    .description("replace the manifest's strategy in this environment (admin)")
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .argument('<json>', 'the strategy as JSON, e.g. \'{"type":"recreate"}\'')
    .action(async (app: string, name: string, json: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        throw new SlipwayError('VALIDATION_FAILED', 'the strategy is not valid JSON');
      }
      const parsed = strategySchema.safeParse(value);
      if (!parsed.success) {
        throw new SlipwayError('VALIDATION_FAILED', `invalid strategy: ${parsed.error.issues[0]?.message ?? ''}`);
      }
      const view = await run.client().environments.setStrategy(app, name, parsed.data);
      if (run.isJson) return run.out.json(view);
      run.out.line(`${app} (${name}) rolls out with strategy ${parsed.data.type}`);
    });
  strategy
    .command('clear')
    .description("use the manifest's strategy again in this environment (admin)")
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .action(async (app: string, name: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const view = await run.client().environments.clearStrategy(app, name);
      if (run.isJson) return run.out.json(view);
      run.out.line(`${app} (${name}) rolls out with the manifest's strategy`);
    });

  const approval = env.command('approval').description('the approval policy deployments to one environment wait on');
  approval
    .command('set')
    .description('require approval before deployments to this environment roll out (admin); replaces the policy')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .option('--required <n>', 'distinct approvals needed (default 1)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${v}"`);
      return n;
    })
    .option(
      '--approver <who>',
      'user:<name> or role:<role>; repeat for more (default: anyone with deployer or more)',
      parseApprover,
    )
    .option('--no-self-approval', "the deployment's author may not approve it (the default)")
    .option('--allow-self-approval', "let the deployment's author approve it")
    .option('--wait-timer <duration>', 'approvals count only this long after the request (default 0)', parseDuration)
    .option('--timeout <duration>', 'reject a request still pending after this long (default 72h)', parseDuration)
    .option(
      '--ref <pattern>',
      'only refs matching this full-ref glob may deploy, e.g. refs/heads/release/*; repeat for more',
      collect,
    )
    .action(
      async (
        app: string,
        name: string,
        options: {
          required?: number;
          approver?: Approver[];
          selfApproval?: boolean;
          allowSelfApproval?: boolean;
          waitTimer?: number;
          timeout?: number;
          ref?: string[];
        },
        command: Command,
      ) => {
        const run = ctx.for(command);
        if (options.allowSelfApproval === true && options.selfApproval === false) {
          throw new SlipwayError(
            'VALIDATION_FAILED',
            '--allow-self-approval and --no-self-approval contradict each other',
          );
        }
        const body: ApprovalPolicyBody = {
          preventSelfApproval: options.allowSelfApproval !== true,
          ...(options.required === undefined ? {} : { requiredApprovals: options.required }),
          ...(options.approver === undefined ? {} : { approvers: options.approver }),
          ...(options.waitTimer === undefined ? {} : { waitTimerSeconds: options.waitTimer }),
          ...(options.timeout === undefined ? {} : { timeoutSeconds: options.timeout }),
          ...(options.ref === undefined ? {} : { refPatterns: options.ref }),
        };
        const policy = await run.client().environments.setApprovalPolicy(app, name, body);
        if (run.isJson) return run.out.json(policy);
        for (const line of describePolicy(policy)) run.out.line(line);
      },
    );
  approval
    .command('show')
    .description("show the environment's approval policy")
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .action(async (app: string, name: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const policy = await run.client().environments.getApprovalPolicy(app, name);
      if (run.isJson) return run.out.json(policy);
      for (const line of describePolicy(policy)) run.out.line(line);
    });
  approval
    .command('clear')
    .description('deployments to this environment need no approval any more (admin)')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .action(async (app: string, name: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      await run.client().environments.clearApprovalPolicy(app, name);
      if (run.isJson) return run.out.json({ app, environment: name, isCleared: true });
      run.out.line(`deployments of ${app} (${name}) need no approval`);
    });
}
