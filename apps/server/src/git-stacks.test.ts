import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitMirrors, GitRemote } from '@slipway/core';
import { createRepositoryFiles } from './git-stacks.js';

const remote: GitRemote = { repositoryId: 'repo_1', url: 'https://git.example/shop.git', credential: undefined };
const commit = 'a'.repeat(40);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-stack-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Mirrors whose checkout writes `tree` (path → content, or `{ link }` for a symbolic link). */
function mirrorsWriting(tree: Record<string, string | { link: string }>): GitMirrors {
  const unused = () => Promise.reject(new Error('not used'));
  return {
    sync: unused,
    resolve: unused,
    listRemoteHeads: unused,
    remove: unused,
    async checkout(_remote, _commit, destDir) {
      for (const [path, content] of Object.entries(tree)) {
        const file = join(destDir, path);
        await mkdir(dirname(file), { recursive: true });
        if (typeof content === 'string') await writeFile(file, content);
        else await symlink(content.link, file);
      }
    },
  };
}

describe('repository files', () => {
  const read = (tree: Record<string, string | { link: string }>, path: string, maxBytes = 1024) =>
    createRepositoryFiles({ mirrors: () => mirrorsWriting(tree), scratchDir: join(root, 'scratch') }).read(
      remote,
      commit,
      path,
      { maxBytes },
    );

  it('reads a file of the commit and leaves no checkout behind', async () => {
    expect(await read({ 'deploy/compose.yaml': 'services: {}\n' }, 'deploy/compose.yaml')).toBe('services: {}\n');
    expect(await readdir(join(root, 'scratch'))).toEqual([]);
  });

  it('answers undefined for a file the commit does not have', async () => {
    expect(await read({ 'compose.yaml': 'x' }, 'docker-compose.yml')).toBeUndefined();
  });

  it('refuses a path out of the tree, a link leading out of it, and a file over the limit', async () => {
    await writeFile(join(root, 'outside.yaml'), 'secret');
    await expect(read({}, '../outside.yaml')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(read({ 'compose.yaml': { link: join(root, 'outside.yaml') } }, 'compose.yaml')).rejects.toMatchObject({
      code: 'COMPOSE_INVALID',
    });
    await expect(read({ 'compose.yaml': 'x'.repeat(2000) }, 'compose.yaml')).rejects.toMatchObject({
      code: 'COMPOSE_INVALID',
    });
  });

  it('is unavailable without mirrors', async () => {
    const files = createRepositoryFiles({ mirrors: () => undefined, scratchDir: join(root, 'scratch') });
    await expect(files.read(remote, commit, 'compose.yaml', { maxBytes: 10 })).rejects.toMatchObject({
      code: 'SOURCE_UNREACHABLE',
    });
  });
});
