/** What previews need beyond the store: the provider's API, and the teardown of an environment with its instances. */
import type { CoreDeps } from '../core-deps.js';
import type { KeyedMutex } from '../domain/keyed-mutex.js';
import type { GitProviderClient } from '../ports/git-provider-client.js';

export interface PreviewServices {
  readonly provider: GitProviderClient;
  /**
   * Deletes an app environment as `slipway env delete --force` does: routes out of the edge, instances retired
   * (and so out of the service catalog), then the environment with its releases, deployments, config, secrets and
   * default host. Errors as `deleteEnvironment`'s (`DEPLOYMENT_IN_PROGRESS` while a deployment is active).
   */
  readonly deleteEnvironment: (input: { app: string; environment: string }) => Promise<void>;
  /** The URL a user opens for a host the edge serves (`https://pr-7.shop.example.com`), as the edge listens. */
  readonly publicUrl: (host: string) => string;
  /**
   * One change of an app's previews at a time (an event, the sweep, an approval, a removal): the limit is counted and
   * a head deployed without another change in between.
   */
  readonly lock: KeyedMutex;
}

/** Runs `work` holding the app's previews lock (not re-entrant: only entry points take it). */
export function withPreviewLock<T>(deps: CoreDeps, appId: string, work: () => Promise<T>): Promise<T> {
  return deps.previews ? deps.previews.lock.run(`previews:${appId}`, work) : work();
}
