/** A core harness set up for previews: app `shop`, a GitHub repository, a recording provider API, a manual clock. */
import {
  createEnvironment,
  deleteEnvironment,
  enablePreviews,
  KeyedMutex,
  type Clock,
  type CoreDeps,
  type GitPullRequestEvent,
  type GitRepositoryRecord,
} from '@slipway/core';
import { createGitProviderClient } from '@slipway/adapters';
import { startProviderApiRecorder, type ProviderApiRecorder } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness, type CoreHarnessOptions } from './core-harness.js';

export const providerToken = 'ghp_SENTINEL_preview_provider_token_51c2';
export const commitA = 'a1'.repeat(20);
export const commitB = 'b2'.repeat(20);
export const commitC = 'c3'.repeat(20);

/** Real time plus what the test adds. */
export function manualClock(): Clock & { advance(ms: number): void } {
  let offsetMs = 0;
  return {
    nowMs: () => Date.now() + offsetMs,
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20))),
    advance(ms) {
      offsetMs += ms;
    },
  };
}

export interface PreviewWorld {
  readonly harness: CoreHarness;
  readonly deps: CoreDeps;
  readonly clock: ReturnType<typeof manualClock>;
  readonly provider: ProviderApiRecorder;
  readonly repository: GitRepositoryRecord;
  /** The pull request states the provider answers with, by number (default open). */
  readonly pullStates: Map<number, string>;
  /** The head commit the provider answers with, by number (default commitA). */
  readonly pullHeads: Map<number, string>;
  event(
    action: GitPullRequestEvent['action'],
    number: number,
    over?: Partial<GitPullRequestEvent>,
  ): GitPullRequestEvent;
  close(): Promise<void>;
}

export async function createPreviewWorld(
  options: { maxPreviews?: number; instanceCatalog?: CoreHarnessOptions['instanceCatalog'] } = {},
): Promise<PreviewWorld> {
  const harness = await createCoreHarness({
    settings: { previewDomain: 'preview.test', catalogAddresses: { process: '127.0.0.1:8500' } },
    ...(options.instanceCatalog === undefined ? {} : { instanceCatalog: options.instanceCatalog }),
  });
  const clock = manualClock();
  const pullStates = new Map<number, string>();
  const pullHeads = new Map<number, string>();
  let nextId = 1000;
  const provider = await startProviderApiRecorder((request) => {
    const pull = /\/pulls\/(\d+)$/.exec(request.path);
    if (request.method === 'GET' && pull) {
      const state = pullStates.get(Number(pull[1])) ?? 'open';
      const head = pullHeads.get(Number(pull[1]));
      return state === 'error' ? { status: 500 } : { status: 200, json: { state, head: { sha: head ?? commitA } } };
    }
    return { status: 201, json: { id: (nextId += 1) } };
  });
  await harness.createApp('shop');
  const project = await harness.store.projects.findByName('default');
  const now = Date.now();
  const repository: GitRepositoryRecord = {
    id: 'repo_shop',
    projectId: project?.id ?? '',
    name: 'shop',
    provider: 'github',
    url: 'https://github.example/acme/shop.git',
    authKind: 'none',
    publicKey: null,
    credential: null,
    createdAtMs: now,
    updatedAtMs: now,
  };
  await harness.store.gitRepositories.insert(repository);
  const deps: CoreDeps = {
    ...harness.deps,
    clock,
    previews: {
      provider: createGitProviderClient({ timeoutMs: 2_000, retryDelaysMs: [0], sleep: async () => undefined }),
      deleteEnvironment: (input) => deleteEnvironment(deps, harness.fleet, { ...input, force: true }),
      publicUrl: (host) => `https://${host}`,
      lock: new KeyedMutex(),
    },
  };
  await enablePreviews(deps, {
    app: 'shop',
    body: {
      repository: 'shop',
      maxPreviews: options.maxPreviews ?? 3,
      idleTtlSeconds: 3 * 86_400,
      provider: { kind: 'github', apiBaseUrl: provider.url, repositoryPath: 'acme/shop', token: providerToken },
    },
  });
  let deliveries = 0;
  return {
    harness,
    deps,
    clock,
    provider,
    repository,
    pullStates,
    pullHeads,
    event: (action, number, over = {}) => ({
      kind: 'pull-request',
      repositoryId: repository.id,
      origin: 'github',
      deliveryKey: `delivery-${(deliveries += 1)}`,
      action,
      number,
      title: `Change ${number}`,
      headSha: commitA,
      headRef: `feature/change-${number}`,
      baseRef: 'main',
      isFork: false,
      headCloneUrl: null,
      ...over,
    }),
    async close() {
      await provider.close();
      await harness.close();
    },
  };
}

/** Makes environment `name` of `shop` (for tests that need production-like neighbours). */
export async function addEnvironment(deps: CoreDeps, name: string): Promise<void> {
  await createEnvironment(deps, { app: 'shop', environment: name });
}
