/** Reads one file of a repository at an exact commit, out of its mirror (a stack's compose file). */
import type { GitRemote, MirrorCallOptions } from './git-mirrors.js';

export interface RepositoryFiles {
  /**
   * The UTF-8 text of `path` (relative, `/`-separated) in exactly `commit`, fetching the commit first when the mirror
   * lacks it; undefined when the commit has no such file. Errors: `VALIDATION_FAILED` (a path climbing out of the
   * tree), `SOURCE_TOO_LARGE` (over `maxBytes`), those of `GitMirrors.checkout`.
   */
  read(
    remote: GitRemote,
    commit: string,
    path: string,
    options: MirrorCallOptions & { maxBytes: number },
  ): Promise<string | undefined>;
}
