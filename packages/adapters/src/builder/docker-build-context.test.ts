import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuildContext, listBuildContext } from './docker-build-context.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-build-context-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(tree: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

describe('Docker build context', () => {
  it('sends everything when there is no .dockerignore', async () => {
    await files({ Dockerfile: 'FROM x', 'src/app.js': '', 'src/lib/a.js': '' });
    expect(await listBuildContext(dir, 'Dockerfile')).toEqual([
      'Dockerfile',
      'src',
      'src/app.js',
      'src/lib',
      'src/lib/a.js',
    ]);
  });

  it('leaves out what .dockerignore excludes, re-includes exceptions, and always sends the Dockerfile', async () => {
    await files({
      '.dockerignore': '# comment\nnode_modules\n*.log\nbuild/Dockerfile\n.dockerignore\nlogs\n!logs/keep.log\n',
      'build/Dockerfile': 'FROM x',
      'node_modules/dep/index.js': '',
      'debug.log': '',
      'src/debug.log': '',
      'logs/a.log': '',
      'logs/keep.log': '',
      'app.js': '',
    });
    expect(await listBuildContext(dir, 'build/Dockerfile')).toEqual([
      '.dockerignore',
      'app.js',
      'build',
      'build/Dockerfile',
      'logs',
      'logs/keep.log',
      'src',
      'src/debug.log',
    ]);
  });

  it('archives symlinks as links, never what they point to', async () => {
    await files({ Dockerfile: 'FROM x' });
    await symlink('/etc/hostname', join(dir, 'host'));
    const entries: { path: string; type: string }[] = [];
    const context = await createBuildContext(dir, 'Dockerfile');
    const parser = list({ onReadEntry: (entry) => entries.push({ path: entry.path, type: entry.type }) });
    for await (const chunk of context) parser.write(chunk as Buffer);
    parser.end();
    expect(entries).toEqual([
      { path: 'Dockerfile', type: 'File' },
      { path: 'host', type: 'SymbolicLink' },
    ]);
  });
});
