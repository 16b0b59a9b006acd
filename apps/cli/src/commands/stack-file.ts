/** A compose file read on this machine and sent to slipwayd as a stack's source, with the variables it names. */
import { basename } from 'node:path';
import type { PutStackBody } from '@slipway/contract';
import type { CommandRun } from '../cli-context.js';
import type { ComposeProject } from '../compose/compose-file.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The file stack source of a compose project: the text, its env files' contents, and only the variables (process
 * environment over `.env`) whose names the text mentions — never the whole environment of this shell.
 */
export function fileStackSource(project: ComposeProject): Extract<PutStackBody['source'], { kind: 'file' }> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(project.variables))
    if (new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(name)}([^A-Za-z0-9_]|$)`, 'm').test(project.text))
      variables[name] = value;
  return {
    kind: 'file',
    fileName: basename(project.file),
    composeDir: project.dir,
    compose: project.text,
    variables,
    envFiles: Object.fromEntries(project.envFiles),
  };
}

/** Creates the stack (or replaces its compose file) in slipwayd, which creates the apps; says what it did. */
export async function putFileStack(
  run: CommandRun,
  project: ComposeProject,
  stack: { name: string; runtime: 'docker' | 'swarm'; prefix?: string | undefined },
): Promise<void> {
  const { stack: view, isCreated } = await run.client().stacks.put({
    name: stack.name,
    project: stack.name,
    runtime: stack.runtime,
    ...(stack.prefix === undefined ? {} : { prefix: stack.prefix }),
    source: fileStackSource(project),
  });
  if (run.isJson) return;
  const apps = view.services.map((s) => s.app).join(', ');
  run.out.line(`${isCreated ? 'created' : 'updated'} stack ${view.name} (project ${view.project}): ${apps}`);
}
