/**
 * Everyday CLI behaviour through the real CLI against a real slipwayd: output piped into a reader that stops early,
 * a declined confirmation, a mistyped project, projects, counts in the singular, and an app with no release yet.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '@slipway/testkit';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('the CLI day to day', () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    scratch = await mkdtemp(join(tmpdir(), 'slipway-everyday-'));
    expect((await slipwayd.cli(['apps', 'create', 'idle'])).code).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  it('stops quietly when the reader of its output goes away (slipway status | head)', async () => {
    const child = spawn(process.execPath, [cliEntry, 'status'], {
      cwd: repoRoot,
      env: { ...process.env, ...slipwayd.cliEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the first line is written.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  describe(
    'a declined deletion',
    skipUnless({ isAvailable: hasScript, reason: 'script(1) gives the CLI a terminal' }),
    () => {
      it('exits non-zero and deletes nothing', () => {
        const env = { ...process.env, ...slipwayd.cliEnv() };
        const result = spawnSync('script', ['-qec', `${process.execPath} ${cliEntry} apps delete idle`, '/dev/null'], {
          cwd: repoRoot,
          env,
          input: 'no\n',
          encoding: 'utf8',
        });
        expect(result.stdout).toContain('not confirmed; nothing deleted');
        expect(result.status).toBe(1);
      });
    },
  );

  it('refuses a project that does not exist instead of creating it, and creates one when asked', async () => {
    const typo = await slipwayd.cli(['apps', 'create', 'shop-web', '--project', 'shpo']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('error: PROJECT_NOT_FOUND: no project named "shpo"');
    expect(typo.stderr).toContain('hint: list the projects with: slipway projects list');
    const listed = await slipwayd.cli(['projects', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { projects: Array<{ name: string }> }).projects.map((p) => p.name)).toEqual([
      'default',
    ]);

    const created = await slipwayd.cli(['projects', 'create', 'shop']);
    expect(created.code, created.stderr).toBe(0);
    expect((await slipwayd.cli(['apps', 'create', 'shop-web', '--project', 'shop'])).code).toBe(0);
    const asked = await slipwayd.cli(['apps', 'create', 'blog-web', '--project', 'blog', '--create-project']);
    expect(asked.code, asked.stderr).toBe(0);

    const table = await slipwayd.cli(['projects', 'list']);
    expect(table.stdout).toMatch(/^shop\s+1 app\s/m);
    expect(table.stdout).toMatch(/^default\s+1 app\s/m);
    const show = await slipwayd.cli(['projects', 'show', 'shop']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^shop-web\s+production\s/m);
    const missing = await slipwayd.cli(['projects', 'show', 'nope']);
    expect(missing.stderr).toContain('error: PROJECT_NOT_FOUND');
  });

  it('says an app has no release yet rather than 0/0 healthy', async () => {
    const status = await slipwayd.cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^idle\s+production\s+-.*no release yet/m);
    expect(status.stdout).not.toContain('0/0');
    const list = await slipwayd.cli(['apps', 'list']);
    expect(list.stdout).toMatch(/^idle\s+default\s+production\s+no release yet/m);
  });

  it('counts one thing in the singular', async () => {
    const site = join(scratch, 'one-file-site');
    await mkdir(site);
    await writeFile(join(site, 'index.html'), '<h1>one</h1>\n');
    expect((await slipwayd.cli(['apps', 'create', 'one'])).code).toBe(0);
    const deploy = await slipwayd.cli(['deploy', 'one', '--path', site]);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain('copied 1 file\n');
    const status = await slipwayd.cli(['status']);
    expect(status.stdout).toMatch(/, 1 route\n/);
  });
});
