import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSlipwayError } from '@slipway/contract';
import { findDataDir, isLoopbackUrl } from './admin-token.js';
import { startCannedApiServer, type CannedApiServer } from './canned-api-server.js';
import { createCredentialSource } from './credentials.js';
import { credentialsPath, openCredentialsFile, type SavedLogin } from './credentials-file.js';

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const login = (over: Partial<SavedLogin> = {}): SavedLogin => ({
  username: 'alice',
  accessToken: 'access-1',
  accessTokenExpiresAt: inMinutes(10),
  refreshToken: 'slwr_refresh-1',
  refreshTokenExpiresAt: inMinutes(60),
  ...over,
});

describe('CLI credentials', () => {
  let root: string;
  let server: CannedApiServer | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'slipway-cli-credentials-'));
    await mkdir(join(root, 'work', '.slipway'), { recursive: true });
    await writeFile(join(root, 'work', '.slipway', 'admin-token'), 'slw_admin\n', { mode: 0o600 });
    await mkdir(join(root, 'work', 'app', 'src'), { recursive: true });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(root, { recursive: true, force: true });
  });

  const source = (apiUrl: string, env: Record<string, string | undefined> = {}, flagToken?: string) =>
    createCredentialSource({
      apiUrl,
      flagToken,
      env: { XDG_CONFIG_HOME: join(root, 'config'), ...env },
      cwd: join(root, 'work', 'app', 'src'),
      credentials: openCredentialsFile(join(root, 'config', 'slipway', 'credentials.json')),
    });

  it('knows loopback API URLs', () => {
    for (const url of ['http://127.0.0.1:7070', 'http://127.1.2.3', 'http://localhost:7070', 'http://[::1]:7070']) {
      expect(isLoopbackUrl(url), url).toBe(true);
    }
    for (const url of [
      'http://10.0.0.5:7070',
      'https://slipway.example.com',
      'http://127.0.0.1.example.com',
      'nonsense',
    ]) {
      expect(isLoopbackUrl(url), url).toBe(false);
    }
  });

  it('finds the data dir from SLIPWAY_DATA_DIR (relative to the cwd) or the nearest .slipway above the cwd', async () => {
    const cwd = join(root, 'work', 'app', 'src');
    expect(await findDataDir({}, cwd)).toBe(join(root, 'work', '.slipway'));
    expect(await findDataDir({ SLIPWAY_DATA_DIR: '../state' }, cwd)).toBe(join(root, 'work', 'app', 'state'));
    await mkdir(join(root, 'work', 'app', '.slipway'));
    expect(await findDataDir({}, cwd)).toBe(join(root, 'work', 'app', '.slipway'));
  });

  it('prefers --token, then SLIPWAY_TOKEN, then the saved login, then the local admin token', async () => {
    const url = 'http://127.0.0.1:7070';
    expect(await source(url, { SLIPWAY_TOKEN: 'slw_env' }, 'slw_flag').token()).toBe('slw_flag');
    expect(await source(url, { SLIPWAY_TOKEN: 'slw_env' }).token()).toBe('slw_env');
    expect(await source(url).token()).toBe('slw_admin');
    expect(await source(url).kind()).toBe('admin-token');
    await openCredentialsFile(credentialsPath({ XDG_CONFIG_HOME: join(root, 'config') })).save(url, login());
    expect(await source(url).token()).toBe('access-1');
    expect(await source(url).kind()).toBe('login');
  });

  it('never sends the admin token to an API that is not on this machine', async () => {
    const far = source('http://10.1.2.3:7070');
    expect(await far.token()).toBeUndefined();
    expect(await far.kind()).toBe('none');
  });

  it('keeps logins per API URL in a 0600 file in a 0700 directory, and forgets them', async () => {
    const path = credentialsPath({ XDG_CONFIG_HOME: join(root, 'config') });
    expect(path).toBe(join(root, 'config', 'slipway', 'credentials.json'));
    expect(credentialsPath({ HOME: '/home/alice' })).toBe('/home/alice/.config/slipway/credentials.json');
    const file = openCredentialsFile(path);
    await file.save('http://127.0.0.1:7070/', login());
    await file.save('http://127.0.0.1:7071', login({ username: 'bob' }));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'config', 'slipway'))).mode & 0o777).toBe(0o700);
    expect((await file.find('http://127.0.0.1:7070'))?.username).toBe('alice');
    expect(await file.remove('http://127.0.0.1:7070')).toBe(true);
    expect(await file.remove('http://127.0.0.1:7070')).toBe(false);
    expect((await file.find('http://127.0.0.1:7071'))?.username).toBe('bob');

    await writeFile(path, '{ not json');
    const error = await file.find('http://127.0.0.1:7071').catch((e: unknown) => e);
    expect(isSlipwayError(error) && error.code).toBe('VALIDATION_FAILED');
  });

  it('refreshes an access token about to expire, saving the rotated tokens', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/auth/refresh': {
        json: {
          tokenType: 'Bearer',
          accessToken: 'access-2',
          accessTokenExpiresAt: inMinutes(15),
          refreshToken: 'slwr_refresh-2',
          refreshTokenExpiresAt: inMinutes(60),
          user: { id: 'usr_1', name: 'alice' },
        },
      },
    });
    const file = openCredentialsFile(join(root, 'config', 'slipway', 'credentials.json'));
    await file.save(server.url, login({ accessTokenExpiresAt: inMinutes(0.2) }));
    expect(await source(server.url).token()).toBe('access-2');
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '{}')).toEqual({ refreshToken: 'slwr_refresh-1' });
    expect(await file.find(server.url)).toMatchObject({ accessToken: 'access-2', refreshToken: 'slwr_refresh-2' });
    // Fresh now: no second refresh.
    expect(await source(server.url).token()).toBe('access-2');
    expect(server.requests).toHaveLength(1);
  });

  it('forgets a login whose refresh is refused, and says to log in again', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/auth/refresh': {
        status: 401,
        json: { error: { code: 'UNAUTHENTICATED', message: 'the session has ended', requestId: 'r' } },
      },
    });
    const file = openCredentialsFile(join(root, 'config', 'slipway', 'credentials.json'));
    await file.save(server.url, login({ accessTokenExpiresAt: inMinutes(-1) }));
    const error = await source(server.url)
      .token()
      .catch((e: unknown) => e);
    expect(isSlipwayError(error) && error.code).toBe('UNAUTHENTICATED');
    expect((error as Error).message).toContain('log in again');
    expect(await file.find(server.url)).toBeUndefined();
    expect(JSON.parse(await readFile(join(root, 'config', 'slipway', 'credentials.json'), 'utf8'))).toEqual({
      version: 1,
      logins: {},
    });
  });

  it('saves two logins at once without either save failing', async () => {
    const file = openCredentialsFile(join(root, 'config', 'slipway', 'credentials.json'));
    await file.save('http://127.0.0.1:1', login());
    await Promise.all([
      file.save('http://127.0.0.1:2', login({ username: 'bob' })),
      file.save('http://127.0.0.1:3', login({ username: 'carol' })),
    ]);
    expect((await file.find('http://127.0.0.1:1'))?.username).toBe('alice');
  });
});
