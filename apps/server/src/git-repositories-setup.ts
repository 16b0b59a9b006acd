/** slipwayd's part of git repositories: the bare mirrors under the data directory, for `CoreDeps.gitMirrors`. */
import { join } from 'node:path';
import { createGitMirrors } from '@slipway/adapters';
import type { GitMirrors, Logger } from '@slipway/core';

/** A whole fetch of a large repository over a slow link, yet bounded. */
const remoteTimeoutMs = 15 * 60_000;
/** A remote that accepts the connection and then says nothing holds no build slot for long. */
const stallTimeoutMs = 60_000;
const localTimeoutMs = 5 * 60_000;

/** `maxCheckoutBytes`: what a checkout may write at most (4 × `maxArchiveBytes`, an archive's unpacked limit). */
export function gitRepositoryDeps(
  dataDir: string,
  logger: Logger,
  limits: { maxCheckoutBytes: number },
): { gitMirrors: GitMirrors } {
  return {
    gitMirrors: createGitMirrors({
      rootDir: join(dataDir, 'git-mirrors'),
      remoteTimeoutMs,
      stallTimeoutMs,
      localTimeoutMs,
      maxCheckoutBytes: limits.maxCheckoutBytes,
      logger: logger.child({ component: 'git-mirrors' }),
    }),
  };
}
