/** The repositories part of the Store port: git repositories Slipway deploys from, per project. */
import type { GitRepositoryRecord } from '../git/git-repository-records.js';

export interface GitRepositoryRepository {
  /** Errors: `REPOSITORY_ALREADY_EXISTS` when the project has a repository of that name. */
  insert(record: GitRepositoryRecord): Promise<void>;
  findById(id: string): Promise<GitRepositoryRecord | undefined>;
  findByName(projectId: string, name: string): Promise<GitRepositoryRecord | undefined>;
  /** Ordered by name. */
  listByProject(projectId: string): Promise<GitRepositoryRecord[]>;
  /** Every repository, ordered by project id, then name. */
  list(): Promise<GitRepositoryRecord[]>;
  /** Replaces the stored record (matched by id): url, provider, credential, public key, update time. */
  update(record: GitRepositoryRecord): Promise<void>;
  /** Removes the repository; false when there was none. */
  delete(id: string): Promise<boolean>;
}
