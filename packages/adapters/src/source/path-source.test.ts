import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSourceFetcher } from './source-fetcher.js';

let root: string;
let source: string;
let dest: string;
const lines: string[] = [];
const log = (line: string) => lines.push(line);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-path-source-'));
  source = join(root, 'app');
  dest = join(root, 'dest');
  lines.length = 0;
  await mkdir(join(source, 'src', 'node_modules', 'x'), { recursive: true });
  await mkdir(join(source, '.git', 'objects'), { recursive: true });
  await mkdir(join(source, 'node_modules', 'left-pad'), { recursive: true });
  await mkdir(join(source, '.slipway'), { recursive: true });
  await writeFile(join(source, 'package.json'), '{"name":"app"}');
  await writeFile(join(source, 'src', 'index.js'), 'console.log(1)');
  await writeFile(join(source, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(source, 'run.sh'), 0o755);
  await writeFile(join(source, '.git', 'HEAD'), 'ref: refs/heads/main');
  await writeFile(join(source, 'node_modules', 'left-pad', 'index.js'), '');
  await writeFile(join(source, '.slipway', 'state.db'), '');
  await writeFile(join(root, 'secret.txt'), 'outside');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('path sources', () => {
  const fetcher = createSourceFetcher({ maxArchiveBytes: 1024 * 1024 });

  it('copies the tree without .git, node_modules and .slipway, keeping file modes', async () => {
    const view = await fetcher.fetch({ kind: 'path', path: source }, { destDir: dest, log });
    expect(view).toEqual({ kind: 'path', path: source });
    expect((await readdir(dest)).sort()).toEqual(['package.json', 'run.sh', 'src']);
    expect(await readdir(join(dest, 'src'))).toEqual(['index.js']);
    expect(await readFile(join(dest, 'src', 'index.js'), 'utf8')).toBe('console.log(1)');
    expect((await stat(join(dest, 'run.sh'))).mode & 0o777).toBe(0o755);
  });

  it('copies symlinks that stay inside the tree as relative links and skips those that leave it', async () => {
    await symlink('src/index.js', join(source, 'entry.js'));
    await symlink(join(source, 'package.json'), join(source, 'absolute-inside.json'));
    await symlink('../secret.txt', join(source, 'escape.txt'));
    await symlink('/etc', join(source, 'etc'));

    await fetcher.fetch({ kind: 'path', path: source }, { destDir: dest, log });

    expect(await readlink(join(dest, 'entry.js'))).toBe('src/index.js');
    expect(await readlink(join(dest, 'absolute-inside.json'))).toBe('package.json');
    expect(await readFile(join(dest, 'entry.js'), 'utf8')).toBe('console.log(1)');
    await expect(lstat(join(dest, 'escape.txt'))).rejects.toThrow();
    await expect(lstat(join(dest, 'etc'))).rejects.toThrow();
    expect(lines.some((line) => line.includes('escape.txt') && line.includes('outside'))).toBe(true);
  });

  it('never copies the destination into itself when it lies inside the source', async () => {
    const inner = join(source, 'build-output');
    await fetcher.fetch({ kind: 'path', path: source }, { destDir: inner, log });
    expect((await readdir(inner)).sort()).toEqual(['package.json', 'run.sh', 'src']);
  });

  it('fails with SOURCE_UNREACHABLE naming the path when it is missing or not a directory', async () => {
    const missing = join(root, 'nope');
    await expect(fetcher.fetch({ kind: 'path', path: missing }, { destDir: dest, log })).rejects.toMatchObject({
      code: 'SOURCE_UNREACHABLE',
      message: expect.stringContaining(missing) as unknown,
    });
    await expect(
      fetcher.fetch({ kind: 'path', path: join(source, 'package.json') }, { destDir: dest, log }),
    ).rejects.toMatchObject({
      code: 'SOURCE_UNREACHABLE',
    });
  });

  it('refuses relative paths and paths outside the allowed roots', async () => {
    await expect(fetcher.fetch({ kind: 'path', path: 'app' }, { destDir: dest, log })).rejects.toBeInstanceOf(
      SlipwayError,
    );
    const confined = createSourceFetcher({ maxArchiveBytes: 1024, allowedPathRoots: [join(root, 'elsewhere')] });
    await expect(confined.fetch({ kind: 'path', path: source }, { destDir: dest, log })).rejects.toMatchObject({
      code: 'SOURCE_PATH_NOT_ALLOWED',
    });
    const allowed = createSourceFetcher({ maxArchiveBytes: 1024, allowedPathRoots: [root] });
    await expect(allowed.fetch({ kind: 'path', path: source }, { destDir: dest, log })).resolves.toMatchObject({
      kind: 'path',
    });
  });

  it('refuses every directory to a confined request when no root is allowed, and reads one asked for anywhere', async () => {
    const closed = createSourceFetcher({ allowedPathRoots: [] });
    await expect(closed.fetch({ kind: 'path', path: source }, { destDir: dest, log })).rejects.toMatchObject({
      code: 'SOURCE_PATH_NOT_ALLOWED',
    });
    await expect(
      closed.fetch({ kind: 'path', path: source, localAccess: 'roots' }, { destDir: dest, log }),
    ).rejects.toMatchObject({ code: 'SOURCE_PATH_NOT_ALLOWED' });
    expect(await readdir(root)).not.toContain('dest');
    await expect(
      closed.fetch({ kind: 'path', path: source, localAccess: 'anywhere' }, { destDir: dest, log }),
    ).resolves.toMatchObject({ kind: 'path' });
  });

  it("never reads slipwayd's data dir, a folder in it, a folder holding it or a link to it, whoever asks", async () => {
    const dataDir = join(root, 'data');
    await mkdir(join(dataDir, 'artifacts', 'rel_1'), { recursive: true });
    await writeFile(join(dataDir, 'admin-token'), 'slw_sentinel');
    await symlink(dataDir, join(root, 'link-to-data'));
    const fetcherOfSlipwayd = createSourceFetcher({ allowedPathRoots: [root], forbiddenPaths: [dataDir] });
    for (const path of [dataDir, join(dataDir, 'artifacts', 'rel_1'), root, join(root, 'link-to-data')]) {
      for (const localAccess of ['anywhere', 'roots'] as const) {
        await expect(
          fetcherOfSlipwayd.fetch({ kind: 'path', path, localAccess }, { destDir: dest, log }),
        ).rejects.toMatchObject({ code: 'SOURCE_PATH_NOT_ALLOWED' });
      }
    }
    expect(await readdir(root)).not.toContain('dest');
    await expect(
      fetcherOfSlipwayd.fetch({ kind: 'path', path: source }, { destDir: dest, log }),
    ).resolves.toMatchObject({ kind: 'path' });
  });
});
