/**
 * Composes the git endpoint from slipwayd's context: its hosted repositories under the data dir and their limits, and
 * the hourly sweep that deletes the bare repositories of removed apps.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../http/server-context.js';
import { registerGitHttp } from './git-http-routes.js';
import { createHostedRepositories } from './hosted-repositories.js';
import { createHostedRepositoryIds } from './hosted-repository-ids.js';

/** A push or fetch's git exchange ends within 10 minutes. */
const requestTimeoutMs = 10 * 60_000;
/** A push shows its deployment for up to 30 minutes, then ends and leaves it running. */
const followTimeoutMs = 30 * 60_000;
/** How often the bare repositories of removed apps are looked for (and once shortly after start). */
const orphanSweepIntervalMs = 60 * 60_000;
const firstOrphanSweepMs = 10_000;

export function installGitHttp(app: FastifyInstance, context: RouteContext): void {
  const repositories = createHostedRepositories({ dataDir: context.config.dataDir });
  registerGitHttp(app, context, {
    repositories,
    repositoryIds: createHostedRepositoryIds(context.deps, repositories),
    requestTimeoutMs,
    followTimeoutMs,
    maxRequestBytes: context.config.maxArchiveBytes,
  });
  const { deps } = context;
  const sweep = (): void => {
    repositories
      .removeOrphans(async (appId) => (await deps.store.apps.findById(appId)) !== undefined)
      .then((removed) => {
        if (removed.length > 0) deps.logger.info({ apps: removed }, 'hosted repositories of removed apps deleted');
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'hosted repositories sweep failed'));
  };
  const first = setTimeout(sweep, firstOrphanSweepMs).unref();
  const every = setInterval(sweep, orphanSweepIntervalMs).unref();
  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(every);
  });
}
