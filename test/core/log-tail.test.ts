/**
 * A log tail is bounded as a whole, not per instance: an app with many instances gets an even share of the line bound
 * each, the byte bound cuts the answer, and the last item says what was left out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tailLogs, type LogTailItem } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('log tail', () => {
  let harness: CoreHarness;
  const scope = { app: 'hello', environment: 'production' };

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    await harness.deploy('hello', await harness.webSource({ replicas: 4 }));
    for (const instance of await harness.instancesOf('hello')) {
      for (let index = 0; index < 50; index += 1)
        harness.runtime.writeLog(instance.id, `line ${index} ${'x'.repeat(90)}`);
    }
  });

  afterEach(async () => {
    await harness.close();
  });

  const collect = async (
    tail: number,
    limits: { maxLines: number; maxBytes: number },
  ): Promise<{ lines: number; perInstance: Map<string, number>; omitted: LogTailItem[] }> => {
    const perInstance = new Map<string, number>();
    const omitted: LogTailItem[] = [];
    let lines = 0;
    for await (const item of tailLogs(harness.deps, { ...scope, tail }, limits)) {
      if (item.kind === 'omitted') {
        omitted.push(item);
        continue;
      }
      expect(omitted).toEqual([]);
      lines += 1;
      perInstance.set(item.line.instanceId, (perInstance.get(item.line.instanceId) ?? 0) + 1);
    }
    return { lines, perInstance, omitted };
  };

  it('gives every instance its whole tail when the answer fits, and marks nothing', async () => {
    const answer = await collect(20, { maxLines: 1_000, maxBytes: 1024 * 1024 });

    expect(answer.lines).toBe(80);
    expect([...answer.perInstance.values()]).toEqual([20, 20, 20, 20]);
    expect(answer.omitted).toEqual([]);
  });

  it('shares the line bound among the instances and says each tail was cut', async () => {
    const answer = await collect(40, { maxLines: 60, maxBytes: 1024 * 1024 });

    expect(answer.lines).toBe(60);
    expect([...answer.perInstance.values()]).toEqual([15, 15, 15, 15]);
    expect(answer.omitted).toEqual([
      {
        kind: 'omitted',
        omitted: {
          tailPerInstance: 15,
          instancesCut: 0,
          message: expect.stringContaining('cut to 15 lines') as unknown,
        },
      },
    ]);
  });

  it('marks nothing when the share was more than the instances had', async () => {
    const answer = await collect(10_000, { maxLines: 1_000, maxBytes: 1024 * 1024 });

    expect(answer.lines).toBeGreaterThanOrEqual(200);
    expect(answer.omitted).toEqual([]);
  });

  it('stops at the byte bound, naming how many instances it cut', async () => {
    // About 100 bytes a line: 25 lines fit in 2,500 bytes, the first instance's 20 and 5 of the second's.
    const answer = await collect(20, { maxLines: 1_000, maxBytes: 2_500 });

    expect(answer.lines).toBeLessThanOrEqual(25);
    expect(answer.lines).toBeGreaterThan(20);
    expect(answer.perInstance.size).toBe(2);
    expect(answer.omitted).toEqual([
      {
        kind: 'omitted',
        omitted: { tailPerInstance: 20, instancesCut: 3, message: expect.stringContaining('3 instance(s)') as unknown },
      },
    ]);
  });
});
