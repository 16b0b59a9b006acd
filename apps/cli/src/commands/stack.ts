/** `slipway stack import <file>`: a docker compose file becomes a project of apps, deployed one by one in dependency order. */
import { basename, relative } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { dnsLabelSchema, planStack, stackNameFrom, type StackAppPlan, type StackPlan } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext, CommandRun } from '../cli-context.js';
import { readComposeFile, type ComposeProject } from '../compose/compose-file.js';

import { putFileStack } from './stack-file.js';
import { deployAndFollow } from './stack-follow.js';
import { registerStackResourceCommands } from './stack-resource.js';

interface StackImportOptions {
  stack?: string;
  prefix?: string;
  runtime: 'docker' | 'swarm';
  dryRun?: boolean;
  environment?: string;
}

/** `--stack`, else the compose file's `name:`, else its directory's name, made a DNS label. */
function stackNameOf(run: CommandRun, project: ComposeProject, given: string | undefined): string {
  if (given !== undefined) {
    if (!dnsLabelSchema.safeParse(given).success)
      run.usageError(`--stack "${given}" is not a project name: lowercase letters, digits and "-", a letter first`);
    return given;
  }
  const from = project.compose.name ?? basename(project.dir);
  const name = stackNameFrom(from);
  if (name === undefined) run.usageError(`cannot make a stack name of "${from}": name the stack with --stack NAME`);
  return name;
}

function printNotices(run: CommandRun, project: ComposeProject, plan: StackPlan): void {
  const { style } = run.err;
  for (const warning of project.warnings) run.err.line(`${style.yellow('warning:')} ${warning}`);
  for (const { path, reason } of plan.unsupported) run.err.line(`${style.yellow('warning:')} ${path}: ${reason}`);
  for (const { path, reason } of plan.notes) run.err.line(`${style.dim('note:')} ${path}: ${reason}`);
}

const appsInOrder = (plan: StackPlan): StackAppPlan[] =>
  plan.order.flatMap((service) => plan.apps.filter((app) => app.service === service));

function describeSource(run: CommandRun, app: StackAppPlan): string {
  if ('image' in app.source) return `image ${app.source.image}`;
  return `built from ${relative(run.io.cwd, app.source.path) || '.'}`;
}

function printPlan(run: CommandRun, plan: StackPlan): void {
  const apps = appsInOrder(plan);
  run.out.line(
    `stack ${plan.stack}: ${apps.length} app${apps.length === 1 ? '' : 's'} on ${plan.runtime}, deployed in this order`,
  );
  apps.forEach((app, index) => {
    run.out.line();
    const after = app.dependsOn.length === 0 ? '' : `, after ${app.dependsOn.join(', ')}`;
    run.out.line(
      `${index + 1}. ${run.out.style.bold(app.app)} (service ${app.service}), ${describeSource(run, app)}${after}`,
    );
    const yaml = stringify(app.manifest, { lineWidth: 0 }).trimEnd();
    for (const line of yaml.split('\n')) run.out.line(`   ${line}`);
  });
  run.out.line();
  run.out.line(
    run.out.style.dim('nothing changed (--dry-run); run it without --dry-run to create and deploy the apps'),
  );
}

export function registerStackCommand(program: Command, ctx: CliContext): void {
  const stack = program
    .command('stack')
    .description('docker compose files as stacks: apps of one project, deployed together in dependency order');

  stack
    .command('import')
    .description('create or update the stack of a compose file (a project, an app per service), then deploy it')
    .argument('<file>', 'docker compose file (docker-compose.yml, compose.yaml)')
    .option('--stack <name>', "project of the apps (default: the compose file's name, or its directory's)")
    .option('--prefix <prefix>', 'put before each service name to make the app names (shop → shop-web)')
    .addOption(new Option('--runtime <runtime>', 'where the apps run').choices(['docker', 'swarm']).default('docker'))
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(environmentOption())
    .action(async (file: string, options: StackImportOptions, command: Command) => {
      const run = ctx.for(command);
      const project = await readComposeFile(file, { cwd: run.io.cwd, env: run.io.env });
      const plan = planStack(project.compose, {
        stackName: stackNameOf(run, project, options.stack),
        composeDir: project.dir,
        prefix: options.prefix,
        runtime: options.runtime,
        environment: options.environment,
        variables: project.variables,
        envFiles: project.envFiles,
        fileName: basename(project.file),
      });
      printNotices(run, project, plan);
      if (options.dryRun === true) {
        if (run.isJson) run.out.json(plan);
        else printPlan(run, plan);
        return;
      }
      await putFileStack(run, project, { name: plan.stack, runtime: plan.runtime, prefix: options.prefix });
      await deployAndFollow(run, plan.stack, { environment: options.environment }, 'imported');
    });
  registerStackResourceCommands(stack, ctx);
}
