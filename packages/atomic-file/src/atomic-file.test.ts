import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAtomic, renameDirectoryDurably, renameDurably, writeFileAtomic } from './atomic-file.js';

describe('atomic files', () => {
  let dir = '';
  let umask = 0;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-atomic-file-'));
    // A umask that would strip every bit: the mode asked for must still be the mode the file gets.
    umask = process.umask(0o777);
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces a file whole, with exactly the mode asked for, and leaves no temporary file', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new', { mode: 0o640 });

    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('lets concurrent writers of one file all finish, the file holding one of them whole', async () => {
    const path = join(dir, 'credentials.json');
    const contents = Array.from({ length: 20 }, (_, index) => `${index}:${'x'.repeat(10_000)}`);
    await Promise.all(contents.map((content) => writeFileAtomic(path, content)));

    expect(contents).toContain(await readFile(path, 'utf8'));
    expect(await readdir(dir)).toEqual(['credentials.json']);
  });

  it('leaves nothing behind when the write fails', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'file'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates a file only once: of two creators at once exactly one wins, and the file holds its content', async () => {
    const path = join(dir, 'master.key');
    const results = await Promise.all([createFileAtomic(path, 'first'), createFileAtomic(path, 'second')]);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(path, 'utf8')).toBe(results[0] === true ? 'first' : 'second');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['master.key']);
  });

  it('renames durably', async () => {
    await writeFileAtomic(join(dir, 'next'), 'key');
    await renameDurably(join(dir, 'next'), join(dir, 'current'));
    expect(await readdir(dir)).toEqual(['current']);
  });

  it('moves a directory tree whole', async () => {
    await mkdir(join(dir, 'work', 'lib'), { recursive: true });
    await writeFile(join(dir, 'work', 'lib', 'a.js'), 'a');
    await mkdir(join(dir, 'releases'));
    await renameDirectoryDurably(join(dir, 'work'), join(dir, 'releases', 'r1'));
    expect(await readFile(join(dir, 'releases', 'r1', 'lib', 'a.js'), 'utf8')).toBe('a');
    expect(await readdir(dir)).toEqual(['releases']);
  });

  // Run as root the file is readable all the same; as any other user this is the case a build can leave behind.
  it('moves a tree holding a file it may not read', async () => {
    await mkdir(join(dir, 'work'));
    await writeFile(join(dir, 'work', 'sealed'), 'x', { mode: 0o000 });
    await renameDirectoryDurably(join(dir, 'work'), join(dir, 'r1'));
    expect(await readdir(join(dir, 'r1'))).toEqual(['sealed']);
  });
});
