/** `slipway projects list|create|show`: the projects apps belong to (and that roles and hosts are granted on). */
import type { Command } from 'commander';
import { countNoun, SlipwayError, type ApiClient, type ProjectView } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

/** The project every app is in unless told otherwise; slipwayd creates it with the first app. */
export const defaultProjectName = 'default';

/** The project named `name` among those the caller may see. Errors: `PROJECT_NOT_FOUND`. */
export async function getProject(client: ApiClient, name: string): Promise<ProjectView> {
  const { projects } = await client.projects.list();
  const project = projects.find((p) => p.name === name);
  if (project === undefined) {
    throw new SlipwayError('PROJECT_NOT_FOUND', `no project named "${name}"`, { details: { project: name } });
  }
  return project;
}

export function registerProjectsCommand(program: Command, ctx: CliContext): void {
  const projects = program.command('projects').description('list, create and show projects');

  projects
    .command('list')
    .description('list the projects you can see, with how many apps each has')
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const client = run.client();
      const [answer, { apps }] = await Promise.all([client.projects.list(), client.apps.list()]);
      if (run.isJson) return run.out.json(answer);
      if (answer.projects.length === 0)
        return run.out.line('no projects yet: create one with `slipway projects create <name>`');
      run.out.table(
        ['NAME', 'APPS', 'CREATED'],
        answer.projects.map((p) => [
          p.name,
          countNoun(apps.filter((a) => a.project === p.name).length, 'app'),
          formatTimestamp(p.createdAt),
        ]),
      );
    });

  projects
    .command('create')
    .description('create a project (admin or owner), with a production environment')
    .argument('<name>', 'project name (lowercase letters, digits and "-")')
    .action(async (name: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const project = await run.client().projects.create({ name });
      if (run.isJson) return run.out.json(project);
      run.out.line(`created project ${project.name}`);
      run.out.line(run.out.style.dim(`create an app in it with: slipway apps create <name> --project ${project.name}`));
    });

  projects
    .command('show')
    .description('show a project and its apps')
    .argument('<name>', 'project name')
    .action(async (name: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const client = run.client();
      const project = await getProject(client, name);
      const apps = (await client.apps.list()).apps.filter((a) => a.project === project.name);
      if (run.isJson) return run.out.json({ ...project, apps });
      run.out.fields([
        ['name', project.name],
        ['id', project.id],
        ['created', formatTimestamp(project.createdAt)],
      ]);
      run.out.line();
      if (apps.length === 0)
        return run.out.line(`no apps in ${project.name} yet: slipway apps create <name> --project ${project.name}`);
      run.out.table(
        ['APP', 'ENVIRONMENTS', 'CREATED'],
        apps.map((a) => [
          a.name,
          a.environments.map((e) => (e.currentRelease === null ? e.name : `${e.name}@v${e.currentRelease}`)).join(', '),
          formatTimestamp(a.createdAt),
        ]),
      );
    });
}
