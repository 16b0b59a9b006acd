/**
 * Stacks in slipwayd: the loop that advances running stack deployments (a service's deployment is inserted once what
 * it depends on is healthy), and the reader of a repository stack's compose file out of the repository's mirror.
 */
import { lstat, mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import {
  advanceStackDeployments,
  type CoreDeps,
  type GitMirrors,
  type Logger,
  type RepositoryFiles,
} from '@slipway/core';

export interface StackDeploymentLoop {
  stop(): Promise<void>;
}

/** Advances every running stack deployment every `intervalMs`; a pass never overlaps the previous one. */
export function startStackDeploymentLoop(
  deps: CoreDeps,
  options: { intervalMs: number; logger: Logger },
): StackDeploymentLoop {
  let running: Promise<void> = Promise.resolve();
  let isBusy = false;
  const tick = (): void => {
    if (isBusy) return;
    isBusy = true;
    running = advanceStackDeployments(deps)
      .catch((error: unknown) => options.logger.error({ err: error }, 'stack deployments not advanced'))
      .finally(() => {
        isBusy = false;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Reads one file of a repository at a commit by checking the commit out of its mirror into a scratch directory
 * (removed after, and emptied at start), refusing a path that climbs out of the tree or leads through a link out of
 * it.
 */
export function createRepositoryFiles(options: {
  mirrors: () => GitMirrors | undefined;
  scratchDir: string;
}): RepositoryFiles {
  // Checkouts a stopped slipwayd left behind go first; every read waits for that.
  const leftovers = rm(options.scratchDir, { recursive: true, force: true }).catch(() => undefined);
  return {
    async read(remote, commit, path, readOptions) {
      await leftovers;
      const mirrors = options.mirrors();
      if (mirrors === undefined)
        throw new SlipwayError(
          'SOURCE_UNREACHABLE',
          'this server keeps no git mirrors: repository files are unavailable',
        );
      if (path.startsWith('/') || path.split('/').includes('..'))
        throw new SlipwayError('VALIDATION_FAILED', `${path} is not a path inside the repository`);
      await mkdir(options.scratchDir, { recursive: true, mode: 0o700 });
      const dir = await mkdtemp(join(options.scratchDir, 'checkout-'));
      try {
        await mirrors.checkout(remote, commit, dir, {
          ...(readOptions.signal === undefined ? {} : { signal: readOptions.signal }),
          ...(readOptions.log === undefined ? {} : { log: readOptions.log }),
        });
        const file = join(dir, ...path.split('/'));
        const stat = await lstat(file).catch(() => undefined);
        if (stat === undefined) return undefined;
        const real = await realpath(file);
        const inside = relative(await realpath(dir), real);
        if (inside.startsWith(`..${sep}`) || inside === '..' || !(await lstat(real)).isFile())
          throw new SlipwayError('COMPOSE_INVALID', `${path} is not a file of the repository`);
        if ((await lstat(real)).size > readOptions.maxBytes)
          throw new SlipwayError('COMPOSE_INVALID', `${path} is larger than ${readOptions.maxBytes} bytes`);
        return await readFile(real, 'utf8');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
