/**
 * The identity commands through the real CLI against a real slipwayd, as an operator would use them: the admin token
 * found in the data dir, a password for the owner, login and a saved session (refreshed when it expires), API tokens
 * created, used and revoked, and logout. Narrated in order: each step builds on the one before.
 */
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwaydHarness } from './slipwayd-harness.js';

describe('slipway login, tokens and users', () => {
  let slipwayd: SlipwaydHarness;
  /** A directory with no `.slipway` above it: the CLI finds no admin token from there. */
  let elsewhere: string;
  /** Runs the CLI as a user without the data dir at hand: only a saved login or a token identifies it. */
  const remote = (args: string[], env: Record<string, string | undefined> = {}, input?: string) =>
    slipwayd.cli(args, {
      cwd: elsewhere,
      env: { SLIPWAY_DATA_DIR: undefined, ...env },
      ...(input === undefined ? {} : { input }),
    });
  const credentialsFile = () => join(slipwayd.cliEnv()['XDG_CONFIG_HOME'] ?? '', 'slipway', 'credentials.json');
  const ownerPassword = 'the owner password, long enough';
  let tokenId = '';
  let tokenSecret = '';

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    elsewhere = await mkdtemp(join(tmpdir(), 'slipway-cli-elsewhere-'));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('acts as the owner with the admin token of the data dir, found by SLIPWAY_DATA_DIR or a .slipway above the cwd', async () => {
    const byEnv = await slipwayd.cli(['whoami', '--json']);
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(JSON.parse(byEnv.stdout)).toMatchObject({ user: { name: 'admin' }, credential: { name: 'admin-token' } });

    const project = join(elsewhere, 'project');
    await mkdir(join(project, 'src', 'deep'), { recursive: true });
    await symlink(slipwayd.dataDir, join(project, '.slipway'));
    const byWalkingUp = await slipwayd.cli(['whoami', '--json'], {
      cwd: join(project, 'src', 'deep'),
      env: { SLIPWAY_DATA_DIR: undefined },
    });
    expect(byWalkingUp.code, byWalkingUp.stderr).toBe(0);
    expect(JSON.parse(byWalkingUp.stdout)).toMatchObject({ user: { name: 'admin' } });
    await rm(join(project, '.slipway'));
  });

  it('says where the CLI looks for the admin token when it has no credential at all', async () => {
    const result = await remote(['apps', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: UNAUTHENTICATED:');
    expect(result.stderr).toContain(`hint: no credential found for ${slipwayd.url}.`);
    expect(result.stderr).toContain('set SLIPWAY_DATA_DIR to the data dir');
  });

  it('sets the owner password with the admin token, then logs in with it and saves the session (0600)', async () => {
    const set = await slipwayd.cli(['users', 'set-password', 'admin', '--password-stdin'], {
      input: `${ownerPassword}\n`,
    });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('password set for admin');

    const wrong = await remote(['login', 'admin', '--password-stdin'], {}, 'not the password\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('error: UNAUTHENTICATED: wrong user name or password');

    const noTerminal = await remote(['login', 'admin']);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toContain('--password-stdin');

    const login = await remote(['login', 'admin', '--password-stdin'], {}, `${ownerPassword}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`logged in to ${slipwayd.url} as admin`);
    expect((await stat(credentialsFile())).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(credentialsFile(), 'utf8')) as { logins: Record<string, unknown> };
    expect(Object.keys(saved.logins)).toEqual([slipwayd.url]);
    expect(JSON.stringify(saved)).not.toContain(ownerPassword);

    const whoami = await remote(['whoami', '--json']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: { name: 'admin' }, credential: { kind: 'session' } });
  });

  it('refreshes an expired access token transparently, rotating the saved refresh token', async () => {
    type Saved = {
      logins: Record<string, { accessTokenExpiresAt: string; refreshToken: string; accessToken: string }>;
    };
    const before = JSON.parse(await readFile(credentialsFile(), 'utf8')) as Saved;
    const login = before.logins[slipwayd.url];
    if (login === undefined) throw new Error('no saved login');
    login.accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    await writeFile(credentialsFile(), JSON.stringify(before));

    const result = await remote(['apps', 'list', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const after = (JSON.parse(await readFile(credentialsFile(), 'utf8')) as Saved).logins[slipwayd.url];
    expect(after?.refreshToken).not.toBe(login.refreshToken);
    expect(after?.accessToken).not.toBe(login.accessToken);
    expect(Date.parse(after?.accessTokenExpiresAt ?? '')).toBeGreaterThan(Date.now());
  });

  it('creates a narrowed, expiring token shown once, lists it, and uses it with SLIPWAY_TOKEN', async () => {
    await slipwayd.api.projects.create({ name: 'acme' });
    const created = await remote([
      'tokens',
      'create',
      'ci deploy',
      '--project',
      'acme',
      '--role',
      'deployer',
      '--expires-in',
      '30d',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const answer = JSON.parse(created.stdout) as { token: { id: string; expiresAt: string }; secret: string };
    expect(answer.token).toMatchObject({ name: 'ci deploy', project: 'acme', role: 'deployer', user: 'admin' });
    expect(Date.parse(answer.token.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    tokenId = answer.token.id;
    tokenSecret = answer.secret;

    const plain = await remote(['tokens', 'create', 'plain']);
    expect(plain.stdout.trim()).toMatch(/^slw_/);
    expect(plain.stderr).toContain('only time its secret is shown');

    const list = await remote(['tokens', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${tokenId}\\s+ci deploy\\s+acme\\s+deployer\\s+active`));
    expect(list.stdout).not.toContain(tokenSecret);

    const asToken = await remote(['whoami', '--json'], { SLIPWAY_TOKEN: tokenSecret });
    expect(JSON.parse(asToken.stdout)).toMatchObject({
      credential: { kind: 'api-token', id: tokenId },
      grants: [{ role: 'deployer', project: 'acme' }],
    });
    const byFlag = await remote(['--token', tokenSecret, 'whoami', '--json']);
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ credential: { id: tokenId } });
  });

  it('manages users and their roles', async () => {
    const create = await remote(['users', 'create', 'bob', '--password-stdin'], {}, 'bob password 123\n');
    expect(create.code, create.stderr).toBe(0);
    const grant = await remote(['users', 'grant', 'bob', 'viewer', '--project', 'acme']);
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.stdout).toContain('viewer on acme');
    const list = await remote(['users', 'list']);
    expect(list.stdout).toMatch(/bob\s+viewer on acme\s+yes/);
    expect(list.stdout).toMatch(/admin\s+owner \(global\)\s+yes/);
    const badRole = await remote(['users', 'grant', 'bob', 'king']);
    expect(badRole.code).toBe(2);
    const revoke = await remote(['users', 'revoke', 'bob', '--project', 'acme']);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout).toMatch(/roles\s+none/);
  });

  it('revokes a token: the next command with it is refused', async () => {
    const revoke = await remote(['tokens', 'revoke', tokenId]);
    expect(revoke.code, revoke.stderr).toBe(0);
    const refused = await remote(['apps', 'list'], { SLIPWAY_TOKEN: tokenSecret });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: UNAUTHENTICATED: the API token "ci deploy" is revoked');
    const list = await remote(['tokens', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${tokenId}.*revoked`));
  });

  it('logs out: the session ends on the server and is forgotten locally', async () => {
    const saved = JSON.parse(await readFile(credentialsFile(), 'utf8')) as {
      logins: Record<string, { accessToken: string }>;
    };
    const accessToken = saved.logins[slipwayd.url]?.accessToken ?? '';
    const logout = await remote(['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain(`logged out of ${slipwayd.url}`);
    const after = JSON.parse(await readFile(credentialsFile(), 'utf8')) as { logins: Record<string, unknown> };
    expect(after.logins).toEqual({});
    const answer = await fetch(`${slipwayd.url}/api/v1/auth/whoami`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(answer.status).toBe(401);
    const whoami = await remote(['whoami']);
    expect(whoami.code).toBe(1);
    expect((await remote(['logout'])).stdout).toContain(`not logged in to ${slipwayd.url}`);
  });
});
