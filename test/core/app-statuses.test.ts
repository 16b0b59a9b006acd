import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, listAppStatuses, type Store } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

/** The store with a count of calls per repository method (`apps.list` → 1). */
function countingStore(store: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrap = (name: string, repository: object): object =>
    new Proxy(repository, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const method = `${name}.${String(key)}`;
          calls.set(method, (calls.get(method) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      return value !== null && typeof value === 'object' ? wrap(String(key), value) : value;
    },
  });
  return { store: counted, calls };
}

describe('listAppStatuses', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('answers one row per app environment of the projects the caller may read, with release, instances and last deployment', async () => {
    await harness.createApp('hello');
    await createApp(harness.deps, { name: 'hidden', project: 'other' });
    const deployment = await harness.deploy('hello', await harness.webSource());
    const visible = (await harness.store.projects.findByName('default'))?.id;

    const rows = await listAppStatuses(harness.deps, (projectId) => projectId === visible);

    expect(rows).toEqual([
      {
        name: 'hello',
        environment: 'production',
        currentRelease: 1,
        runtime: 'process',
        limits: expect.any(Object) as unknown,
        instances: { total: 1, healthy: 1, crashLooping: 0 },
        lastDeployment: { id: deployment.id, state: 'succeeded' },
      },
    ]);
  });

  it('reads projects, apps, environments and instances once whatever the number of apps; each row reads only its release and last deployment', async () => {
    const readsFor = async (): Promise<Map<string, number>> => {
      const { store, calls } = countingStore(harness.store);
      await listAppStatuses({ ...harness.deps, store }, () => true);
      return calls;
    };
    await harness.createApp('app-1');
    const one = await readsFor();
    for (const name of ['app-2', 'app-3', 'app-4']) await harness.createApp(name);
    const four = await readsFor();

    const perRow = ['releases.findById', 'deployments.list'];
    const shared = (calls: Map<string, number>) => [...calls].filter(([method]) => !perRow.includes(method));
    expect(shared(four)).toEqual(shared(one));
    expect(Math.max(...shared(four).map(([, count]) => count))).toBe(1);
    expect(four.get('deployments.list')).toBe(4);
    expect(four.get('releases.findById') ?? 0).toBe(0);
  });
});
