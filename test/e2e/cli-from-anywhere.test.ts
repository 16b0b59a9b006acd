/**
 * The CLI on the machine that runs slipwayd works from any directory: slipwayd registers its data dir in the user's
 * config at start, and the CLI finds the admin token (and the API URL) there. Without it, the hint names fixes that
 * work — and following one does.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

describe('the CLI from a directory outside the repository', () => {
  let slipwayd: SlipwaydHarness;
  let elsewhere: string;
  /** The CLI in a directory with no `.slipway` above it, its home and config of its own. */
  const cliElsewhere = (args: string[], env: Record<string, string | undefined>) =>
    slipwayd.cli(args, {
      cwd: elsewhere,
      env: { SLIPWAY_DATA_DIR: undefined, HOME: elsewhere, XDG_CONFIG_HOME: undefined, ...env },
    });

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    elsewhere = await mkdtemp(join(tmpdir(), 'slipway-cli-anywhere-'));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('registers the API URL and the data dir in the user config when slipwayd starts', async () => {
    const file = JSON.parse(await readFile(join(slipwayd.slipwaydConfigHome, 'slipway', 'servers.json'), 'utf8')) as {
      servers: Array<{ apiUrl: string; dataDir: string; pid: number }>;
    };
    expect(file.servers).toEqual([expect.objectContaining({ apiUrl: slipwayd.url, dataDir: slipwayd.dataDir })]);
    expect(file.servers[0]?.pid).toBe(slipwayd.pid);
  });

  it('acts as the owner from anywhere with the config slipwayd registered in, even with no API URL given', async () => {
    const config = { XDG_CONFIG_HOME: slipwayd.slipwaydConfigHome };
    const whoami = await cliElsewhere(['whoami', '--json'], config);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: { name: 'admin' }, credential: { name: 'admin-token' } });

    // The only running slipwayd registered, on another port than the default: the CLI talks to it.
    const noUrl = await cliElsewhere(['apps', 'create', 'anywhere'], { ...config, SLIPWAY_API_URL: undefined });
    expect(noUrl.code, noUrl.stderr).toBe(0);
    const list = await cliElsewhere(['apps', 'list', '--json'], config);
    expect(JSON.parse(list.stdout)).toMatchObject({ apps: [expect.objectContaining({ name: 'anywhere' })] });
  });

  it('with no registration, names the fixes in its hint, and the one it names first works', async () => {
    const unregistered = await cliElsewhere(['apps', 'list'], {});
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain('error: UNAUTHENTICATED:');
    expect(unregistered.stderr).toContain(`hint: no credential found for ${slipwayd.url}.`);
    expect(unregistered.stderr).toContain(join(elsewhere, '.config', 'slipway', 'servers.json'));
    expect(unregistered.stderr).toContain('set SLIPWAY_DATA_DIR to the data dir');
    expect(unregistered.stderr).not.toContain('hint: log in with');

    const followed = await cliElsewhere(['apps', 'list'], { SLIPWAY_DATA_DIR: slipwayd.dataDir });
    expect(followed.code, followed.stderr).toBe(0);
  });

  it('says how a user gets a password when a login is refused', async () => {
    const result = await slipwayd.cli(['login', 'admin', '--password-stdin'], {
      cwd: elsewhere,
      input: 'not the password\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: UNAUTHENTICATED');
    expect(result.stderr).toContain('(slipway users set-password admin)');
    expect(result.stderr).not.toContain('no credential found');
  });

  it('says a refused token is refused, not that a login is missing', async () => {
    const result = await cliElsewhere(['apps', 'list'], { SLIPWAY_TOKEN: 'swt_not-a-real-token' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hint: the token from SLIPWAY_TOKEN was refused');
  });

  it('runs from a link to its entry point on the PATH, the faster way than npx', async () => {
    const bin = join(elsewhere, 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(join(repoRoot, 'apps', 'cli', 'bin', 'slipway.mjs'), join(bin, 'slipway'));
    const result = spawnSync('slipway', ['whoami', '--json'], {
      cwd: elsewhere,
      env: {
        ...process.env,
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
        HOME: elsewhere,
        XDG_CONFIG_HOME: slipwayd.slipwaydConfigHome,
        SLIPWAY_DATA_DIR: undefined,
        SLIPWAY_API_URL: undefined,
      },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ user: { name: 'admin' } });
  });
});
