/** `slipway stack create|list|show|deploy|rollback|remove`: stacks as a resource of slipwayd. */
import { Option } from 'commander';
import type { Command } from 'commander';
import { dnsLabelSchema, type StackView } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext, CommandRun } from '../cli-context.js';
import { readComposeFile } from '../compose/compose-file.js';
import { putFileStack } from './stack-file.js';
import { deployAndFollow, followAndReportStack } from './stack-follow.js';

interface CreateOptions {
  file?: string;
  repo?: string;
  path: string;
  ref: string;
  prefix?: string;
  runtime: 'docker' | 'swarm';
}

function checkName(run: CommandRun, name: string): void {
  if (!dnsLabelSchema.safeParse(name).success)
    run.usageError(`"${name}" is not a stack name: lowercase letters, digits and "-", a letter first`);
}

const healthMark = (run: CommandRun, health: StackView['services'][number]['health']): string => {
  const { style } = run.out;
  if (health === 'healthy') return style.green(health);
  if (health === 'not-deployed' || health === 'starting') return style.dim(health);
  return style.red(health);
};

function printStack(run: CommandRun, stack: StackView): void {
  const { style } = run.out;
  const source =
    stack.source.kind === 'file'
      ? `compose file ${stack.source.fileName}`
      : `repository ${stack.source.repository} (${stack.source.path} at ${stack.source.ref})`;
  run.out.line(`${style.bold(`stack ${stack.name}`)} — project ${stack.project}, ${source}, on ${stack.runtime}`);
  run.out.line(`status (${stack.environment}): ${stack.status}`);
  run.out.line();
  for (const service of stack.services) {
    const after = service.dependsOn.length === 0 ? '' : `, after ${service.dependsOn.join(', ')}`;
    const release = service.release === null ? 'no release' : `release ${service.release}`;
    run.out.line(
      `  ${service.app} (service ${service.service}): ${healthMark(run, service.health)}, ${service.instances.healthy}/${service.instances.total} healthy, ${release}; ${service.source}${after}`,
    );
  }
  const last = stack.lastDeployment;
  if (last !== null) {
    run.out.line();
    const at =
      last.commit === null ? '' : ` at ${last.commit.slice(0, 12)}${last.ref === null ? '' : ` (${last.ref})`}`;
    run.out.line(`last ${last.kind} ${last.id}${at}: ${last.state}${last.reason === null ? '' : ` — ${last.reason}`}`);
    for (const service of last.services)
      run.out.line(
        `  ${service.service}: ${service.state}${service.deploymentId === null ? '' : ` (${service.deploymentId})`}${service.reason === null ? '' : ` — ${service.reason}`}`,
      );
  }
}

export function registerStackResourceCommands(stack: Command, ctx: CliContext): void {
  stack
    .command('create')
    .description("create a stack (or replace its compose file) and its services' apps; deploys nothing")
    .argument('<name>', 'stack name (also its project)')
    .option('-f, --file <file>', 'docker compose file on this machine')
    .option(
      '--repo <repository>',
      'a repository of the project (slipway repos): the compose file is read from it at each deploy',
    )
    .option('--path <path>', 'the compose file inside the repository', 'docker-compose.yml')
    .option('--ref <ref>', 'the branch or tag deployed by default', 'main')
    .option('--prefix <prefix>', 'put before each service name to make the app names')
    .addOption(new Option('--runtime <runtime>', 'where the apps run').choices(['docker', 'swarm']).default('docker'))
    .action(async (name: string, options: CreateOptions, command: Command) => {
      const run = ctx.for(command);
      checkName(run, name);
      if ((options.file === undefined) === (options.repo === undefined))
        run.usageError('give the compose file with -f FILE, or a repository with --repo REPOSITORY (one of them)');
      if (options.file !== undefined) {
        const project = await readComposeFile(options.file, { cwd: run.io.cwd, env: run.io.env });
        for (const warning of project.warnings) run.err.line(`${run.err.style.yellow('warning:')} ${warning}`);
        await putFileStack(run, project, { name, runtime: options.runtime, prefix: options.prefix });
        return;
      }
      const result = await run.client().stacks.put({
        name,
        project: name,
        runtime: options.runtime,
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
        source: { kind: 'repository', repository: options.repo ?? '', path: options.path, ref: options.ref },
      });
      if (run.isJson) run.out.json(result);
      else printStack(run, result.stack);
    });

  stack
    .command('list')
    .description('list stacks and their status')
    .addOption(environmentOption())
    .action(async (options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const { stacks } = await run.client().stacks.list({ environment: options.environment });
      if (run.isJson) return run.out.json({ stacks });
      if (stacks.length === 0)
        return run.out.line('no stacks (create one with: slipway stack create NAME -f compose.yaml)');
      for (const s of stacks) {
        const healthy = s.services.filter((service) => service.health === 'healthy').length;
        run.out.line(`${s.name}\t${s.status}\t${healthy}/${s.services.length} services healthy\tproject ${s.project}`);
      }
    });

  stack
    .command('show')
    .description("a stack's services with their health, and its last deployment")
    .argument('<name>', 'stack name')
    .addOption(environmentOption())
    .action(async (name: string, options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const view = await run.client().stacks.get(name, { environment: options.environment });
      if (run.isJson) run.out.json(view);
      else printStack(run, view);
    });

  stack
    .command('deploy')
    .description('deploy every service, each after what it depends on is healthy, and follow it')
    .argument('<name>', 'stack name')
    .option('--ref <ref>', 'a repository stack: the branch or tag to deploy the head of')
    .option('--commit <commit>', 'a repository stack: the exact commit to deploy')
    .addOption(environmentOption())
    .action(
      async (name: string, options: { ref?: string; commit?: string; environment?: string }, command: Command) => {
        await deployAndFollow(ctx.for(command), name, options, 'deployed');
      },
    );

  stack
    .command('rollback')
    .description('roll each service back to its previous release, in dependency order, and follow it')
    .argument('<name>', 'stack name')
    .addOption(environmentOption())
    .action(async (name: string, options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const { deployment } = await run.client().stacks.rollback(name, { environment: options.environment });
      await followAndReportStack(run, deployment, 'rolled back');
    });

  stack
    .command('remove')
    .description('remove a stack and its apps (their instances, routes and releases)')
    .argument('<name>', 'stack name')
    .option('--keep-apps', 'remove only the stack; its apps stay')
    .action(async (name: string, options: { keepApps?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const result = await run.client().stacks.remove(name, { keepApps: options.keepApps === true });
      if (run.isJson) return run.out.json(result);
      run.out.line(
        `removed stack ${name}${result.removedApps.length === 0 ? '' : ` and its apps ${result.removedApps.join(', ')}`}`,
      );
    });
}
