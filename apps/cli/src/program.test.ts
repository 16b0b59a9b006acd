import { afterEach, describe, expect, it } from 'vitest';
import { startCannedApiServer } from './canned-api-server.js';
import type { CannedApiServer } from './canned-api-server.js';
import { createCapturedIo } from './captured-io.js';
import { createProgram } from './program.js';

let server: CannedApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('slipway program', () => {
  it('prints a coded API error as "error: CODE: message" on stderr and exits 1', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/nope': {
        status: 404,
        json: { error: { code: 'APP_NOT_FOUND', message: 'no app named "nope"', requestId: 'r-1' } },
      },
    });
    const { io, stdout, stderr } = createCapturedIo();
    const code = await createProgram(io).run(['apps', 'info', 'nope', '--api', server.url]);
    expect(code).toBe(1);
    expect(stdout()).toBe('');
    expect(stderr()).toBe('error: APP_NOT_FOUND: no app named "nope"\nhint: list the apps with: slipway apps list\n');
  });

  it('says slipwayd cannot be reached, with a hint naming the URL, when nothing listens', async () => {
    const closed = await startCannedApiServer({});
    await closed.close();
    const { io, stderr } = createCapturedIo({ env: { SLIPWAY_API_URL: closed.url } });
    const code = await createProgram(io).run(['status']);
    expect(code).toBe(1);
    expect(stderr()).toContain(
      `error: UNAVAILABLE: cannot reach slipwayd at ${closed.url}: ECONNREFUSED — is it running? (npm start)\n`,
    );
    expect(stderr()).toContain(`hint: slipway talks to ${closed.url}`);
  });

  it('prefers --api over SLIPWAY_API_URL', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps': { json: { apps: [] } } });
    const { io } = createCapturedIo({ env: { SLIPWAY_API_URL: 'http://127.0.0.1:9' } });
    expect(await createProgram(io).run(['--api', server.url, 'apps', 'list'])).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it('sends SLIPWAY_TOKEN as a bearer token', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps': { json: { apps: [] } } });
    const { io } = createCapturedIo({ env: { SLIPWAY_API_URL: server.url, SLIPWAY_TOKEN: 'tok' } });
    await createProgram(io).run(['apps', 'list']);
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer tok');
  });

  it('exits 2 on an unknown command or option, and 0 for --help', async () => {
    const unknown = createCapturedIo();
    expect(await createProgram(unknown.io).run(['deploi'])).toBe(2);
    expect(unknown.stderr()).toContain("error: unknown command 'deploi'");
    expect(await createProgram(createCapturedIo().io).run(['apps', 'list', '--bogus'])).toBe(2);
    const help = createCapturedIo();
    expect(await createProgram(help.io).run(['--help'])).toBe(0);
    expect(help.stdout()).toContain('Usage: slipway');
  });

  it('reports an API URL that is not http(s) as a coded error', async () => {
    const { io, stderr } = createCapturedIo();
    expect(await createProgram(io).run(['--api', 'localhost:7070', 'apps', 'list'])).toBe(1);
    expect(stderr()).toContain('error: VALIDATION_FAILED:');
  });
});
