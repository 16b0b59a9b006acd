/**
 * What the deployment-rules core tests share: a harness over real SQLite with app `shop` (production and staging), a
 * GitHub repository `shop-code` of its project, push events to it, and the deployments of `shop` per environment.
 */
import { createEnvironment, type GitPushEvent, type GitRepositoryRecord } from '@slipway/core';
import { isSlipwayError, type ErrorCode } from '@slipway/contract';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

export const commitA = 'a1'.repeat(20);
export const commitB = 'b2'.repeat(20);
export const commitC = 'c3'.repeat(20);
export const commitD = 'd4'.repeat(20);
export const commitE = 'e5'.repeat(20);

export async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isSlipwayError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a coded error');
}

export interface RulesFixture {
  readonly harness: CoreHarness;
  readonly repository: GitRepositoryRecord;
  push(ref: string, after: string | null, over?: Partial<GitPushEvent>): GitPushEvent;
  addRepository(name: string, provider: GitRepositoryRecord['provider']): Promise<GitRepositoryRecord>;
  deploymentsOf(environment: string): ReturnType<CoreHarness['store']['deployments']['list']>;
}

export async function createRulesFixture(): Promise<RulesFixture> {
  const harness = await createCoreHarness({ isReconcilerRunning: false });
  let deliveries = 0;
  const addRepository = async (
    name: string,
    provider: GitRepositoryRecord['provider'],
  ): Promise<GitRepositoryRecord> => {
    const project = await harness.store.projects.findByName('default');
    const record: GitRepositoryRecord = {
      id: `repo_${name}`,
      projectId: project?.id ?? '',
      name,
      provider,
      url: `https://git.example.com/acme/${name}.git`,
      authKind: 'none',
      publicKey: null,
      credential: null,
      createdAtMs: Date.now(),
      updatedAtMs: Date.now(),
    };
    await harness.store.gitRepositories.insert(record);
    return record;
  };
  await harness.createApp('shop');
  await createEnvironment(harness.deps, { app: 'shop', environment: 'staging' });
  const repository = await addRepository('shop-code', 'github');
  return {
    harness,
    repository,
    addRepository,
    push: (ref, after, over = {}) => ({
      kind: 'push',
      repositoryId: repository.id,
      origin: 'github',
      deliveryKey: `delivery-${++deliveries}`,
      ref,
      before: null,
      after,
      isForced: false,
      ...over,
    }),
    async deploymentsOf(environment) {
      const app = await harness.store.apps.findByName('shop');
      const env = await harness.store.environments.find(app?.projectId ?? '', environment);
      return harness.store.deployments.list(app?.id ?? '', env?.id ?? '', 100);
    },
  };
}
