import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../artifacts/fs-artifact-store.js';
import { createBuilder } from '../builder/builder.js';
import { readSourceFile, sourceFileLimit } from './source-file.js';
import { createSourceFetcher } from './source-fetcher.js';

const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^GIT_/.test(key))),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

let root: string;
let dataDir: string;
/** The links a hostile source carries: each names a file of the host Slipway must never read or serve. */
let hostileLinks: Record<string, string>;
let destCount = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-source-links-'));
  dataDir = join(root, 'data');
  await mkdir(dataDir);
  await writeFile(join(dataDir, 'admin-token'), 'ADMIN-TOKEN-VALUE');
  await writeFile(join(dataDir, 'master.key'), 'MASTER-KEY-VALUE');
  hostileLinks = {
    'index.html': join(dataDir, 'admin-token'),
    Procfile: join(dataDir, 'master.key'),
    '404.html': '/etc/passwd',
    'slipway.yaml': '/dev/zero',
    'public/up.html': '../../data/admin-token',
  };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function hostileTree(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'public'), { recursive: true });
  await writeFile(join(dir, 'public', 'about.html'), '<h1>about</h1>');
  await symlink('about.html', join(dir, 'public', 'home.html'));
  for (const [path, target] of Object.entries(hostileLinks)) await symlink(target, join(dir, path));
  return dir;
}

const nextDest = () => join(root, 'dest', String((destCount += 1)));

async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    names.push(path);
    if (entry.isDirectory()) names.push(...(await listTree(join(dir, entry.name), `${path}/`)));
  }
  return names.sort();
}

describe('links in sources', () => {
  it('removes every link of a git checkout that leads out of the tree, keeping the ones inside', async () => {
    const repo = await hostileTree('repo');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: gitEnv, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'hostile');
    const destDir = nextDest();
    const lines: string[] = [];

    await createSourceFetcher().fetch({ kind: 'git', url: repo }, { destDir, log: (line) => lines.push(line) });

    expect(await listTree(destDir)).toEqual(['public', 'public/about.html', 'public/home.html']);
    expect((await lstat(join(destDir, 'public', 'home.html'))).isSymbolicLink()).toBe(true);
    for (const path of Object.keys(hostileLinks))
      expect(lines).toContain(`removed ${path}: a symlink that points outside the source tree`);
    const artifacts = createFsArtifactStore({ dataDir: join(root, 'artifacts') });
    expect(await artifacts.readManifest(destDir)).toBeUndefined();
  });

  it('refuses an archive carrying any of those links, extracting nothing', async () => {
    for (const [path, target] of Object.entries(hostileLinks)) {
      const dir = join(root, `archive-${path.replace(/\W/g, '-')}`);
      await mkdir(join(dir, 'public'), { recursive: true });
      await writeFile(join(dir, 'public', 'about.html'), '<h1>about</h1>');
      await symlink(target, join(dir, path));
      const file = `${dir}.tar.gz`;
      await create({ gzip: true, file, cwd: dir, portable: true }, ['.']);
      const destDir = nextDest();

      const fetching = createSourceFetcher().fetch(
        { kind: 'archive', file, fileName: 'app.tar.gz', sizeBytes: 0 },
        { destDir, log: () => undefined },
      );

      await expect(fetching, path).rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE', details: { entry: `./${path}` } });
      expect(await listTree(destDir).catch(() => []), path).toEqual([]);
    }
  });

  it('removes links a build leaves leading out of the tree before anything serves the artifact', async () => {
    const dir = join(root, 'static-site');
    await mkdir(join(dir, 'site'), { recursive: true });
    await writeFile(join(dir, 'site', 'index.html'), '<h1>home</h1>');
    const lines: string[] = [];
    const builder = createBuilder({ staticServerPath: '/nonexistent/static-server.mjs' });

    await builder.build({
      dir,
      manifest: {
        build: {
          builder: 'static',
          publicDir: 'site',
          command: `ln -s ${join(dataDir, 'admin-token')} site/token.html && ln -s index.html site/home.html`,
          timeoutSeconds: 60,
        },
      },
      env: {},
      log: (line) => lines.push(line),
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      image: { repository: 'unused', tag: 'unused', labels: {} },
      secrets: {},
    });

    expect(await listTree(join(dir, 'site'))).toEqual(['home.html', 'index.html']);
    expect(lines).toContain('removed token.html: a symlink that points outside the source tree');
  });
});

describe('readSourceFile', () => {
  const limit = sourceFileLimit(1024);

  it('refuses a file that resolves outside the tree, or that is no regular file, without reading it', async () => {
    const dir = join(root, 'read');
    await mkdir(dir, { recursive: true });
    await symlink(join(dataDir, 'master.key'), join(dir, 'Procfile'));
    await symlink('/dev/zero', join(dir, 'zero'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);

    const outside = await readSourceFile(dir, 'Procfile', limit).catch((error: unknown) => error);
    expect(outside).toMatchObject({ code: 'SOURCE_UNSAFE' });
    expect(JSON.stringify(outside)).not.toContain('MASTER-KEY-VALUE');
    await expect(readSourceFile(dir, 'zero', limit)).rejects.toMatchObject({ code: 'SOURCE_UNSAFE' });
    await expect(readSourceFile(dir, 'fifo', limit)).rejects.toMatchObject({
      code: 'SOURCE_UNSAFE',
      details: { file: 'fifo', reason: 'is not a regular file' },
    });
    expect(await readSourceFile(dir, 'missing', limit)).toBeUndefined();
  });

  it('refuses a file over its limit with the given error and reads one under it', async () => {
    const dir = join(root, 'sizes');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'big'), 'x'.repeat(1025));
    await writeFile(join(dir, 'small'), 'web: node server.js\n');

    await expect(readSourceFile(dir, 'big', limit)).rejects.toMatchObject({
      code: 'SOURCE_INVALID',
      details: { file: 'big', maxBytes: 1024 },
    });
    expect(await readSourceFile(dir, 'small', limit)).toBe('web: node server.js\n');
  });
});
