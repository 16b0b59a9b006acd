/** Repository stacks: the compose file read out of the repository's mirror at the exact commit deployed. */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { GitRepositoryRecord } from '../git/git-repository-records.js';
import {
  getGitRepository,
  repositoryRemote,
  requireGitMirrors,
  resolveRepositoryRef,
} from '../git/repository-remotes.js';
import {
  planCompose,
  planServices,
  repositoryComposeInput,
  type PlannedStack,
  type StackPlanContext,
} from './stack-plans.js';

/** A compose file is small; anything larger is not one. */
const composeMaxBytes = 256 * 1024;

/** The project's repository named `nameOrId` (name first). Errors: `REPOSITORY_NOT_FOUND`. */
export async function findRepositoryOf(
  deps: Pick<CoreDeps, 'store'>,
  projectId: string,
  nameOrId: string,
): Promise<GitRepositoryRecord> {
  const repository =
    (await deps.store.gitRepositories.findByName(projectId, nameOrId)) ??
    (await deps.store.gitRepositories.findById(nameOrId));
  if (repository?.projectId !== projectId)
    throw new SlipwayError(
      'REPOSITORY_NOT_FOUND',
      `the project has no repository "${nameOrId}" (see slipway repos list)`,
      {
        details: { repository: nameOrId },
      },
    );
  return repository;
}

/** The full ref a short branch or tag name stands for in the mirror (`main` → `refs/heads/main`), as given otherwise. */
async function fullRefOf(deps: Pick<CoreDeps, 'gitMirrors'>, repositoryId: string, ref: string): Promise<string> {
  if (ref.startsWith('refs/')) return ref;
  const mirrors = requireGitMirrors(deps);
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`])
    if ((await mirrors.resolve(repositoryId, candidate)) !== undefined) return candidate;
  return ref;
}

export interface RepositoryStackPlan {
  planned: PlannedStack;
  commit: string;
  ref: string;
}

/**
 * Reads the compose file at `commit` (default: the head of `ref` after a fetch) and plans it. Errors:
 * `SOURCE_REF_NOT_FOUND` (the ref names no commit), `COMPOSE_INVALID` (no such file, too large, or invalid), those
 * of the mirror.
 */
export async function planRepositoryStack(
  deps: CoreDeps,
  repository: GitRepositoryRecord,
  path: string,
  ref: string,
  commit: string | undefined,
  context: StackPlanContext,
): Promise<RepositoryStackPlan> {
  const files = deps.repositoryFiles;
  if (files === undefined)
    throw new SlipwayError(
      'SOURCE_UNREACHABLE',
      'this server reads no repository files: repository stacks are unavailable',
    );
  const resolved = commit ?? (await resolveRepositoryRef(deps, repository.id, ref));
  if (resolved === undefined)
    throw new SlipwayError('SOURCE_REF_NOT_FOUND', `repository ${repository.name} has no branch or tag "${ref}"`, {
      details: { repository: repository.name, ref },
    });
  const fullRef = await fullRefOf(deps, repository.id, ref);
  const text = await files.read(
    repositoryRemote(deps, await getGitRepository(deps.store, repository.id)),
    resolved,
    path,
    {
      maxBytes: composeMaxBytes,
    },
  );
  if (text === undefined)
    throw new SlipwayError(
      'COMPOSE_INVALID',
      `${path} does not exist in commit ${resolved.slice(0, 12)} of ${repository.name}`,
      {
        details: { file: path, commit: resolved },
      },
    );
  const planned = planServices(planCompose(repositoryComposeInput(path, text), context), {
    kind: 'repository',
    at: { repository, ref: fullRef, commit: resolved },
  });
  return { planned, commit: resolved, ref: fullRef };
}
