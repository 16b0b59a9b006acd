/** Composes the git endpoint from slipwayd's context: its hosted repositories under the data dir and their limits. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../http/server-context.js';
import { registerGitHttp } from './git-http-routes.js';
import { createHostedRepositories } from './hosted-repositories.js';
import { createHostedRepositoryIds } from './hosted-repository-ids.js';

/** A push or fetch's git exchange ends within 10 minutes. */
const requestTimeoutMs = 10 * 60_000;
/** A push shows its deployment for up to 30 minutes, then ends and leaves it running. */
const followTimeoutMs = 30 * 60_000;

export function installGitHttp(app: FastifyInstance, context: RouteContext): void {
  const repositories = createHostedRepositories({ dataDir: context.config.dataDir });
  registerGitHttp(app, context, {
    repositories,
    repositoryIds: createHostedRepositoryIds(context.deps, repositories),
    requestTimeoutMs,
    followTimeoutMs,
    maxRequestBytes: context.config.maxArchiveBytes,
  });
}
