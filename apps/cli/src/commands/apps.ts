/** `slipway apps create|list|info|delete`: the apps slipwayd knows. */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { AppView } from '@slipway/contract';
import type { CliContext, ProgramIo } from '../cli-context.js';
import { defaultProjectName, getProject } from './projects.js';
import { formatTimestamp } from '../output.js';

const sumInstances = (app: AppView) =>
  app.environments.reduce(
    (sum, e) => ({ total: sum.total + e.instances.total, healthy: sum.healthy + e.instances.healthy }),
    { total: 0, healthy: 0 },
  );

const formatScale = (scale: Record<string, number>) =>
  Object.entries(scale)
    .map(([type, count]) => `${type}=${count}`)
    .join(' ') || '-';

/** Reads one line from a terminal; resolves `undefined` when input ends first. */
async function readLine(stdin: NonNullable<ProgramIo['stdin']>): Promise<string | undefined> {
  const reader = createInterface({ input: stdin, terminal: false });
  try {
    for await (const line of reader) return line;
    return undefined;
  } finally {
    reader.close();
  }
}

export function registerAppsCommand(program: Command, ctx: CliContext): void {
  const apps = program.command('apps').description('create, list, inspect and delete apps');

  apps
    .command('create')
    .description('create an app')
    .argument('<name>', 'app name (lowercase letters, digits and "-")')
    .option('--project <project>', 'project to create it in, which must exist (default: default)')
    .option('--create-project', 'create the --project if it does not exist')
    .action(async (name: string, options: { project?: string; createProject?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const client = run.client();
      // A mistyped project must not become a new one: only the default project, or one asked for, is created here.
      if (options.project !== undefined && options.project !== defaultProjectName && options.createProject !== true)
        await getProject(client, options.project);
      const app = await client.apps.create(
        options.project === undefined ? { name } : { name, project: options.project },
      );
      if (run.isJson) return run.out.json(app);
      run.out.line(`created app ${app.name} in project ${app.project}`);
      run.out.line(run.out.style.dim(`deploy it with: slipway deploy ${app.name} --path .`));
    });

  apps
    .command('list')
    .description('list apps')
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().apps.list();
      if (run.isJson) return run.out.json(answer);
      if (answer.apps.length === 0) return run.out.line('no apps yet: create one with `slipway apps create <name>`');
      run.out.table(
        ['NAME', 'PROJECT', 'ENVIRONMENTS', 'INSTANCES', 'CREATED'],
        answer.apps.map((app) => {
          const instances = sumInstances(app);
          return [
            app.name,
            app.project,
            app.environments
              .map((e) => (e.currentRelease === null ? e.name : `${e.name}@v${e.currentRelease}`))
              .join(', ') || '-',
            app.environments.every((e) => e.currentRelease === null)
              ? 'no release yet'
              : `${instances.healthy}/${instances.total} healthy`,
            formatTimestamp(app.createdAt),
          ];
        }),
      );
    });

  apps
    .command('info')
    .description('show an app, its environments, scale and routes')
    .argument('<name>', 'app name')
    .action(async (name: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const app = await run.client().apps.get(name);
      if (run.isJson) return run.out.json(app);
      run.out.fields([
        ['name', app.name],
        ['project', app.project],
        ['created', formatTimestamp(app.createdAt)],
      ]);
      run.out.line();
      run.out.table(
        ['ENVIRONMENT', 'RELEASE', 'SCALE', 'INSTANCES', 'ROUTES'],
        app.environments.map((e) => [
          e.name,
          e.currentRelease === null ? '-' : `v${e.currentRelease}`,
          formatScale(e.scale),
          e.currentRelease === null ? 'no release yet' : `${e.instances.healthy}/${e.instances.total} healthy`,
          e.routes.map((r) => `${r.host}${r.path} → ${r.process}`).join(', ') || '-',
        ]),
      );
    });

  apps
    .command('delete')
    .description('delete an app with its releases, instances and routes')
    .argument('<name>', 'app name')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .action(async (name: string, options: { yes?: boolean }, command: Command) => {
      const run = ctx.for(command);
      if (options.yes !== true) {
        const stdin = run.io.stdin;
        if (stdin === undefined || stdin.isTTY !== true) {
          return run.usageError(
            `refusing to delete app "${name}" without --yes: stdin is not a terminal, so there is no one to ask`,
          );
        }
        run.err.line(`delete app "${name}" with all its releases, instances and routes? type its name to confirm:`);
        const answer = await readLine(stdin);
        if (answer?.trim() !== name) {
          run.err.line('not confirmed; nothing deleted');
          return run.fail();
        }
      }
      await run.client().apps.delete(name);
      if (!run.isJson) run.out.line(`deleted app ${name}`);
    });
}
