import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestIssues, manifestSchema, type Manifest } from '@slipway/contract';
import type { BuildResult } from '@slipway/core';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBuilder } from './builder.js';

const fixturesDir = fileURLToPath(new URL('../../../../test/fixtures/apps/', import.meta.url));
const staticServerPath = fileURLToPath(new URL('../../assets/static-server.mjs', import.meta.url));
const builder = createBuilder({ staticServerPath });

let root: string;
let lines: string[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-builder-'));
  lines = [];
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function copyFixture(name: string): Promise<string> {
  const dir = join(root, name);
  await cp(join(fixturesDir, name), dir, { recursive: true });
  return dir;
}

async function manifestOf(dir: string): Promise<Manifest> {
  const text = await readFile(join(dir, 'slipway.yaml'), 'utf8').catch(() => undefined);
  return text === undefined ? {} : manifestSchema.parse(parseYaml(text) ?? {});
}

async function build(
  dir: string,
  options: { manifest?: Manifest; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<BuildResult> {
  return builder.build({
    dir,
    manifest: options.manifest ?? (await manifestOf(dir)),
    env: { APP_GREETING: 'hi' },
    image: { repository: 'slipway-test/app', tag: 'test', labels: {} },
    secrets: {},
    log: (line) => lines.push(line),
    timeoutMs: options.timeoutMs ?? 120_000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Processes the tests started, so a failed assertion never leaves one running. */
const started = new Set<ChildProcess>();

afterEach(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
});

/** Starts a built process command the way a runtime would (`sh -c` in the artifact) and waits until it answers. */
async function startProcess(dir: string, command: string) {
  const port = await freePort();
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: dir,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await fetch(url);
      break;
    } catch (error) {
      if (attempt > 100 || child.exitCode !== null)
        throw new Error(`process did not start: ${output}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    output: () => output,
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/** Processes of a group that are still running (zombies waiting for a busy init to reap them do not count). */
async function livingMembersOf(pgid: number): Promise<number[]> {
  const living: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(join('/proc', name, 'stat'), 'utf8').catch(() => '');
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z') living.push(Number(name));
  }
  return living;
}

async function isGroupGone(pgid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    if ((await livingMembersOf(pgid)).length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('the builder on the fixture apps', () => {
  it('builds hello-node without an install (it has no dependencies) and its start command serves and stops cleanly', async () => {
    const dir = await copyFixture('hello-node');
    const result = await build(dir);

    expect(result).toEqual({
      builder: 'node',
      processes: { web: { command: 'PATH="$PWD/node_modules/.bin:$PATH" exec node server.js' } },
      runtimePrefix: 'export PATH="$PWD/node_modules/.bin:$PATH" NODE_ENV="${NODE_ENV:-production}";',
    });
    expect(lines.some((line) => line.includes('npm install') || line.includes('npm ci'))).toBe(false);

    const web = await startProcess(dir, result.processes['web']?.command ?? '');
    expect(await (await fetch(web.url)).text()).toMatch(/^hello from release v1\b/);
    expect(await (await fetch(`${web.url}/healthz`)).json()).toEqual({ ok: true });
    expect(await web.stop()).toBe(0);
    expect(web.output()).toContain('GET /healthz');
  });

  it('builds hello-static with the built-in static server as its web process', async () => {
    const dir = await copyFixture('hello-static');
    const result = await build(dir);

    expect(result.builder).toBe('static');
    expect(result.processes['web']?.command).toBe(`exec ${process.execPath} ${staticServerPath} --dir .`);
    const web = await startProcess(dir, result.processes['web']?.command ?? '');
    expect(await (await fetch(web.url)).text()).toContain('hello from a static site');
    expect((await fetch(`${web.url}/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await web.stop()).toBe(0);
  });

  it('builds hello-python with no virtualenv (no requirements.txt) and its app serves and stops cleanly', async () => {
    const dir = await copyFixture('hello-python');
    const result = await build(dir);

    expect(result).toEqual({ builder: 'python', processes: { web: { command: 'exec python3 -u app.py' } } });
    const web = await startProcess(dir, result.processes['web']?.command ?? '');
    expect(await (await fetch(web.url)).text()).toBe('hello from python release v1\n');
    expect(await web.stop()).toBe(0);
  });

  it('builds hello-procfile from its Procfile alone, with both process types', async () => {
    const dir = await copyFixture('hello-procfile');
    const result = await build(dir);
    expect(result).toEqual({
      builder: 'procfile',
      processes: { web: { command: 'node server.js' }, worker: { command: 'node worker.js' } },
    });
  });

  it('builds crash-on-start and never-healthy like any node app (they fail later, at run time)', async () => {
    for (const name of ['crash-on-start', 'never-healthy']) {
      const result = await build(await copyFixture(name));
      expect(result.builder).toBe('node');
      expect(result.processes['web']?.command).toContain('exec node server.js');
    }
  });

  it('fails build-fails with BUILD_FAILED naming the command, exit code 7 and the last output line', async () => {
    const dir = await copyFixture('build-fails');
    const error = await build(dir).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BUILD_FAILED', details: { command: 'npm run build', exitCode: 7 } });
    expect((error as Error).message).toContain('npm run build');
    expect((error as Error).message).toContain('error: something is broken');
    expect(lines).toContain('compiling…');
  });

  it('has a valid slipway.yaml in every fixture except bad-manifest, which fails at processes.web.replicas', async () => {
    for (const name of ['hello-node', 'never-healthy']) {
      expect(
        manifestSchema.safeParse(parseYaml(await readFile(join(fixturesDir, name, 'slipway.yaml'), 'utf8'))).success,
        name,
      ).toBe(true);
    }
    const bad = manifestSchema.safeParse(
      parseYaml(await readFile(join(fixturesDir, 'bad-manifest', 'slipway.yaml'), 'utf8')),
    );
    expect(bad.success).toBe(false);
    expect(bad.error === undefined ? [] : manifestIssues(bad.error).map((issue) => issue.path)).toEqual([
      'processes.web.replicas',
    ]);
  });
});

describe('the node builder', () => {
  it('runs the real npm install for a dependency, then the build script with dependency binaries on PATH', async () => {
    const dir = join(root, 'with-deps');
    await mkdir(join(dir, 'greeter', 'bin'), { recursive: true });
    await writeFile(
      join(dir, 'greeter', 'package.json'),
      JSON.stringify({ name: 'greeter', version: '1.0.0', bin: { greet: 'bin/greet.js' } }),
    );
    await writeFile(
      join(dir, 'greeter', 'bin', 'greet.js'),
      '#!/usr/bin/env node\nconsole.log(`greetings, ${process.env.APP_GREETING}`);\n',
      { mode: 0o755 },
    );
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'with-deps',
        private: true,
        scripts: { build: 'greet > built.txt', start: 'greet && node server.js' },
        devDependencies: { greeter: 'file:./greeter' },
      }),
    );

    const result = await build(dir);

    expect(lines).toContain('$ npm install --no-audit --no-fund --include=dev');
    expect(lines).toContain('$ npm run build');
    expect(await readFile(join(dir, 'built.txt'), 'utf8')).toBe('greetings, hi\n');
    // A compound start script keeps running its second command: no `exec` in front.
    expect(result.processes['web']?.command).toBe('PATH="$PWD/node_modules/.bin:$PATH" greet && node server.js');
  });

  it('runs build.command instead of the build script, and falls back to node <main> without a start script', async () => {
    const dir = join(root, 'main-entry');
    await mkdir(dir);
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'x', main: 'app.js', scripts: { build: 'exit 3' } }),
    );
    await writeFile(join(dir, 'app.js'), '');
    const result = await build(dir, {
      manifest: { build: { builder: 'auto', command: 'echo custom > custom.txt', timeoutSeconds: 60 } },
    });
    expect(await readFile(join(dir, 'custom.txt'), 'utf8')).toBe('custom\n');
    expect(result.processes).toEqual({ web: { command: 'exec node app.js' } });
  });
});

describe('the python builder', () => {
  it('creates a virtualenv when there is a requirements.txt and runs the app with its python', async () => {
    const dir = await copyFixture('hello-python');
    await writeFile(join(dir, 'requirements.txt'), '# standard library only\n');
    const result = await build(dir);
    expect(result.processes['web']?.command).toBe('exec python -u app.py');
    expect(result.runtimePrefix).toContain('export PATH="$PWD/.venv/bin:$PATH"');
    expect((await stat(join(dir, '.venv', 'bin', 'python'))).isFile()).toBe(true);
  });
});

describe('detection and overrides', () => {
  it('lets a Procfile override the builder default and the manifest pick the builder', async () => {
    const dir = await copyFixture('hello-node');
    await writeFile(join(dir, 'Procfile'), 'web: node server.js --verbose\nclock: node clock.js\n');
    const result = await build(dir);
    expect(result.processes).toEqual({
      web: { command: 'node server.js --verbose' },
      clock: { command: 'node clock.js' },
    });

    const forced = await build(dir, { manifest: { build: { builder: 'procfile', timeoutSeconds: 60 } } });
    expect(forced.builder).toBe('procfile');
  });

  it('serves public/ when index.html lives there, or build.publicDir once the build command made it', async () => {
    const dir = join(root, 'site');
    await mkdir(join(dir, 'public'), { recursive: true });
    await writeFile(join(dir, 'public', 'index.html'), 'hi');
    expect((await build(dir)).processes['web']?.command).toMatch(/--dir public$/);

    const generated = join(root, 'generated');
    await mkdir(generated);
    await writeFile(join(generated, 'Procfile'), 'worker: sleep 1\n');
    const result = await build(generated, {
      manifest: {
        build: {
          builder: 'static',
          command: 'mkdir -p out/site && echo hi > out/site/index.html',
          publicDir: 'out/site/',
          timeoutSeconds: 60,
        },
      },
    });
    expect(result.processes['web']?.command).toMatch(/--dir out\/site$/);
    expect(result.processes['worker']).toEqual({ command: 'sleep 1' });
  });

  it('fails with BUILDER_NOT_DETECTED listing what it looked for when nothing fits', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    await writeFile(join(dir, 'README.md'), 'nothing to run');
    const error = await build(dir).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BUILDER_NOT_DETECTED' });
    for (const marker of ['package.json', 'requirements.txt', 'app.py', 'index.html', 'Procfile'])
      expect((error as Error).message).toContain(marker);
  });
});

describe('limits', () => {
  it('kills a build that outlives its timeout with BUILD_TIMEOUT, leaving no process of it behind', async () => {
    const dir = await copyFixture('hello-procfile');
    const startedAt = Date.now();
    const error = await build(dir, {
      manifest: { build: { builder: 'auto', command: 'echo $$ > build.pid; sleep 30 & sleep 30', timeoutSeconds: 60 } },
      timeoutMs: 500,
    }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'BUILD_TIMEOUT' });
    expect(Date.now() - startedAt).toBeLessThan(5000);
    const pgid = Number(await readFile(join(dir, 'build.pid'), 'utf8'));
    expect(await livingMembersOf(pgid)).toEqual([]);
  });

  it('kills the build when the deployment is cancelled', async () => {
    const dir = await copyFixture('hello-procfile');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error = await build(dir, {
      manifest: { build: { builder: 'auto', command: 'echo $$ > build.pid; sleep 30', timeoutSeconds: 60 } },
      signal: controller.signal,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INTERRUPTED' });
    expect(await isGroupGone(Number(await readFile(join(dir, 'build.pid'), 'utf8')))).toBe(true);
  });

  it('keeps the control plane environment out of build commands but passes the app config', async () => {
    const dir = await copyFixture('hello-procfile');
    process.env['SLIPWAY_TEST_SECRET'] = 'do-not-leak';
    try {
      await build(dir, {
        manifest: {
          build: {
            builder: 'auto',
            command: 'echo "secret=${SLIPWAY_TEST_SECRET:-none} greeting=$APP_GREETING"',
            timeoutSeconds: 60,
          },
        },
      });
    } finally {
      delete process.env['SLIPWAY_TEST_SECRET'];
    }
    expect(lines).toContain('secret=none greeting=hi');
  });
});
