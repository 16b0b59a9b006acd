import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuildCache } from './build-cache.js';
import type { DependencyInstall } from './build-plan.js';

let root: string;
let lines: string[];
const log = (line: string) => lines.push(line);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-build-cache-'));
  lines = [];
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const install: DependencyInstall = {
  steps: ['npm ci'],
  outputDir: 'node_modules',
  toolchain: 'node 20',
  keyFiles: ['package-lock.json'],
};

/** A build tree with a lockfile and an installed directory of `bytes` bytes. */
async function tree(name: string, lockfile: string, bytes = 1000): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(dir, 'package-lock.json'), lockfile);
  await writeFile(join(dir, 'node_modules', 'dep', 'index.js'), 'x'.repeat(bytes));
  return dir;
}

const entries = async (): Promise<string[]> => {
  const scopes = await readdir(join(root, 'cache')).catch(() => [] as string[]);
  const all = await Promise.all(scopes.map((scope) => readdir(join(root, 'cache', scope))));
  return all.flat().sort();
};

describe('the build cache', () => {
  it('keys by lockfile and toolchain, and gives nothing for an install without key files', async () => {
    const cache = createBuildCache({ rootDir: join(root, 'cache'), maxBytes: 1e9 });
    const dir = await tree('a', 'lock-1');
    const key = await cache.keyOf('p', dir, install);
    expect(await cache.keyOf('p', await tree('b', 'lock-1'), install)).toBe(key);
    expect(await cache.keyOf('p', await tree('c', 'lock-2'), install)).not.toBe(key);
    expect(await cache.keyOf('p', dir, { ...install, toolchain: 'node 22' })).not.toBe(key);
    expect(await cache.keyOf('p', dir, { ...install, keyFiles: [] })).toBeUndefined();
    expect(await cache.keyOf('p', dir, { ...install, keyFiles: ['missing.lock'] })).toBeUndefined();
  });

  it('restores a copy that a change to the restored tree does not reach', async () => {
    const cache = createBuildCache({ rootDir: join(root, 'cache'), maxBytes: 1e9 });
    const first = await tree('first', 'lock');
    const key = (await cache.keyOf('p', first, install)) ?? '';
    expect(await cache.restore('p', key, first, install)).toBe(false);
    await cache.publish('p', key, first, install, log);

    const second = join(root, 'second');
    await mkdir(second);
    expect(await cache.restore('p', key, second, install)).toBe(true);
    await writeFile(join(second, 'node_modules', 'dep', 'index.js'), 'changed');

    const third = join(root, 'third');
    await mkdir(third);
    expect(await cache.restore('p', key, third, install)).toBe(true);
    expect(await readFile(join(third, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('x'.repeat(1000));
    expect(await cache.restore('another-project', key, third, install)).toBe(false);
  });

  it('keeps one entry when two builds publish the same key at once', async () => {
    const cache = createBuildCache({ rootDir: join(root, 'cache'), maxBytes: 1e9 });
    const trees = await Promise.all([1, 2, 3].map((n) => tree(`t${n}`, 'same-lock')));
    const key = (await cache.keyOf('p', trees[0] ?? '', install)) ?? '';

    await Promise.all(trees.map((dir) => cache.publish('p', key, dir, install, log)));

    expect(await entries()).toEqual([key]);
    expect(lines.filter((line) => line.startsWith('build cache: not kept'))).toEqual([]);
  });

  it('evicts the least recently used entries when a new one pushes the total over the cap', async () => {
    const cache = createBuildCache({ rootDir: join(root, 'cache'), maxBytes: 50_000 });
    const keys: string[] = [];
    for (const [index, name] of ['old', 'used', 'new'].entries()) {
      const dir = await tree(name, `lock-${name}`, 10_000);
      const key = (await cache.keyOf('p', dir, install)) ?? '';
      keys.push(key);
      if (name !== 'new') {
        await cache.publish('p', key, dir, install, log);
        const at = new Date(Date.now() - (10 - index) * 60_000);
        const [scope] = await readdir(join(root, 'cache'));
        await utimes(join(root, 'cache', scope ?? '', key), at, at);
      }
    }
    // `old` and `used` are both older than `new`; using `used` makes `old` the least recently used.
    const [oldKey = '', usedKey = '', newKey = ''] = keys;
    await mkdir(join(root, 'restored'));
    expect(await cache.restore('p', usedKey, join(root, 'restored'), install)).toBe(true);

    await cache.publish('p', newKey, join(root, 'new'), install, log);

    expect(await entries()).toEqual([usedKey, newKey].sort());
    expect(await entries()).not.toContain(oldKey);
    expect(lines.filter((line) => line.includes('evicted'))).toHaveLength(1);
  });
});
