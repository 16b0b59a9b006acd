/** The repositories part of git delivery (docs/repositories.md): records, credentials, mirrors and their use cases. */
export type * from './git-repository-records.js';
export type * from '../ports/git-repository-repository.js';
export type * from '../ports/git-mirrors.js';
export { repositoryProviders } from './git-repository-records.js';
export { generateDeployKey, type DeployKey } from './deploy-key.js';
export {
  openRepositoryCredential,
  rewrapRepositoryCredential,
  sealRepositoryCredential,
  type RepositoryDataKey,
} from './repository-credential-vault.js';
export {
  getGitRepository,
  listRepositoryHeads,
  repositoryRemote,
  repositorySource,
  requireGitMirrors,
  resolveRepositoryRef,
  shownRepositoryUrl,
  syncRepository,
} from './repository-remotes.js';
export * from '../use-cases/git-repositories.js';
