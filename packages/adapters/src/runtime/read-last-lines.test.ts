import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maxTailBytes, readLastLines } from './read-last-lines.js';

describe('readLastLines', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-last-lines-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the last lines of a file larger than one read chunk, in order', async () => {
    const path = join(dir, 'big.log');
    const lines = Array.from({ length: 20_000 }, (_, index) => `line ${index + 1} ${'é'.repeat(index % 7)}`);
    await writeFile(path, `${lines.join('\n')}\n`);

    const last = await readLastLines(path, 3_000);

    expect(last.lines).toEqual(lines.slice(-3_000));
    expect(last.trailingPartial.length).toBe(0);
  });

  it('keeps an unfinished last line apart from the complete ones', async () => {
    const path = join(dir, 'partial.log');
    await writeFile(path, 'one\ntwo\nthr');

    const last = await readLastLines(path, 5);

    expect(last.lines).toEqual(['one', 'two']);
    expect(last.trailingPartial.toString()).toBe('thr');
  });

  it('reads only up to the given end, and counts empty lines', async () => {
    const path = join(dir, 'end.log');
    await writeFile(path, '\nfirst\n\nsecond\nlater\n');

    const last = await readLastLines(path, 10, '\nfirst\n\nsecond\n'.length);

    expect(last.lines).toEqual(['', 'first', '', 'second']);
  });

  it('finds no lines in a missing or empty file', async () => {
    const empty = join(dir, 'empty.log');
    await writeFile(empty, '');

    expect(await readLastLines(join(dir, 'missing.log'), 5)).toEqual({ lines: [], trailingPartial: Buffer.alloc(0) });
    expect(await readLastLines(empty, 5)).toEqual({ lines: [], trailingPartial: Buffer.alloc(0) });
  });

  it('reads back no more than its budget, however long the lines', async () => {
    const path = join(dir, 'one-long-line.log');
    await writeFile(path, `start\n${'x'.repeat(maxTailBytes * 3)}\nlast`);

    const last = await readLastLines(path, 10);

    expect(last.trailingPartial.toString()).toBe('last');
    expect(last.lines).toHaveLength(1);
    expect(last.lines[0]?.length).toBeLessThanOrEqual(maxTailBytes);
  });
});
