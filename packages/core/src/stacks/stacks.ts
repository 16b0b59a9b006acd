/** Use cases for stacks: create or update one from a compose file or a repository, list, describe, remove. */
import { SlipwayError, type ComposeNotice } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import { deleteApp, ensureProject } from '../use-cases/apps.js';
import { ensureStackApps } from './stack-apps.js';
import type { LocalSourceAccess } from '../ports/source-fetcher.js';
import { fileComposeInput, planCompose, planServices, type PlannedStack } from './stack-plans.js';
import type { StackRecord, StackSource } from './stack-records.js';
import { planRepositoryStack, findRepositoryOf } from './repository-stacks.js';

export type StackSourceInput =
  | Omit<Extract<StackSource, { kind: 'file' }>, 'localAccess'>
  | { kind: 'repository'; repository: string; path: string; ref: string };

export interface PutStackInput {
  name: string;
  project: string;
  prefix?: string | undefined;
  runtime: 'docker' | 'swarm';
  source: StackSourceInput;
  /** How far a file stack's build contexts may reach (the sender's access). */
  localAccess?: LocalSourceAccess;
}

export interface PutStackResult {
  stack: StackRecord;
  isCreated: boolean;
  warnings: string[];
}

/** The stack named `name`. Errors: `STACK_NOT_FOUND`. */
export async function getStack(deps: Pick<CoreDeps, 'store'>, name: string): Promise<StackRecord> {
  const stack = await deps.store.stacks.findByName(name);
  if (stack === undefined)
    throw new SlipwayError(
      'STACK_NOT_FOUND',
      `no stack named "${name}" (create it with: slipway stack create ${name} -f compose.yaml)`,
      { details: { stack: name } },
    );
  return stack;
}

/** Plans the stack for production: now for a file, at the head of its ref for a repository. */
async function planForCreate(deps: CoreDeps, input: PutStackInput, projectId: string): Promise<PlannedStack> {
  const context = {
    stackName: input.name,
    prefix: input.prefix ?? null,
    runtime: input.runtime,
    environment: 'production',
  };
  if (input.source.kind === 'file') {
    const origin = {
      kind: 'file' as const,
      ...(input.localAccess === undefined ? {} : { localAccess: input.localAccess }),
    };
    return planServices(planCompose(fileComposeInput(input.source), context), origin);
  }
  const repository = await findRepositoryOf(deps, projectId, input.source.repository);
  return (await planRepositoryStack(deps, repository, input.source.path, input.source.ref, undefined, context)).planned;
}

/**
 * Creates the stack, or replaces the compose file of the stack of that name (in the same project), then creates the
 * apps its services become. Deploys nothing. Errors: `COMPOSE_INVALID`, `VALIDATION_FAILED` (a stack of that name in
 * another project), `REPOSITORY_NOT_FOUND`, those of the repository's mirror.
 */
export async function putStack(deps: CoreDeps, input: PutStackInput): Promise<PutStackResult> {
  const project = await deps.store.transaction((tx) => ensureProject(deps, tx, input.project));
  const existing = await deps.store.stacks.findByName(input.name);
  if (existing !== undefined && existing.projectId !== project.id)
    throw new SlipwayError('VALIDATION_FAILED', `stack "${input.name}" belongs to another project`, {
      details: { stack: input.name },
    });
  const planned = await planForCreate(deps, input, project.id);
  const services = await ensureStackApps(deps, project, planned);
  const source: StackSource =
    input.source.kind === 'file'
      ? { ...input.source, ...(input.localAccess === undefined ? {} : { localAccess: input.localAccess }) }
      : {
          kind: 'repository',
          repositoryId: (await findRepositoryOf(deps, project.id, input.source.repository)).id,
          path: input.source.path,
          ref: input.source.ref,
        };
  const now = deps.clock.nowMs();
  const notices: ComposeNotice[] = planned.notices;
  const stack: StackRecord = {
    id: existing?.id ?? deps.ids.next('stk'),
    projectId: project.id,
    name: input.name,
    runtime: input.runtime,
    prefix: input.prefix ?? null,
    source,
    services,
    notices,
    createdAtMs: existing?.createdAtMs ?? now,
    updatedAtMs: now,
  };
  if (existing === undefined) await deps.store.stacks.insert(stack);
  else await deps.store.stacks.update(stack);
  deps.logger.info({ stack: stack.name, services: services.length }, existing ? 'stack updated' : 'stack created');
  return { stack, isCreated: existing === undefined, warnings: planned.warnings };
}

/** The stacks of the projects `canSeeProject` accepts (by id), by name. */
export async function listStacks(
  deps: Pick<CoreDeps, 'store'>,
  canSeeProject: (projectId: string) => boolean,
): Promise<StackRecord[]> {
  return (await deps.store.stacks.list()).filter((stack) => canSeeProject(stack.projectId));
}

/**
 * Removes the stack and its deployment rules; with `isRemovingApps`, first its apps (each refused while it deploys, as `slipway apps delete`
 * is). Errors: `STACK_NOT_FOUND`, `DEPLOYMENT_IN_PROGRESS`.
 */
export async function removeStack(
  deps: CoreDeps,
  fleet: Fleet,
  input: { name: string; isRemovingApps: boolean },
): Promise<{ removedApps: string[] }> {
  const stack = await getStack(deps, input.name);
  const running = (await deps.store.stacks.listDeployments(stack.id, 20)).find((d) => d.state === 'running');
  if (running !== undefined)
    throw new SlipwayError(
      'DEPLOYMENT_IN_PROGRESS',
      `stack deployment ${running.id} of "${stack.name}" is running; wait for it to end before removing the stack`,
      { details: { stackDeploymentId: running.id } },
    );
  const removedApps: string[] = [];
  if (input.isRemovingApps) {
    // Dependents first: nothing is left calling a service that is already gone.
    for (const service of [...stack.services].reverse()) {
      const app = await deps.store.apps.findById(service.appId);
      if (app === undefined) continue;
      await deleteApp(deps, fleet, app.name);
      removedApps.push(app.name);
    }
  }
  // Its deployment rules go with it: nothing may deploy a stack that is gone.
  await deps.store.transaction(async (tx) => {
    await tx.deploymentRules.deleteByTarget({ kind: 'stack', id: stack.id });
    await tx.stacks.delete(stack.id);
  });
  deps.logger.info({ stack: stack.name, removedApps: removedApps.length }, 'stack removed');
  return { removedApps };
}
