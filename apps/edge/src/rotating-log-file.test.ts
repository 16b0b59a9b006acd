import { mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from './rotating-log-file.js';

let dir: string;

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ended(file: RotatingLogFile): Promise<void> {
  return new Promise((resolve) => file.end(resolve));
}

describe('rotating log file', () => {
  it('rotates past its size and keeps the newest old files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-rotate-'));
    const path = join(dir, 'access.log');
    const file = new RotatingLogFile(path, { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 10; i += 1) file.write(`${String(i).padStart(49, '.')}\n`);
    await ended(file);
    expect((await readdir(dir)).sort()).toEqual(['access.log', 'access.log.1', 'access.log.2']);
    // 10 lines of 50 bytes, 2 per file: the newest two are in access.log, the ones before in .1 and .2.
    expect(await lines(path)).toEqual(['8', '9']);
    expect(await lines(`${path}.1`)).toEqual(['6', '7']);
    expect(await lines(`${path}.2`)).toEqual(['4', '5']);
  });

  it('reopens the path when another process moved the file away', async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-rotate-'));
    const path = join(dir, 'access.log');
    const file = new RotatingLogFile(path, { maxBytes: 1_000_000 });
    await new Promise<void>((resolve) => file.write('before\n', resolve));
    await rename(path, `${path}.1`);
    // The check runs at most every 5 s: make it due.
    (file as unknown as { checkedAtMs: number }).checkedAtMs = 0;
    await new Promise<void>((resolve) => file.write('after\n', resolve));
    await ended(file);
    expect(await readFile(`${path}.1`, 'utf8')).toBe('before\n');
    expect(await readFile(path, 'utf8')).toBe('after\n');
  });
});

/** The numbers of the padded lines in a file, in order. */
async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/\./g, ''));
}
