/**
 * What the rest of git delivery uses of a repository: find it, reach it through its mirror (sync, resolve a ref,
 * list the remote's heads) with its credential opened only for the call, and name an exact commit of it as a
 * deployment source.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentSource } from '../domain/records.js';
import type { GitMirrors, GitRemote, MirrorCallOptions, MirrorSync, RemoteHead } from '../ports/git-mirrors.js';
import type { Repositories } from '../ports/store.js';
import type { GitRepositoryRecord } from './git-repository-records.js';
import { openRepositoryCredential } from './repository-credential-vault.js';

type MirrorDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'gitMirrors'>;

/**
 * The repository's URL as it may be shown: a repository slipwayd hosts is stored by its path on the server, and shown
 * as the path it is pushed to instead (`/git/<name>.git`).
 */
export function shownRepositoryUrl(
  repository: Pick<GitRepositoryRecord, 'url'> & Partial<Pick<GitRepositoryRecord, 'provider' | 'name'>>,
): string {
  return repository.provider === 'hosted' && repository.name !== undefined
    ? `/git/${repository.name}.git`
    : repository.url;
}

/** The repository with this id. Errors: `REPOSITORY_NOT_FOUND`. */
export async function getGitRepository(repos: Repositories, id: string): Promise<GitRepositoryRecord> {
  const repository = await repos.gitRepositories.findById(id);
  if (repository === undefined)
    throw new SlipwayError('REPOSITORY_NOT_FOUND', `no repository with id "${id}"`, { details: { repository: id } });
  return repository;
}

/** The mirrors, or `SOURCE_UNREACHABLE` when this server runs without them. */
export function requireGitMirrors(deps: Pick<CoreDeps, 'gitMirrors'>): GitMirrors {
  if (deps.gitMirrors === undefined)
    throw new SlipwayError(
      'SOURCE_UNREACHABLE',
      'this server keeps no git mirrors: repository sources are unavailable',
    );
  return deps.gitMirrors;
}

/** The repository as its mirror reaches it, credential opened. Errors: `SECRET_UNREADABLE`. */
export function repositoryRemote(deps: Pick<CoreDeps, 'secretCipher'>, repository: GitRepositoryRecord): GitRemote {
  const label = shownRepositoryUrl(repository);
  return {
    repositoryId: repository.id,
    url: repository.url,
    credential: openRepositoryCredential(deps, repository),
    ...(label === repository.url ? {} : { label }),
  };
}

/** Fetches the repository's new objects into its mirror (coalesced with a fetch running). Errors: see `GitMirrors.sync`. */
export async function syncRepository(
  deps: MirrorDeps,
  repositoryId: string,
  options?: MirrorCallOptions,
): Promise<MirrorSync> {
  const mirrors = requireGitMirrors(deps);
  const repository = await getGitRepository(deps.store, repositoryId);
  return mirrors.sync(repositoryRemote(deps, repository), options);
}

/** The remote's branches and tags now (no fetch): what the reconcile sweep compares with what was deployed. */
export async function listRepositoryHeads(
  deps: MirrorDeps,
  repositoryId: string,
  options?: MirrorCallOptions,
): Promise<RemoteHead[]> {
  const mirrors = requireGitMirrors(deps);
  const repository = await getGitRepository(deps.store, repositoryId);
  return mirrors.listRemoteHeads(repositoryRemote(deps, repository), options);
}

/** The commit `ref` names on the remote after a sync of the mirror; undefined when it names none. */
export async function resolveRepositoryRef(
  deps: MirrorDeps,
  repositoryId: string,
  ref: string,
  options?: MirrorCallOptions,
): Promise<string | undefined> {
  await syncRepository(deps, repositoryId, options);
  return requireGitMirrors(deps).resolve(repositoryId, ref);
}

const commitId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A relative directory: segments of safe characters, none of them `.` or `..`. */
const subdirectory = /^(?!\.{1,2}(?:\/|$))(?!.*\/\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/**
 * The deployment source of exactly `commit` of the repository (`ref`, a full ref, says which branch or tag led to it).
 * Errors: `SOURCE_INVALID` for anything but a full lowercase commit id.
 */
export function repositorySource(
  repository: Pick<GitRepositoryRecord, 'id' | 'url'> & Partial<Pick<GitRepositoryRecord, 'provider' | 'name'>>,
  target: { ref?: string; commit: string; path?: string },
): DeploymentSource {
  if (!commitId.test(target.commit))
    throw new SlipwayError('SOURCE_INVALID', 'a repository source names a full commit id (40 or 64 hex digits)', {
      details: { commit: target.commit.slice(0, 80) },
    });
  const path = target.path?.replace(/^\.\/|\/+$/g, '');
  if (path !== undefined && path !== '' && path !== '.' && !subdirectory.test(path))
    throw new SlipwayError(
      'SOURCE_INVALID',
      'a repository source path is a relative directory without ".." (services/api)',
      {
        details: { path: target.path?.slice(0, 200) ?? '' },
      },
    );
  return {
    kind: 'repository',
    repositoryId: repository.id,
    url: shownRepositoryUrl(repository),
    ...(target.ref === undefined ? {} : { ref: target.ref }),
    commit: target.commit,
    ...(path === undefined || path === '' || path === '.' ? {} : { path }),
  };
}
