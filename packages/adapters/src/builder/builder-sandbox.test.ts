import { mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPythonWheel, offlinePipEnv, skipUnless, writePythonPackage } from '@slipway/testkit';
import { killStarted, startBuiltProcess } from './built-process-test-harness.js';
import { createProcessSandbox } from '../sandbox/process-sandbox.js';
import { sandboxSkipReason } from '../sandbox/sandbox-test-support.js';
import { createSandboxUsers } from '../sandbox/sandbox-users.js';
import { createBuilder } from './builder.js';

const skipReason = sandboxSkipReason();
const staticServerPath = fileURLToPath(new URL('../../assets/static-server.mjs', import.meta.url));

/** A build command that tries to leave its sandbox and records what each attempt did in `escapes.txt`. */
const escapingBuild = (dataDir: string, otherRelease: string): string =>
  [
    `(cat ${dataDir}/master.key && echo ESCAPED) > escapes.txt 2>&1`,
    `(cat ${dataDir}/admin-token && echo ESCAPED) >> escapes.txt 2>&1`,
    `(cat ${otherRelease}/secret.txt && echo ESCAPED) >> escapes.txt 2>&1`,
    `(touch ${dataDir}/planted && echo ESCAPED) >> escapes.txt 2>&1`,
    `(touch /etc/planted && echo ESCAPED) >> escapes.txt 2>&1`,
    'echo built > built.txt',
    'echo scratch > /tmp/scratch.txt && cat /tmp/scratch.txt >> built.txt',
    'id -u > uid.txt',
  ].join('; ');

const sandbox = { isAvailable: skipReason === undefined, reason: skipReason ?? '' };

describe('builder, sandboxed', skipUnless(sandbox), () => {
  let dataDir = '';

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-build-sandbox-'));
    await writeFile(join(dataDir, 'master.key'), 'MASTER-KEY', { mode: 0o600 });
    await writeFile(join(dataDir, 'admin-token'), 'ADMIN-TOKEN', { mode: 0o600 });
  });

  afterEach(async () => {
    killStarted();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('picks a python the sandbox sees for .python-version, and the entry points it installs run from a copy', async () => {
    const sandbox = createProcessSandbox({
      users: createSandboxUsers({ file: join(dataDir, 'sandbox-users.json') }),
      hiddenPaths: [dataDir],
    });
    const builder = createBuilder({
      staticServerPath,
      sandbox,
      cache: { rootDir: join(dataDir, 'cache'), maxBytes: 1024 ** 3 },
    });
    const systemPython = await realpath('/usr/bin/python3');
    const version = /python(3\.\d+)$/.exec(systemPython)?.[1] ?? '3';
    const builds: string[][] = [];
    for (const name of ['deployment-1', 'deployment-2']) {
      const dir = join(dataDir, 'work', name);
      await writePythonPackage(join(dir, 'greetserve-src'), {
        name: 'greetserve',
        module: 'greetserve',
        script: 'greetserve',
        greeting: 'served in a sandbox',
      });
      await buildPythonWheel(join(dir, 'greetserve-src'), join(dir, 'wheels'));
      await writeFile(join(dir, 'requirements.txt'), 'greetserve==1.0\n');
      await writeFile(join(dir, 'Procfile'), 'web: greetserve\n');
      await writeFile(join(dir, '.python-version'), `${version}\n`);
      const lines: string[] = [];
      const result = await builder.build({
        dir,
        manifest: {},
        env: offlinePipEnv('wheels'),
        image: { repository: 'slipway-test/app', tag: 'test', labels: {} },
        secrets: {},
        log: (line) => lines.push(line),
        timeoutMs: 120_000,
        scope: 'project-python',
      });
      builds.push(lines);
      const web = await startBuiltProcess(
        dir,
        `${result.runtimePrefix ?? ''} ${result.processes['web']?.command ?? ''}`,
      );
      expect(await (await fetch(web.url)).text()).toBe('served in a sandbox\n');
      await web.stop();
    }
    const [first = [], second = []] = builds;
    const picked = first.find((line) => line.startsWith(`python ${version}.`)) ?? '';
    expect(picked).toContain('.python-version');
    expect(picked).not.toContain('/root/');
    expect(second.filter((line) => line.includes('.venv from the build cache'))).toHaveLength(1);
  });

  it("runs build steps as the project's user, seeing neither the data dir nor another release, writing only its tree and scratch dir", async () => {
    const sandbox = createProcessSandbox({
      users: createSandboxUsers({ file: join(dataDir, 'sandbox-users.json') }),
      hiddenPaths: [dataDir],
    });
    const builder = createBuilder({ staticServerPath, sandbox });
    const otherRelease = join(dataDir, 'releases', 'other');
    await mkdir(otherRelease, { recursive: true });
    await writeFile(join(otherRelease, 'secret.txt'), 'OTHER-SECRET', { mode: 0o644 });
    const dir = join(dataDir, 'work', 'deployment-1');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Procfile'), 'web: exec sleep 1000\n');
    const lines: string[] = [];

    await builder.build({
      dir,
      manifest: { build: { builder: 'procfile', timeoutSeconds: 60, command: escapingBuild(dataDir, otherRelease) } },
      env: {},
      image: { repository: 'slipway-test/app', tag: 'test', labels: {} },
      secrets: {},
      log: (line) => lines.push(line),
      timeoutMs: 60_000,
      scope: 'project-alpha',
    });

    const escapes = await readFile(join(dir, 'escapes.txt'), 'utf8');
    expect(escapes).not.toContain('ESCAPED');
    expect(escapes).not.toContain('MASTER-KEY');
    expect(escapes).not.toContain('ADMIN-TOKEN');
    expect(escapes).not.toContain('OTHER-SECRET');
    expect(escapes.trim().split('\n')).toHaveLength(5);
    expect(await readFile(join(dir, 'built.txt'), 'utf8')).toBe('built\nscratch\n');
    const uid = Number((await readFile(join(dir, 'uid.txt'), 'utf8')).trim());
    expect(uid).toBeGreaterThan(0);
    expect((await stat(join(dir, 'built.txt'))).uid).toBe(uid);
    await expect(stat(join(dataDir, 'planted'))).rejects.toMatchObject({ code: 'ENOENT' });
    // The scratch dir goes with the build.
    await expect(stat(`${dir}.scratch`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
