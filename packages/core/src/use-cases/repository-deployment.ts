/**
 * A deploy of one of the project's repositories by hand (`slipway deploy <app> --repo <repository>`): the ref is
 * resolved to its commit in the repository's mirror (fetching only new objects), and that exact commit is deployed
 * through the normal path, as a deployment rule would deploy it.
 */
import { SlipwayError, type DeploymentView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { repositorySource, resolveRepositoryRef } from '../git/repository-remotes.js';
import { fullRefIssue } from '../git/rules/full-ref.js';
import { requestDeployment } from './deployments.js';
import { getProjectRepository } from './git-repositories.js';
import { getAppScope } from './lookups.js';

export interface RepositoryDeploymentRequest {
  app: string;
  environment: string;
  /** The repository's name or `repo_…` id, in the app's project. */
  repository: string;
  /** A branch (`main`), a tag (`refs/tags/v1.2.0`) or any full ref; default: `main`, else `master`. */
  ref?: string;
  /** A directory of the repository to deploy instead of its root (`services/api`). */
  path?: string;
  manifest?: Record<string, unknown>;
  requestedBy?: string;
}

/** A short branch name as its full ref; a full ref as given. */
function fullRefOf(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
}

/**
 * Errors: `APP_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`, `REPOSITORY_NOT_FOUND`, `SOURCE_INVALID` (a ref git refuses),
 * `SOURCE_REF_NOT_FOUND`, `SOURCE_UNREACHABLE` (the repository could not be fetched), and `requestDeployment`'s.
 */
export async function requestRepositoryDeployment(
  deps: CoreDeps,
  request: RepositoryDeploymentRequest,
): Promise<DeploymentView> {
  const { app } = await getAppScope(deps.store, request.app, request.environment);
  const project = await deps.store.projects.findById(app.projectId);
  if (project === undefined) throw new SlipwayError('APP_NOT_FOUND', `app "${request.app}" has no project`);
  const repository = await getProjectRepository(deps.store, project, request.repository);
  const candidates = request.ref === undefined ? ['refs/heads/main', 'refs/heads/master'] : [fullRefOf(request.ref)];
  for (const ref of candidates) {
    const issue = fullRefIssue(ref);
    if (issue !== undefined)
      throw new SlipwayError('SOURCE_INVALID', `git ref "${ref.slice(0, 255)}" cannot be deployed: ${issue}`);
  }
  for (const ref of candidates) {
    const commit = await resolveRepositoryRef(deps, repository.id, ref);
    if (commit === undefined) continue;
    const source = repositorySource(repository, {
      ref,
      commit,
      ...(request.path === undefined ? {} : { path: request.path }),
    });
    return requestDeployment(deps, {
      app: request.app,
      environment: request.environment,
      source:
        request.manifest === undefined || source.kind === 'release'
          ? source
          : { ...source, manifest: request.manifest },
      ...(request.requestedBy === undefined ? {} : { requestedBy: request.requestedBy }),
    });
  }
  throw new SlipwayError(
    'SOURCE_REF_NOT_FOUND',
    request.ref === undefined
      ? `repository "${repository.name}" has neither a main nor a master branch: name a ref (--ref)`
      : `repository "${repository.name}" has no ref "${candidates[0] ?? ''}"`,
    { details: { repository: repository.name, ref: candidates[0] ?? '' } },
  );
}
