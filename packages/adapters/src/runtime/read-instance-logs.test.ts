import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '@slipway/core';
import { lineContinuesMarker, maxLineLength } from './line-splitter.js';
import { readInstanceLogs } from './read-instance-logs.js';

describe('readInstanceLogs while following', () => {
  let dir = '';
  let path = '';
  let controller: AbortController;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-follow-'));
    path = join(dir, 'stdout.log');
    await writeFile(path, 'first\n');
    controller = new AbortController();
  });
  afterEach(async () => {
    controller.abort();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads what was written up to the end, an unfinished last line included, once the instance is over', async () => {
    let isEnding = false;
    const lines = readInstanceLogs([{ stream: 'stdout', path, rotatedPaths: [] }], {
      tailLines: 1,
      follow: true,
      signal: controller.signal,
      pollMs: 5,
      // The last words land between the poll's read and its look at whether the instance is over.
      isGone: async () => {
        if (isEnding) await appendFile(path, 'last words\nno newline');
        return isEnding;
      },
    })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toMatchObject({ line: 'first' });

    isEnding = true;

    const rest: string[] = [];
    for (let next = await lines.next(); next.done !== true; next = await lines.next()) rest.push(next.value.line);
    expect(rest).toEqual(['last words', 'no newline']);
  });

  const follow = (maxLagBytes: number): AsyncIterator<LogLine> =>
    readInstanceLogs([{ stream: 'stdout', path, rotatedPaths: [`${path}.1`] }], {
      tailLines: 1,
      follow: true,
      signal: controller.signal,
      pollMs: 5,
      isGone: async () => false,
      maxLagBytes,
    })[Symbol.asyncIterator]();

  it('skips, saying how much, what a reader fell behind by beyond its lag, and goes on from a whole line', async () => {
    const lines = follow(64 * 1024);
    expect((await lines.next()).value).toMatchObject({ stream: 'stdout', line: 'first' });
    // 10,000 lines of 100 bytes are appended while the reader takes nothing.
    const appended = Array.from(
      { length: 10_000 },
      (_, index) => `${String(index).padStart(5, '0')} ${'x'.repeat(93)}`,
    );
    await appendFile(path, `${appended.join('\n')}\n`);

    const marker = (await lines.next()).value as LogLine;
    expect(marker.line).toMatch(/^\[slipway: \d+ bytes of output skipped: this reader fell behind\]$/);
    const skippedBytes = Number(/(\d+) bytes/.exec(marker.line)?.[1]);
    const next = ((await lines.next()).value as LogLine).line;
    // What follows is a whole appended line, from the newest 64 KiB, and the skip covers what came before it.
    const index = appended.indexOf(next);
    expect(index).toBeGreaterThan(appended.length - (64 * 1024) / 100);
    expect(skippedBytes).toBeLessThanOrEqual(index * 100);
    expect(skippedBytes).toBeGreaterThan((index - 2) * 100);
  });

  it('delivers a line written without end in pieces of at most the cap, each but the last marked', async () => {
    const lines = follow(16 * 1024 * 1024);
    expect((await lines.next()).value).toMatchObject({ stream: 'stdout', line: 'first' });
    await appendFile(path, 'y'.repeat(maxLineLength * 3 + 10));
    const pieces: string[] = [];
    for (let count = 0; count < 3; count += 1) pieces.push(((await lines.next()).value as LogLine).line);
    expect(pieces).toEqual(Array.from({ length: 3 }, () => 'y'.repeat(maxLineLength) + lineContinuesMarker));
    await appendFile(path, 'z\n');
    expect(((await lines.next()).value as LogLine).line).toBe(`${'y'.repeat(10)}z`);
  });
});
