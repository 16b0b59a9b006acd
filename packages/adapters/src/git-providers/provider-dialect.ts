/** One git host's way of saying what `GitProviderClient` asks, over the shared retrying HTTP call. */
import type { GitProviderTarget, PreviewStatus, PullRequestAtProvider } from '@slipway/core';
import type { ProviderHttp } from './provider-http.js';

export interface ProviderDialect {
  report(
    http: ProviderHttp,
    target: GitProviderTarget,
    status: PreviewStatus,
    refs: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>>;
  pullRequestState(http: ProviderHttp, target: GitProviderTarget, number: number): Promise<PullRequestAtProvider>;
}
