/**
 * The fetch phase of a deployment whose source is a repository and an exact commit: the commit is checked out of the
 * repository's mirror (fetching only what the mirror lacks), with the repository's credential opened for that call
 * alone. A repository serves only the apps of its own project.
 */
import { SlipwayError, type SourceView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRecord } from '../domain/records.js';
import type { SourceRequest } from '../ports/source-fetcher.js';
import { repositoryRemote, requireGitMirrors, shownRepositoryUrl } from './repository-remotes.js';

type RepositorySource = Extract<SourceRequest, { kind: 'repository' }>;

/** Errors: `SOURCE_INVALID` (the repository is gone or another project's), those of `GitMirrors.checkout`. */
export async function checkoutRepositorySource(
  deps: Pick<CoreDeps, 'store' | 'secretCipher' | 'gitMirrors'>,
  deployment: DeploymentRecord,
  source: RepositorySource,
  destDir: string,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<SourceView> {
  const mirrors = requireGitMirrors(deps);
  const repository = await deps.store.gitRepositories.findById(source.repositoryId);
  const app = await deps.store.apps.findById(deployment.appId);
  if (repository === undefined || app === undefined || repository.projectId !== app.projectId) {
    throw new SlipwayError(
      'SOURCE_INVALID',
      `repository ${source.repositoryId} does not exist (any more) in the app's project`,
      { details: { repository: source.repositoryId } },
    );
  }
  log(
    `checking out ${source.commit}${source.ref === undefined ? '' : ` (${source.ref})`} of ${shownRepositoryUrl(repository)}`,
  );
  await mirrors.checkout(repositoryRemote(deps, repository), source.commit, destDir, {
    log,
    signal,
    ...(source.ref === undefined ? {} : { ref: source.ref }),
    ...(source.path === undefined ? {} : { path: source.path }),
  });
  return {
    kind: 'git',
    url: shownRepositoryUrl(repository),
    ...(source.ref === undefined ? {} : { ref: source.ref }),
    commit: source.commit,
  };
}
