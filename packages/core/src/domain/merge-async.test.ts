import { describe, expect, it } from 'vitest';
import { mergeAsync } from './merge-async.js';

/** An endless source that counts how many items were asked of it. */
function countingSource(name: string, asked: Map<string, number>): AsyncIterable<string> {
  return (async function* () {
    for (let index = 0; ; index += 1) {
      asked.set(name, index + 1);
      await Promise.resolve();
      yield `${name}${index}`;
    }
  })();
}

describe('mergeAsync', () => {
  it('asks each source for one item beyond what the consumer took, however fast the sources are', async () => {
    const asked = new Map<string, number>();
    const taken: string[] = [];
    for await (const item of mergeAsync(['a', 'b', 'c'].map((name) => countingSource(name, asked)))) {
      taken.push(item);
      if (taken.length === 30) break;
    }
    for (const name of ['a', 'b', 'c']) {
      const takenOfSource = taken.filter((item) => item.startsWith(name)).length;
      expect(asked.get(name)).toBeLessThanOrEqual(takenOfSource + 1);
    }
  });

  it('ends a failing source alone and reports its error', async () => {
    const errors: unknown[] = [];
    const failing = (async function* () {
      yield 'x';
      throw new Error('gone');
    })();
    const steady = (async function* () {
      yield 'y1';
      yield 'y2';
    })();
    const items: string[] = [];
    for await (const item of mergeAsync([failing, steady], (error) => errors.push(error))) items.push(item);
    expect(items.sort()).toEqual(['x', 'y1', 'y2']);
    expect(errors).toHaveLength(1);
  });
});
