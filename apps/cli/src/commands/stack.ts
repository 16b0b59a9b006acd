/** `slipway stack import <file>`: a docker compose file becomes a project of apps, deployed one by one in dependency order. */
import { basename, relative } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import {
  dnsLabelSchema,
  isSlipwayError,
  planStack,
  SlipwayError,
  stackNameFrom,
  type StackAppPlan,
  type StackPlan,
} from '@slipway/contract';
import type { DeploymentView } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext, CommandRun } from '../cli-context.js';
import { readComposeFile, type ComposeProject } from '../compose/compose-file.js';

import { createDeploymentNarrator, followDeployment, reportOutcome } from '../follow-deployment.js';

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

/** Creates the stack's project and apps that do not exist yet; refuses apps of the same name in another project first. */
async function ensureStackApps(run: CommandRun, plan: StackPlan): Promise<void> {
  const client = run.client();
  const { projects } = await client.projects.list();
  const { apps } = await client.apps.list();
  const existing = new Map(apps.map((app) => [app.name, app.project]));
  const conflicts = plan.apps.flatMap((app) => {
    const project = existing.get(app.app);
    return project === undefined || project === plan.stack
      ? []
      : [{ path: `services.${app.service}`, message: `app ${app.app} exists in project ${project}` }];
  });
  if (conflicts.length > 0) {
    throw new SlipwayError(
      'COMPOSE_INVALID',
      `apps of this stack belong to other projects: ${conflicts.map((c) => c.message).join('; ')}; choose other names with --prefix`,
      { details: { issues: conflicts } },
    );
  }
  const say = (text: string) => {
    if (!run.isJson) run.out.line(text);
  };
  if (projects.some((project) => project.name === plan.stack)) say(`project ${plan.stack} exists`);
  else {
    await client.projects.create({ name: plan.stack });
    say(`created project ${plan.stack}`);
  }
  for (const app of plan.apps) {
    if (existing.has(app.app)) say(`app ${app.app} exists`);
    else {
      await client.apps.create({ name: app.app, project: plan.stack });
      say(`created app ${app.app}`);
    }
  }
}

interface DeployedApp {
  service: string;
  app: string;
  deployment: DeploymentView;
}

/** Deploys the apps in order, each followed to its end; stops at the first that does not succeed. */
async function deployInOrder(run: CommandRun, plan: StackPlan, environment: string | undefined): Promise<void> {
  const client = run.client();
  const apps = appsInOrder(plan);
  const deployed: DeployedApp[] = [];
  const stopAt = (app: StackAppPlan, why: string) => {
    const done = deployed.map((d) => d.app);
    const left = apps.slice(apps.indexOf(app) + 1).map((a) => a.app);
    run.err.line(
      run.err.style.red(
        `stack ${plan.stack} stopped at service ${app.service} (app ${app.app}): ${why}; ` +
          `${done.length === 0 ? 'nothing deployed before it' : `deployed and running: ${done.join(', ')}`}` +
          `${left.length === 0 ? '' : `; not deployed: ${left.join(', ')}`}`,
      ),
    );
  };
  for (const [index, app] of apps.entries()) {
    if (!run.isJson) {
      run.out.line();
      run.out.line(run.out.style.bold(`[${index + 1}/${apps.length}] ${app.app} (service ${app.service})`));
    }
    let started;
    try {
      started = await client.deployments.create(app.app, { ...app.source, manifest: app.manifest }, { environment });
    } catch (error) {
      if (isSlipwayError(error)) stopAt(app, `its deployment was refused (${error.code})`);
      throw error;
    }
    const { deployment } = started;
    if (!run.isJson)
      run.out.line(run.out.style.dim(`deployment ${deployment.id} of ${deployment.app} (${deployment.environment})`));
    const final = await followDeployment(
      run,
      deployment.id,
      run.isJson ? undefined : createDeploymentNarrator(run.out),
    );
    if (final === undefined) {
      run.err.line(
        `stopped following; deployment ${deployment.id} goes on in slipwayd, the apps after it are not deployed`,
      );
      run.fail(130);
      return;
    }
    const isSuccess = run.isJson ? final.state === 'succeeded' : reportOutcome(run.out, final);
    const result = { service: app.service, app: app.app, deployment: final };
    if (!isSuccess) {
      if (run.isJson) run.out.json({ stack: plan.stack, isComplete: false, deployments: [...deployed, result] });
      stopAt(app, `deployment ${final.id} ${final.state}`);
      run.fail();
      return;
    }
    deployed.push(result);
  }
  if (run.isJson) run.out.json({ stack: plan.stack, isComplete: true, deployments: deployed });
  else {
    run.out.line();
    run.out.line(
      run.out.style.green(`imported stack ${plan.stack}: ${deployed.map((d) => d.app).join(', ')} deployed`),
    );
  }
}

export function registerStackCommand(program: Command, ctx: CliContext): void {
  const stack = program.command('stack').description('import docker compose files as stacks: a project of apps');

  stack
    .command('import')
    .description('create a project and an app per compose service, then deploy them one by one in dependency order')
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
      await ensureStackApps(run, plan);
      await deployInOrder(run, plan, options.environment);
    });
}
