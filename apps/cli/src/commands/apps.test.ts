import { afterEach, describe, expect, it } from 'vitest';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { cannedApp } from '../canned-resources.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

async function run(args: string[]) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('slipway apps', () => {
  it('prints exactly the API JSON for `apps list --json`', async () => {
    const answer = { apps: [cannedApp, { ...cannedApp, id: 'app_2', name: 'api', environments: [] }] };
    server = await startCannedApiServer({ 'GET /api/v1/apps': { json: answer } });
    const { code, stdout, stderr } = await run(['apps', 'list', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(answer);
    expect(stdout).toBe(`${JSON.stringify(answer, null, 2)}\n`);
    expect(stderr).toBe('');
  });

  it('lists apps as an aligned table without colour when stdout is not a terminal', async () => {
    const other = { ...cannedApp, id: 'app_2', name: 'payments-api', project: 'shop', environments: [] };
    server = await startCannedApiServer({ 'GET /api/v1/apps': { json: { apps: [cannedApp, other] } } });
    const { code, stdout } = await run(['apps', 'list']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'NAME          PROJECT  ENVIRONMENTS   INSTANCES       CREATED',
        'web           default  production@v3  2/2 healthy     2026-01-02 03:04Z',
        'payments-api  shop     -              no release yet  2026-01-02 03:04Z',
        '',
      ].join('\n'),
    );
    expect(stdout).not.toContain('\u001b[');
  });

  it('says how to start when there are no apps', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps': { json: { apps: [] } } });
    expect((await run(['apps', 'list'])).stdout).toContain('slipway apps create <name>');
  });

  it('creates an app in the given project', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/projects': {
        json: { projects: [{ id: 'prj_1', name: 'shop', createdAt: '2026-01-02T03:04:05.000Z' }] },
      },
      'POST /api/v1/apps': { status: 201, json: { ...cannedApp, project: 'shop' } },
    });
    const { code, stdout } = await run(['apps', 'create', 'web', '--project', 'shop']);
    expect(code).toBe(0);
    const created = server.requests.find((r) => r.method === 'POST');
    expect(JSON.parse(created?.body.toString() ?? '')).toEqual({ name: 'web', project: 'shop' });
    expect(stdout).toContain('created app web in project shop');
  });

  it('shows an app with its environments, scale and routes', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps/web': { json: cannedApp } });
    const { stdout } = await run(['apps', 'info', 'web']);
    expect(stdout).toContain('project  default');
    expect(stdout).toMatch(/production\s+v3\s+web=2\s+2\/2 healthy\s+web\.localhost\/ → web/);
  });

  it('refuses to delete without --yes when stdin is not a terminal, and sends nothing', async () => {
    server = await startCannedApiServer({ 'DELETE /api/v1/apps/web': { status: 204 } });
    const { code, stderr } = await run(['apps', 'delete', 'web']);
    expect(code).toBe(2);
    expect(stderr).toContain('without --yes: stdin is not a terminal');
    expect(server.requests).toHaveLength(0);
  });

  it('deletes with --yes', async () => {
    server = await startCannedApiServer({ 'DELETE /api/v1/apps/web': { status: 204 } });
    const { code, stdout } = await run(['apps', 'delete', 'web', '--yes']);
    expect(code).toBe(0);
    expect(server.requests[0]?.method).toBe('DELETE');
    expect(stdout).toBe('deleted app web\n');
  });
});
