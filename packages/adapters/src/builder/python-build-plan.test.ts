import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { BuildResult } from '@slipway/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuilder } from './builder.js';
import { buildPythonWheel, offlinePipEnv, writePythonPackage } from '@slipway/testkit';
import { killStarted, startBuiltProcess } from './built-process-test-harness.js';
import { parsePythonVersion } from './python-interpreter.js';

const staticServerPath = fileURLToPath(new URL('../../assets/static-server.mjs', import.meta.url));
const run = promisify(execFile);

let root: string;
let lines: string[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-python-build-'));
  lines = [];
});

afterEach(async () => {
  killStarted();
  await rm(root, { recursive: true, force: true });
});

async function build(dir: string, env: Record<string, string>, options: { cacheDir?: string } = {}) {
  const builder = createBuilder({
    staticServerPath,
    ...(options.cacheDir === undefined ? {} : { cache: { rootDir: options.cacheDir, maxBytes: 1024 ** 3 } }),
  });
  return builder.build({
    dir,
    manifest: {},
    env,
    image: { repository: 'slipway-test/app', tag: 'test', labels: {} },
    secrets: {},
    log: (line) => lines.push(line),
    timeoutMs: 120_000,
    scope: 'project-1',
  });
}

/** The release's command as the runtime runs it: the builder's run-time prefix, then the process command. */
const commandOf = (result: BuildResult, process: string): string =>
  `${result.runtimePrefix ?? ''} ${result.processes[process]?.command ?? ''}`;

/** The build workspace becomes `.slipway/releases/<id>`: the tree moves, and where it was built is gone. */
async function promote(dir: string): Promise<string> {
  const releaseDir = join(root, 'releases', 'rel_1');
  await mkdir(join(root, 'releases'), { recursive: true });
  await rename(dir, releaseDir);
  return releaseDir;
}

/** A wheel of a package with a console script that serves HTTP, as gunicorn is for a Flask app. */
async function buildServerWheel(): Promise<string> {
  const packageDir = join(root, 'greetserve-src');
  const wheelsDir = join(root, 'wheels');
  await writePythonPackage(packageDir, {
    name: 'greetserve',
    module: 'greetserve',
    script: 'greetserve',
    greeting: 'served by an installed entry point',
  });
  await buildPythonWheel(packageDir, wheelsDir);
  return wheelsDir;
}

describe('the python builder', () => {
  it('runs a Procfile entry point installed from requirements.txt after the release moved, with no PATH of its own', async () => {
    const wheelsDir = await buildServerWheel();
    const dir = join(root, 'workspace');
    await mkdir(dir);
    await writeFile(join(dir, 'requirements.txt'), 'greetserve==1.0\n');
    await writeFile(join(dir, 'Procfile'), 'web: greetserve\n');

    const result = await build(dir, offlinePipEnv(wheelsDir));
    const releaseDir = await promote(dir);

    const script = await readFile(join(releaseDir, '.venv', 'bin', 'greetserve'), 'utf8');
    expect(script).not.toContain(dir);
    const web = await startBuiltProcess(releaseDir, commandOf(result, 'web'));
    expect(await (await fetch(web.url)).text()).toBe('served by an installed entry point\n');
  });

  it('copies a cached virtualenv into a later build with the same requirements.txt, running no install', async () => {
    const wheelsDir = await buildServerWheel();
    const cacheDir = join(root, 'cache');
    for (const name of ['first', 'second']) {
      const dir = join(root, name);
      await mkdir(dir);
      await writeFile(join(dir, 'requirements.txt'), 'greetserve==1.0\n');
      await writeFile(join(dir, 'Procfile'), 'web: greetserve\n');
      lines = [];
      await build(dir, offlinePipEnv(wheelsDir), { cacheDir });
    }
    expect(lines.filter((line) => line.includes('-m venv') || line.includes('pip install'))).toEqual([]);
    expect(lines.filter((line) => line.includes('.venv from the build cache'))).toHaveLength(1);
    await rm(join(root, 'first'), { recursive: true });
    const result = await build(join(root, 'second'), offlinePipEnv(wheelsDir), { cacheDir });
    const web = await startBuiltProcess(await promote(join(root, 'second')), commandOf(result, 'web'));
    expect(await (await fetch(web.url)).text()).toBe('served by an installed entry point\n');
  });

  it('installs a pyproject.toml app itself, so its [project.scripts] entry point runs from the release', async () => {
    const dir = join(root, 'workspace');
    await writePythonPackage(dir, { name: 'myweb', module: 'app', script: 'myweb', greeting: 'hello from pyproject' });
    await writeFile(join(dir, 'Procfile'), 'web: myweb\n');

    const result = await build(dir, offlinePipEnv());
    expect(lines.some((line) => line.includes('-m pip install') && line.endsWith(' .'))).toBe(true);
    const releaseDir = await promote(dir);

    const web = await startBuiltProcess(releaseDir, commandOf(result, 'web'));
    expect(await (await fetch(web.url)).text()).toBe('hello from pyproject\n');
  });

  it('fails saying which Python the app asks for when the machine has none of that version', async () => {
    const dir = join(root, 'workspace');
    await mkdir(dir);
    await writeFile(join(dir, 'app.py'), 'print("hi")\n');
    await writeFile(join(dir, 'runtime.txt'), 'python-3.4.10\n');

    const error = await build(dir, {}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BUILD_FAILED', details: { asked: '3.4.10', file: 'runtime.txt' } });
    expect((error as Error).message).toContain('the app asks for Python 3.4.10 (runtime.txt)');
  });

  it('uses the python3.X on PATH that .python-version asks for', async () => {
    const { stdout } = await run('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
    const dir = join(root, 'workspace');
    await mkdir(dir);
    await writeFile(join(dir, 'app.py'), 'print("hi")\n');
    await writeFile(join(dir, '.python-version'), `${stdout.trim()}\n`);

    const result = await build(dir, {});
    expect(lines.some((line) => line.startsWith(`python ${stdout.trim()}.`) && line.includes('.python-version'))).toBe(
      true,
    );
    expect(result.processes['web']?.command).toMatch(/^exec \S*python3\.\d+ -u app\.py$/);
  });

  it('fails a uv.lock or poetry.lock app naming the tool it needs when the machine lacks it', async () => {
    for (const [lockfile, tool] of [
      ['uv.lock', 'uv'],
      ['poetry.lock', 'poetry'],
    ] as const) {
      const dir = join(root, lockfile);
      await mkdir(dir);
      await writeFile(join(dir, 'pyproject.toml'), '[project]\nname = "x"\nversion = "1"\n');
      await writeFile(join(dir, lockfile), '');
      const builder = createBuilder({ staticServerPath });
      const error = await builder
        .build({
          dir,
          manifest: {},
          env: { PATH: '/usr/bin:/bin' },
          image: { repository: 'r', tag: 't', labels: {} },
          secrets: {},
          log: () => undefined,
          timeoutMs: 60_000,
        })
        .catch((caught: unknown) => caught);
      expect(error, lockfile).toMatchObject({ code: 'BUILD_FAILED', details: { lockfile, tool } });
    }
  });

  it('reads the versions of .python-version and runtime.txt', () => {
    expect(parsePythonVersion('3.12\n')).toBe('3.12');
    expect(parsePythonVersion('# pinned\npython-3.11.7\n')).toBe('3.11.7');
    expect(parsePythonVersion('cpython-3.13')).toBe('3.13');
    expect(parsePythonVersion('pypy3.10')).toBeUndefined();
  });
});
