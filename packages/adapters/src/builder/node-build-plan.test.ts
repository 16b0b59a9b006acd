import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuilder } from './builder.js';
import { killStarted, startBuiltProcess } from './built-process-test-harness.js';

const staticServerPath = fileURLToPath(new URL('../../assets/static-server.mjs', import.meta.url));
const run = promisify(execFile);

let root: string;
let lines: string[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-node-build-'));
  lines = [];
});

afterEach(async () => {
  killStarted();
  await rm(root, { recursive: true, force: true });
});

async function build(dir: string, options: { cacheDir?: string; scope?: string } = {}) {
  const builder = createBuilder({
    staticServerPath,
    ...(options.cacheDir === undefined ? {} : { cache: { rootDir: options.cacheDir, maxBytes: 1024 ** 3 } }),
  });
  return builder.build({
    dir,
    manifest: {},
    env: {},
    image: { repository: 'slipway-test/app', tag: 'test', labels: {} },
    secrets: {},
    log: (line) => lines.push(line),
    timeoutMs: 120_000,
    scope: options.scope ?? 'project-1',
  });
}

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** An app with a run-time dependency and a dev dependency (its build tool), both local packages: no registry. */
async function writeApp(dir: string, extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(join(dir, 'packages', 'greeting'), { recursive: true });
  await mkdir(join(dir, 'packages', 'bundler', 'bin'), { recursive: true });
  await writeFile(
    join(dir, 'packages', 'greeting', 'package.json'),
    JSON.stringify({ name: 'greeting', version: '1.0.0', main: 'index.js' }),
  );
  await writeFile(join(dir, 'packages', 'greeting', 'index.js'), 'module.exports = "hello";\n');
  await writeFile(
    join(dir, 'packages', 'bundler', 'package.json'),
    JSON.stringify({ name: 'bundler', version: '1.0.0', bin: { bundle: 'bin/bundle.js' } }),
  );
  await writeFile(
    join(dir, 'packages', 'bundler', 'bin', 'bundle.js'),
    '#!/usr/bin/env node\nrequire("fs").writeFileSync("dist.txt", "bundled\\n");\n',
    { mode: 0o755 },
  );
  await writeFile(
    join(dir, 'server.js'),
    `require('http').createServer((q, s) => s.end(require('greeting') + ' ' + process.env.NODE_ENV + ' ' + require('fs').readFileSync('dist.txt', 'utf8'))).listen(process.env.PORT, '127.0.0.1');\n`,
  );
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'app',
      private: true,
      scripts: { build: 'bundle', start: 'node server.js' },
      dependencies: { greeting: 'file:./packages/greeting' },
      devDependencies: { bundler: 'file:./packages/bundler' },
      ...extra,
    }),
  );
}

describe('the node builder', () => {
  it('installs with dev dependencies, builds, then prunes them; the app runs with NODE_ENV=production', async () => {
    const dir = join(root, 'app');
    await writeApp(dir);

    const result = await build(dir);

    const commands = lines.filter((line) => line.startsWith('$ '));
    expect(commands).toEqual([
      '$ npm install --no-audit --no-fund --include=dev',
      '$ npm run build',
      '$ npm prune --omit=dev --no-audit --no-fund',
    ]);
    expect(await exists(join(dir, 'node_modules', 'greeting'))).toBe(true);
    expect(await exists(join(dir, 'node_modules', 'bundler'))).toBe(false);
    const web = await startBuiltProcess(
      dir,
      `${result.runtimePrefix ?? ''} ${result.processes['web']?.command ?? ''}`,
      {
        PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`,
      },
    );
    expect(await (await fetch(web.url)).text()).toBe('hello production bundled\n');
  });

  it('keeps a NODE_ENV the config sets', async () => {
    const dir = join(root, 'app');
    await writeApp(dir);
    const result = await build(dir);
    const web = await startBuiltProcess(
      dir,
      `${result.runtimePrefix ?? ''} ${result.processes['web']?.command ?? ''}`,
      {
        PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`,
        NODE_ENV: 'staging',
      },
    );
    expect(await (await fetch(web.url)).text()).toBe('hello staging bundled\n');
  });

  it('fails before installing anything when engines.node is not the machine node, saying both', async () => {
    const dir = join(root, 'app');
    await writeApp(dir, { engines: { node: '>=99' } });

    const error = await build(dir).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      code: 'BUILD_FAILED',
      details: { required: '>=99', available: process.version.slice(1) },
    });
    expect((error as Error).message).toContain(`requires node >=99 (engines.node)`);
    expect(lines.filter((line) => line.startsWith('$ '))).toEqual([]);
  });

  it('takes node_modules from the build cache when the lockfile and node are unchanged, running no install', async () => {
    const cacheDir = join(root, 'cache');
    const template = join(root, 'template');
    await writeApp(template);
    await run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: template });

    const first = join(root, 'first');
    await run('cp', ['-a', template, first]);
    await build(first, { cacheDir });
    expect(lines.filter((line) => line.startsWith('$ npm ci'))).toHaveLength(1);

    lines = [];
    const second = join(root, 'second');
    await run('cp', ['-a', template, second]);
    await writeFile(join(second, 'server.js'), (await readFile(join(second, 'server.js'), 'utf8')) + '// changed\n');
    await build(second, { cacheDir });
    expect(lines.filter((line) => line.startsWith('$ npm ci'))).toHaveLength(0);
    expect(lines.filter((line) => line.includes('node_modules from the build cache'))).toHaveLength(1);
    // The build and the prune still ran on the copy; the cached entry keeps the dev dependencies for the next build.
    expect(await readFile(join(second, 'dist.txt'), 'utf8')).toBe('bundled\n');
    expect(await exists(join(second, 'node_modules', 'bundler'))).toBe(false);

    lines = [];
    const bumped = join(root, 'bumped');
    await run('cp', ['-a', template, bumped]);
    const pkg = JSON.parse(await readFile(join(bumped, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(bumped, 'package.json'), JSON.stringify({ ...pkg, version: '2.0.0' }));
    await build(bumped, { cacheDir });
    expect(
      lines.filter((line) => line.startsWith('$ npm ci')),
      'a new version number keeps the entry',
    ).toHaveLength(0);

    lines = [];
    const other = join(root, 'other-project');
    await run('cp', ['-a', template, other]);
    await build(other, { cacheDir, scope: 'project-2' });
    expect(
      lines.filter((line) => line.startsWith('$ npm ci')),
      'another project never shares an entry',
    ).toHaveLength(1);
  });
});
