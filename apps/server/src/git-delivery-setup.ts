/**
 * Git-driven delivery's part of the composition root: what the core needs of it (the repositories' mirrors, files of
 * a repository at a commit, the previews' services) and its background work — the webhook inbox processor, the
 * reconcile of deployment rules, the retry of pushes queued behind a running deployment, the previews' sweep and the
 * stack deployments' loop — started together and stopped in order (the processor and the previews first: they start
 * deployments the others follow).
 */
import { join } from 'node:path';
import { retryDeferredFirings, type Clock, type CoreDeps, type Fleet, type Logger } from '@slipway/core';
import type { ResolvedConfig } from './config.js';
import { startGitReconcileLoop } from './git-reconcile-loop.js';
import { previewServicesOf, startPreviewLoopOf } from './git-previews.js';
import { gitRepositoryDeps } from './git-repositories-setup.js';
import { createRepositoryFiles, startStackDeploymentLoop } from './git-stacks.js';
import type { GitWebhooks } from './git-webhooks.js';

/** The core's git dependencies; `deps` and `fleet` are read when first used (they are built around these). */
export function gitCoreDeps(
  config: ResolvedConfig,
  logger: Logger,
  built: { deps: () => CoreDeps; fleet: () => Fleet },
): Pick<CoreDeps, 'gitMirrors' | 'repositoryFiles' | 'previews'> {
  return {
    repositoryFiles: createRepositoryFiles({
      mirrors: () => built.deps().gitMirrors,
      scratchDir: join(config.dataDir, 'cache', 'stack-files'),
    }),
    previews: previewServicesOf(config, built.deps, built.fleet),
    ...gitRepositoryDeps(config.dataDir, logger, { maxCheckoutBytes: 4 * config.maxArchiveBytes }),
  };
}

export interface GitDeliveryLoops {
  stop(): Promise<void>;
}

/** Starts the webhook processor (which takes up deliveries a stopped slipwayd left) and the loops. */
export async function startGitDeliveryLoops(options: {
  deps: CoreDeps;
  config: ResolvedConfig;
  clock: Clock;
  logger: Logger;
  webhooks: GitWebhooks;
}): Promise<GitDeliveryLoops> {
  const { deps, config, clock, logger, webhooks } = options;
  await webhooks.processor.start();
  const reconcile = startGitReconcileLoop({
    deps,
    intervalMs: config.gitReconcileIntervalMs,
    clock,
    logger: logger.child({ component: 'git-reconcile' }),
  });
  // Pushes queued behind a running deployment deploy within a second of its end.
  const queued = startGitReconcileLoop({
    deps,
    intervalMs: 1_000,
    clock,
    logger: logger.child({ component: 'git-queued-pushes' }),
    reconcile: retryDeferredFirings,
  });
  const previews = startPreviewLoopOf(config, deps, logger.child({ component: 'previews' }));
  const stacks = startStackDeploymentLoop(deps, { intervalMs: 1_000, logger: logger.child({ component: 'stacks' }) });
  return {
    async stop() {
      await webhooks.processor.stop();
      await previews.stop();
      await Promise.all([reconcile.stop(), queued.stop(), stacks.stop()]);
    },
  };
}
