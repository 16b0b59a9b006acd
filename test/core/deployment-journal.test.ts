import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeploymentJournal, maxQueuedLogLines, type Store } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('the deployment journal under a flood of build output', () => {
  let harness: CoreHarness;
  let deploymentId = '';
  const writes = { transactions: 0, singleAppends: 0 };

  /** The harness's store, counting transactions and appends made outside one. */
  const countingStore = (store: Store): Store =>
    new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'transaction') {
          return (work: Parameters<Store['transaction']>[0]) => {
            writes.transactions += 1;
            return target.transaction(work);
          };
        }
        if (key === 'events') {
          return {
            ...target.events,
            append: (event: Parameters<Store['events']['append']>[0]) => {
              writes.singleAppends += 1;
              return target.events.append(event);
            },
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    deploymentId = (await harness.deploy('hello', await harness.webSource())).id;
    writes.transactions = 0;
    writes.singleAppends = 0;
  });
  afterEach(async () => {
    await harness.close();
  });

  const storedLogLines = async (afterSeq: number): Promise<string[]> =>
    (await harness.store.events.list(deploymentId, afterSeq, 100_000))
      .filter((event) => event.type === 'log')
      .map((event) => String(event.payload['line']));

  const lastSeq = async (): Promise<number> =>
    (await harness.store.events.list(deploymentId, 0, 100_000)).at(-1)?.seq ?? 0;

  it('stores lines in batches, in order, instead of one write per line', async () => {
    const afterSeq = await lastSeq();
    const journal = createDeploymentJournal({ ...harness.deps, store: countingStore(harness.store) }, deploymentId);
    const lines = Array.from({ length: 5_000 }, (_, index) => `line ${index}`);
    for (const line of lines) journal.log(line);
    await journal.flush();

    expect(await storedLogLines(afterSeq)).toEqual(lines);
    expect(writes.singleAppends).toBe(0);
    expect(writes.transactions).toBeLessThanOrEqual(10);
  });

  it('drops what exceeds its queue and says how many lines, where they were', async () => {
    const afterSeq = await lastSeq();
    const journal = createDeploymentJournal({ ...harness.deps, store: countingStore(harness.store) }, deploymentId);
    for (let index = 0; index < maxQueuedLogLines + 15_000; index += 1) journal.log(`line ${index}`);
    await journal.phaseStarted('build');
    journal.log('after the flood');
    await journal.flush();

    const stored = await storedLogLines(afterSeq);
    expect(stored).toHaveLength(maxQueuedLogLines + 2);
    expect(stored[maxQueuedLogLines - 1]).toBe(`line ${maxQueuedLogLines - 1}`);
    expect(stored[maxQueuedLogLines]).toMatch(/^… 15000 lines of output dropped/);
    expect(stored.at(-1)).toBe('after the flood');
  });
});
