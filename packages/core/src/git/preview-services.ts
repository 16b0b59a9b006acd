/** What previews need beyond the store: the provider's API, and the teardown of an environment with its instances. */
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
}
