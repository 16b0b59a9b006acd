/** The git repositories table as Kysely sees it (migration `0015-git-repositories`); part of `Database`. */
import type { RepositoryAuthKind, RepositoryProvider } from '@slipway/core';
import type { BigIntColumn } from './database.js';

export interface GitRepositoryTable {
  id: string;
  project_id: string;
  name: string;
  provider: RepositoryProvider;
  url: string;
  auth_kind: RepositoryAuthKind;
  public_key: string | null;
  /** JSON `SealedRepositoryCredential`. */
  credential: string | null;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface GitRepositoryTables {
  git_repositories: GitRepositoryTable;
}
