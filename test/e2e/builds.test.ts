/**
 * Building real apps through the real CLI and slipwayd: a Python app whose Procfile runs an installed entry point, a
 * release command that runs once before the rollout (and fails a deployment while the old release keeps serving),
 * git-ignored secrets that never reach the release, and a redeploy that takes its dependencies from the build cache.
 * Python packages come from a local wheel: no index is reached.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPythonWheel, offlinePipEnv, waitFor, writePythonPackage } from '@slipway/testkit';
import { SlipwaydHarness } from './slipwayd-harness.js';

const run = promisify(execFile);
const sentinel = 'SENTINEL-SECRET-9d2e71';

describe('building real apps', () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;
  let appDir: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-builds-'));
    appDir = join(scratch, 'app');
    // Inside the source, so a sandboxed build sees it too; found relative to the build's working directory.
    const wheelsDir = join(appDir, 'wheels');
    await writePythonPackage(join(scratch, 'greetserve'), {
      name: 'greetserve',
      module: 'greetserve',
      script: 'greetserve',
      greeting: 'served by gunicorn-like entry point',
    });
    await buildPythonWheel(join(scratch, 'greetserve'), wheelsDir);
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: offlinePipEnv('wheels') });

    await writeFile(join(appDir, 'requirements.txt'), 'greetserve==1.0\n');
    await writeFile(
      join(appDir, 'Procfile'),
      'web: greetserve\nrelease: echo "migrating for release $SLIPWAY_RELEASE"\n',
    );
    await writeFile(join(appDir, '.gitignore'), '.env\n');
    await writeFile(join(appDir, '.env'), `SECRET_KEY=${sentinel}\n`);
    const git = (...args: string[]) => run('git', ['-C', appDir, ...args]);
    await git('init', '-q');
    await git('add', '.');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'app');
    const created = await slipwayd.cli(['apps', 'create', 'pyapp']);
    expect(created.code, created.stderr).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  const deploy = () => slipwayd.cli(['deploy', 'pyapp', '--path', appDir]);
  const releaseDirs = async (): Promise<string[]> =>
    (await readdir(join(slipwayd.dataDir, 'releases'))).map((name) => join(slipwayd.dataDir, 'releases', name));

  it('runs a Procfile entry point installed from requirements.txt, after the release command ran once', async () => {
    const result = await deploy();

    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.match(/migrating for release 1/g)).toHaveLength(1);
    await waitFor(async () => expect((await slipwayd.edge('pyapp.localhost')).body).toContain('gunicorn-like'));
    const ps = await slipwayd.cli(['ps', 'pyapp', '--json']);
    expect(ps.stdout).not.toContain('"release"');
  });

  it('never copies a git-ignored .env into the release', async () => {
    const [releaseDir] = await releaseDirs();
    const files = await readdir(releaseDir ?? '', { recursive: true });
    expect(files).not.toContain('.env');
    for (const file of files.filter((name) => !name.startsWith('.venv'))) {
      const text = await readFile(join(releaseDir ?? '', file)).catch(() => Buffer.alloc(0));
      expect(text.includes(sentinel), file).toBe(false);
    }
  });

  it('takes the virtualenv from the build cache on a redeploy of the same requirements', async () => {
    const result = await deploy();

    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('.venv from the build cache');
    expect(result.stdout).not.toContain('pip install');
  });

  it('refuses a Node app whose engines.node the machine does not satisfy, saying both versions', async () => {
    const nodeApp = join(scratch, 'node-app');
    await mkdir(nodeApp);
    await writeFile(
      join(nodeApp, 'package.json'),
      JSON.stringify({ name: 'n', engines: { node: '>=99' }, scripts: { start: 'node server.js' } }),
    );
    await writeFile(join(nodeApp, 'server.js'), '');
    await slipwayd.cli(['apps', 'create', 'nodeapp']);

    const result = await slipwayd.cli(['deploy', 'nodeapp', '--path', nodeApp]);

    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(
      `package.json requires node >=99 (engines.node), and this machine builds and runs apps with node ${process.version.slice(1)}`,
    );
  });

  it('fails the deployment when the release command fails, and the previous release keeps serving', async () => {
    await writeFile(join(appDir, 'Procfile'), 'web: greetserve\nrelease: echo "migration broke"; exit 4\n');

    const result = await deploy();

    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('RELEASE_COMMAND_FAILED');
    expect(result.stdout + result.stderr).toContain('migration broke');
    expect((await slipwayd.edge('pyapp.localhost')).body).toContain('gunicorn-like');
  });
});
