import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create, Header, type HeaderData } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSourceFetcher } from './source-fetcher.js';

let root: string;
let dest: string;
const log = () => {};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-archive-'));
  dest = join(root, 'work', 'dest');
  await mkdir(join(root, 'work'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

interface CraftedEntry extends HeaderData {
  body?: string;
}

/** A hand-made .tar.gz: lets the tests write entries no well-behaved tar would produce. */
async function craft(name: string, entries: CraftedEntry[]): Promise<string> {
  const blocks: Buffer[] = [];
  for (const { body, ...data } of entries) {
    const content = Buffer.from(body ?? '');
    const header = new Header({
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      type: 'File',
      ...data,
      size: data.type === 'File' || data.type === 'ExtendedHeader' || data.type === undefined ? content.length : 0,
    });
    header.encode();
    if (header.block === undefined) throw new Error('header did not encode');
    blocks.push(header.block);
    if (content.length > 0) blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const file = join(root, name);
  await writeFile(file, gzipSync(Buffer.concat(blocks)));
  return file;
}

async function fetchArchive(
  file: string,
  limits: { maxArchiveBytes?: number; maxUnpackedBytes?: number; maxArchiveEntries?: number } = {},
) {
  const fetcher = createSourceFetcher({
    maxArchiveBytes: limits.maxArchiveBytes ?? 10 * 1024 * 1024,
    ...(limits.maxUnpackedBytes === undefined ? {} : { maxUnpackedBytes: limits.maxUnpackedBytes }),
    ...(limits.maxArchiveEntries === undefined ? {} : { maxArchiveEntries: limits.maxArchiveEntries }),
  });
  const { size } = await stat(file);
  return fetcher.fetch({ kind: 'archive', file, fileName: 'upload.tar.gz', sizeBytes: size }, { destDir: dest, log });
}

/** Everything under the temp root except the archives and the destination: must stay exactly as before. */
async function outsideDest(): Promise<string[]> {
  const names = await readdir(root, { recursive: true });
  return names.filter((name) => !name.endsWith('.tar.gz') && !name.startsWith(join('work', 'dest'))).sort();
}

describe('archive sources', () => {
  it('unpacks an archive made by tar, stripping its single top-level directory', async () => {
    const src = join(root, 'src');
    await mkdir(join(src, 'myapp-1a2b3c', 'public'), { recursive: true });
    await writeFile(join(src, 'myapp-1a2b3c', 'package.json'), '{}');
    await writeFile(join(src, 'myapp-1a2b3c', 'public', 'index.html'), '<h1>hi</h1>');
    await symlink('public/index.html', join(src, 'myapp-1a2b3c', 'home.html'));
    const file = join(root, 'app.tar.gz');
    await create({ gzip: true, file, cwd: src, portable: true }, ['myapp-1a2b3c']);

    const view = await fetchArchive(file);

    expect(view).toEqual({ kind: 'archive', fileName: 'upload.tar.gz', sizeBytes: (await stat(file)).size });
    expect((await readdir(dest)).sort()).toEqual(['home.html', 'package.json', 'public']);
    expect(await readFile(join(dest, 'public', 'index.html'), 'utf8')).toBe('<h1>hi</h1>');
    expect(await readlink(join(dest, 'home.html'))).toBe('public/index.html');
  });

  it('keeps the layout when the archive has several top-level entries', async () => {
    const src = join(root, 'src');
    await mkdir(join(src, 'lib'), { recursive: true });
    await writeFile(join(src, 'index.js'), 'x');
    await writeFile(join(src, 'lib', 'a.js'), 'a');
    const file = join(root, 'flat.tar.gz');
    await create({ gzip: true, file, cwd: src }, ['index.js', 'lib']);

    await fetchArchive(file);
    expect((await readdir(dest)).sort()).toEqual(['index.js', 'lib']);
  });

  it('unpacks an archive of "." (as `tar czf app.tar.gz .` makes) at the root', async () => {
    const src = join(root, 'src');
    await mkdir(join(src, 'lib'), { recursive: true });
    await writeFile(join(src, 'index.js'), 'x');
    await writeFile(join(src, 'lib', 'a.js'), 'a');
    const file = join(root, 'dot.tar.gz');
    await create({ gzip: true, file, cwd: src }, ['.']);

    await fetchArchive(file);
    expect((await readdir(dest)).sort()).toEqual(['index.js', 'lib']);
    expect(await readFile(join(dest, 'lib', 'a.js'), 'utf8')).toBe('a');
  });

  it('keeps a single top-level file as it is', async () => {
    const file = await craft('single.tar.gz', [{ path: 'index.html', body: 'hi' }]);
    await fetchArchive(file);
    expect(await readdir(dest)).toEqual(['index.html']);
  });

  it('strips no mode bits an app needs but drops setuid from uploaded files', async () => {
    const file = await craft('modes.tar.gz', [
      { path: 'run.sh', body: '#!/bin/sh\n', mode: 0o755 },
      { path: 'suid', body: 'x', mode: 0o4755 },
    ]);
    await fetchArchive(file);
    expect((await stat(join(dest, 'run.sh'))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(dest, 'suid'))).mode & 0o7000).toBe(0);
  });

  const hostile: [string, CraftedEntry[], string][] = [
    [
      'a "../" path',
      [
        { path: 'ok.txt', body: 'fine' },
        { path: '../evil.txt', body: 'evil' },
      ],
      '../evil.txt',
    ],
    ['a nested "../" path', [{ path: 'a/../../evil.txt', body: 'evil' }], 'a/../../evil.txt'],
    ['an absolute path', [{ path: '/tmp/slipway-evil.txt', body: 'evil' }], '/tmp/slipway-evil.txt'],
    ['a symlink to /etc', [{ path: 'etc', type: 'SymbolicLink', linkpath: '/etc' }], 'etc'],
    ['a symlink climbing out', [{ path: 'sub/up', type: 'SymbolicLink', linkpath: '../../outside' }], 'sub/up'],
    ['a symlink that climbs after descending', [{ path: 'x', type: 'SymbolicLink', linkpath: 'sub/../..' }], 'x'],
    [
      'a chain of symlinks climbing out',
      [
        { path: 'sub/x', type: 'SymbolicLink', linkpath: '..' },
        { path: 'y', type: 'SymbolicLink', linkpath: 'sub/x/..' },
      ],
      'y',
    ],
    [
      'a file written through a symlink',
      [
        { path: 'dir', type: 'SymbolicLink', linkpath: '.' },
        { path: 'dir/evil.txt', body: 'evil' },
      ],
      'dir/evil.txt',
    ],
    ['a hard link out of the tree', [{ path: 'passwd', type: 'Link', linkpath: '../../etc/passwd' }], 'passwd'],
    ['a hard link to an absolute path', [{ path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }], 'passwd'],
    ['a character device', [{ path: 'null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }], 'null'],
    ['a FIFO', [{ path: 'pipe', type: 'FIFO' }], 'pipe'],
  ];

  for (const [what, entries, culprit] of hostile) {
    it(`rejects the whole archive with ARCHIVE_UNSAFE for ${what}, naming the entry and writing nothing outside`, async () => {
      const before = await outsideDest();
      const file = await craft('hostile.tar.gz', entries);
      const error = await fetchArchive(file).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'ARCHIVE_UNSAFE', details: { entry: culprit } });
      expect((error as Error).message).toContain(culprit);
      expect(await outsideDest()).toEqual(before);
      await expect(lstat('/tmp/slipway-evil.txt')).rejects.toThrow();
      // Validation happens before extraction: not even the harmless entries were written.
      await expect(readdir(dest)).rejects.toThrow();
    });
  }

  it('accepts a hard link to a file earlier in the archive and a symlink to a sibling directory', async () => {
    const file = await craft('links.tar.gz', [
      { path: 'app/lib/a.js', body: 'a' },
      { path: 'app/bin/a.js', type: 'Link', linkpath: 'app/lib/a.js' },
      { path: 'app/bin/lib', type: 'SymbolicLink', linkpath: '../lib' },
    ]);
    await fetchArchive(file);
    expect(await readFile(join(dest, 'bin', 'a.js'), 'utf8')).toBe('a');
    expect(await readFile(join(dest, 'bin', 'lib', 'a.js'), 'utf8')).toBe('a');
  });

  it('fails with ARCHIVE_TOO_LARGE when the upload exceeds maxArchiveBytes', async () => {
    const file = await craft('big.tar.gz', [{ path: 'a.txt', body: 'x'.repeat(1000) }]);
    await expect(fetchArchive(file, { maxArchiveBytes: 10 })).rejects.toMatchObject({ code: 'ARCHIVE_TOO_LARGE' });
  });

  it('fails with ARCHIVE_TOO_LARGE when the content unpacks beyond maxUnpackedBytes (a zip bomb)', async () => {
    const file = await craft('bomb.tar.gz', [{ path: 'zeros.bin', body: '\0'.repeat(2 * 1024 * 1024) }]);
    expect((await stat(file)).size).toBeLessThan(10 * 1024);
    await expect(fetchArchive(file, { maxUnpackedBytes: 1024 * 1024 })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
    });
    await expect(readdir(dest)).rejects.toThrow();
  });

  it('refuses a compression bomb under the unpacked limit by its ratio, having written nothing', async () => {
    const zeros = Buffer.alloc(96 * 1024 * 1024);
    const header = new Header({ path: 'zeros.bin', mode: 0o644, size: zeros.length, type: 'File', mtime: new Date(0) });
    header.encode();
    const file = join(root, 'ratio-bomb.tar.gz');
    await writeFile(file, gzipSync(Buffer.concat([header.block ?? Buffer.alloc(0), zeros, Buffer.alloc(1024)])));

    await expect(fetchArchive(file, { maxUnpackedBytes: 1024 * 1024 * 1024 })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      details: { maxCompressionRatio: 200 },
    });
    await expect(readdir(dest)).rejects.toThrow();
  });

  it('refuses an archive of more entries than the limit before extracting any', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => ({ path: `f${i}.txt`, body: 'x' }));
    const file = await craft('many.tar.gz', entries);
    await expect(fetchArchive(file, { maxArchiveEntries: 10 })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      details: { maxEntries: 10 },
    });
    await expect(readdir(dest)).rejects.toThrow();
    await fetchArchive(file, { maxArchiveEntries: 11 });
    expect(await readdir(dest)).toHaveLength(11);
  });

  it('refuses an archive compressed twice, which tar would inflate on its own without limits', async () => {
    const inner = await craft('inner.tar.gz', [{ path: 'a.txt', body: 'a' }]);
    const file = join(root, 'twice.tar.gz');
    await writeFile(file, gzipSync(await readFile(inner)));
    await expect(fetchArchive(file)).rejects.toMatchObject({
      code: 'SOURCE_INVALID',
      message: expect.stringContaining('compressed a second time') as unknown,
    });
  });

  it('stops at the end-of-archive marker instead of decompressing a stream of zeros to its end', async () => {
    const file = join(root, 'zeros.tar.gz');
    await writeFile(file, gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    const startedAt = Date.now();
    await expect(fetchArchive(file, { maxUnpackedBytes: 1024 })).rejects.toMatchObject({ code: 'SOURCE_INVALID' });
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });

  it('stops decompressing at the limit when metadata headers alone grow past it', async () => {
    const padding = `${'x'.repeat(512 * 1024 - 20)}`;
    const record = (text: string) => `${String(text.length + 12).padStart(5, '0')} comment=${text}\n`;
    const headers: CraftedEntry[] = Array.from({ length: 24 }, () => ({
      path: 'PaxHeader',
      type: 'ExtendedHeader',
      body: record(padding),
    }));
    const file = await craft('meta-bomb.tar.gz', [...headers, { path: 'a.txt', body: 'a' }]);
    await expect(fetchArchive(file, { maxUnpackedBytes: 1024 })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      message: expect.stringContaining('decompresses to more than') as unknown,
    });
  });

  it('fails with SOURCE_INVALID for a file that is not gzip, and for gzip that is not tar', async () => {
    const text = join(root, 'text.tar.gz');
    await writeFile(text, 'hello, I am not an archive');
    await expect(fetchArchive(text)).rejects.toMatchObject({ code: 'SOURCE_INVALID' });

    const notTar = join(root, 'not-tar.tar.gz');
    await writeFile(notTar, gzipSync(Buffer.from('just some text, definitely not a tar header '.repeat(40))));
    await expect(fetchArchive(notTar)).rejects.toMatchObject({ code: 'SOURCE_INVALID' });

    const truncated = join(root, 'truncated.tar.gz');
    const good = gzipSync(Buffer.alloc(4096, 1));
    await writeFile(truncated, good.subarray(0, 20));
    await expect(fetchArchive(truncated)).rejects.toMatchObject({ code: 'SOURCE_INVALID' });
  });
});
