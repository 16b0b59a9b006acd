import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSourceFetcher } from './source-fetcher.js';
import { applySlipwayIgnore } from './source-ignore.js';

const run = promisify(execFile);
const sentinel = 'SENTINEL-SECRET-4b1f9c';

let root: string;
let source: string;
let dest: string;
let lines: string[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-source-ignore-'));
  source = join(root, 'app');
  dest = join(root, 'dest');
  lines = [];
  await mkdir(source);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(source, name, '..'), { recursive: true });
    await writeFile(join(source, name), text);
  }
}

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

async function containsSentinel(dir: string): Promise<boolean> {
  for (const file of await filesUnder(dir))
    if ((await readFile(join(dir, file), 'utf8')).includes(sentinel)) return true;
  return false;
}

const fetchPath = () =>
  createSourceFetcher().fetch(
    { kind: 'path', path: source, localAccess: 'anywhere' },
    { destDir: dest, log: (line) => lines.push(line) },
  );

describe('ignored files of a source', () => {
  it('leaves out what .gitignore ignores in a git working tree, keeping tracked and new files', async () => {
    await write({
      '.gitignore': '.env\ndist/\n*.log\n',
      '.env': `API_KEY=${sentinel}\n`,
      'dist/bundle.js': `// ${sentinel}\n`,
      'server.js': 'console.log(1)\n',
      'debug.log': sentinel,
    });
    const git = (...args: string[]) => run('git', ['-C', source, ...args]);
    await git('init', '-q');
    await git('add', '.gitignore', 'server.js');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'initial');
    await write({ 'routes/new.js': 'untracked, not ignored\n', 'config/.env': `NESTED=${sentinel}\n` });
    await writeFile(join(source, '.gitignore'), '.env\ndist/\n*.log\n**/.env\n');

    await fetchPath();

    expect(await filesUnder(dest)).toEqual(['.gitignore', 'routes/new.js', 'server.js']);
    expect(await containsSentinel(dest)).toBe(false);
    expect(lines).toContain('left out 4 ignored entries (.gitignore)');
  });

  it('leaves out what .slipwayignore names in a directory that is no git tree, negations included', async () => {
    await write({
      '.slipwayignore': 'secrets/\n*.pem\n!public.pem\n',
      'secrets/db.txt': sentinel,
      'key.pem': sentinel,
      'public.pem': 'public\n',
      'index.js': 'ok\n',
    });

    await fetchPath();

    expect(await filesUnder(dest)).toEqual(['.slipwayignore', 'index.js', 'public.pem']);
    expect(await containsSentinel(dest)).toBe(false);
  });

  it('removes what .slipwayignore names from a fetched checkout or unpacked archive', async () => {
    await write({ '.slipwayignore': 'fixtures/\n', 'fixtures/big.bin': sentinel, 'app.py': 'print(1)\n' });

    expect(await applySlipwayIgnore(source)).toBe(1);

    expect(await filesUnder(source)).toEqual(['.slipwayignore', 'app.py']);
  });
});
