/**
 * What a preview deploys: the pull request's exact head commit out of the repository's mirror. A same-repository pull
 * request names its branch; a fork's head is reached through the ref the provider keeps in the base repository
 * (`refs/pull/<n>/head`, GitLab's `refs/merge-requests/<n>/head`), never through the fork's URL.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentSource } from '../domain/records.js';
import type { GitRepositoryRecord } from './git-repository-records.js';
import { getGitRepository, repositorySource, resolveRepositoryRef } from './repository-remotes.js';
import type { PreviewRecord } from './preview-records.js';

type HeadOf = Pick<PreviewRecord, 'repositoryId' | 'number' | 'headRef' | 'isFork'>;

/** Errors: `REPOSITORY_NOT_FOUND` when the repository was removed since, `SOURCE_INVALID`. */
export async function previewSource(deps: CoreDeps, preview: PreviewRecord): Promise<DeploymentSource> {
  const repository = await getGitRepository(deps.store, preview.repositoryId);
  return repositorySource(repository, { ref: headRefOf(repository, preview), commit: preview.headSha });
}

function headRefOf(repository: GitRepositoryRecord, preview: HeadOf): string {
  if (!preview.isFork) return `refs/heads/${preview.headRef}`;
  return repository.provider === 'gitlab'
    ? `refs/merge-requests/${preview.number}/head`
    : `refs/pull/${preview.number}/head`;
}

/**
 * The full commit id of a head a provider gave abbreviated (Bitbucket sends 12 hex digits): the head ref is fetched
 * into the mirror and must still point at a commit that starts with it. A full id is returned as it is.
 * Errors: `SOURCE_REF_NOT_FOUND` (the branch is gone or moved on), `REPOSITORY_NOT_FOUND`, the mirror's.
 */
export async function fullHeadCommit(deps: CoreDeps, head: HeadOf, commit: string): Promise<string> {
  if (commit.length === 40 || commit.length === 64) return commit;
  const repository = await getGitRepository(deps.store, head.repositoryId);
  const ref = headRefOf(repository, head);
  const resolved = await resolveRepositoryRef(deps, repository.id, ref);
  if (resolved === undefined || !resolved.startsWith(commit)) {
    throw new SlipwayError(
      'SOURCE_REF_NOT_FOUND',
      `${ref} no longer points at ${commit}: the pull request moved on (its next event deploys the new head)`,
      { details: { ref } },
    );
  }
  return resolved;
}
