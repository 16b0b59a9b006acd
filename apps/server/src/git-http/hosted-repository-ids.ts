/**
 * The repository record of each app's hosted repository (provider `hosted`, named as the app, in the app's project):
 * what git events, deployment rules and the repository mirror name it by. Its URL is where its bare repository lives,
 * which the mirror fetches from like any other remote.
 */
import { SlipwayError } from '@slipway/contract';
import type { AppRecord, CoreDeps } from '@slipway/core';
import type { HostedRepositories } from './hosted-repositories.js';
import type { HostedRepositoryIds } from './push-deployment.js';

export function createHostedRepositoryIds(deps: CoreDeps, repositories: HostedRepositories): HostedRepositoryIds {
  return {
    async ensure(app: AppRecord): Promise<string> {
      const { store } = deps;
      const directory = repositories.directoryOf(await repositories.ensure(app));
      const nowMs = deps.clock.nowMs();
      const found = await store.gitRepositories.findByName(app.projectId, app.name);
      if (found !== undefined) {
        if (found.provider !== 'hosted') {
          throw new SlipwayError(
            'VALIDATION_FAILED',
            `repository "${app.name}" of this project is not the app's hosted repository (provider ${found.provider}): rename one of them`,
          );
        }
        // The record of a removed app of the same name: it now names this app's repository, never the old one's.
        if (found.url !== directory)
          await store.gitRepositories.update({ ...found, url: directory, updatedAtMs: nowMs });
        return found.id;
      }
      const id = deps.ids.next('repo');
      try {
        await store.gitRepositories.insert({
          id,
          projectId: app.projectId,
          name: app.name,
          provider: 'hosted',
          url: directory,
          authKind: 'none',
          publicKey: null,
          credential: null,
          createdAtMs: nowMs,
          updatedAtMs: nowMs,
        });
        return id;
      } catch (error) {
        // A concurrent first push recorded it first.
        const raced = await store.gitRepositories.findByName(app.projectId, app.name);
        if (raced?.provider === 'hosted') return raced.id;
        throw error;
      }
    },
  };
}
