import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startCannedApiServer, writeDeploymentEvents } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { cannedDeployment } from '../canned-resources.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

const value = 'pa55-w0rd-from-a-pipe';

async function run(args: string[], stdin?: NodeJS.ReadableStream & { isTTY?: boolean }) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url }, stdin });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const secretDeployment = cannedDeployment({
  id: 'dep_7',
  kind: 'config',
  state: 'succeeded',
  releaseNumber: 3,
  source: { kind: 'release', releaseNumber: 2 },
});
const changed = (deploymentId: string | null) => ({
  json: {
    secrets: [{ name: 'DB_PASSWORD', version: 2, updatedAt: '2026-01-02T03:04:05.000Z' }],
    deploymentId,
    isChanged: true,
  },
});
const bodyOf = (index: number) => JSON.parse(server.requests[index]?.body.toString() ?? '') as unknown;

describe('slipway secrets', () => {
  it('lists names, versions and update times as a table, and the API answer with --json', async () => {
    const answer = {
      secrets: [
        { name: 'API_KEY', version: 1, updatedAt: '2026-01-02T03:04:05.000Z' },
        { name: 'DB_PASSWORD', version: 4, updatedAt: '2026-01-03T10:00:00.000Z' },
      ],
    };
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/secrets': { json: answer } });
    expect((await run(['secrets', 'list', 'web', '-e', 'staging'])).stdout).toBe(
      'NAME         VERSION  UPDATED\n' +
        'API_KEY      1        2026-01-02 03:04Z\n' +
        'DB_PASSWORD  4        2026-01-03 10:00Z\n',
    );
    expect(server.requests[0]?.query.get('environment')).toBe('staging');
    expect(JSON.parse((await run(['secrets', 'list', 'web', '--json'])).stdout)).toEqual(answer);
  });

  it('sets NAME=VALUE pairs in one change and follows the release it rolls out', async () => {
    server = await startCannedApiServer({
      'PATCH /api/v1/apps/web/secrets': changed('dep_7'),
      'GET /api/v1/deployments/dep_7': { json: secretDeployment },
      'GET /api/v1/deployments/dep_7/events': (_, res) => {
        writeDeploymentEvents(res, [
          { type: 'state', seq: 1, at: '2026-01-02T03:04:05.000Z', state: 'succeeded', failure: null },
        ]);
        res.end();
      },
    });
    const { code, stdout } = await run(['secrets', 'set', 'web', 'DB_PASSWORD=a=b', 'API_KEY=']);
    expect(code).toBe(0);
    expect(bodyOf(0)).toEqual({ set: { DB_PASSWORD: 'a=b', API_KEY: '' }, unset: [], deploy: true });
    expect(stdout).toContain('set DB_PASSWORD, API_KEY on web\n');
    expect(stdout).toContain('deployed web release 3 with the new config\n');
    expect(stdout).not.toContain('a=b');
  });

  it('reads a value from stdin without its final newline, so it is never on the command line', async () => {
    server = await startCannedApiServer({ 'PATCH /api/v1/apps/web/secrets': changed(null) });
    const { code, stdout, stderr } = await run(
      ['secrets', 'set', 'web', '--from-stdin', 'DB_PASSWORD'],
      Readable.from([`${value}\n`]),
    );
    expect(code).toBe(0);
    expect(bodyOf(0)).toEqual({ set: { DB_PASSWORD: value }, unset: [], deploy: true });
    expect(stdout + stderr).not.toContain(value);
    expect(stdout).toContain('the secrets apply from the first deploy');
  });

  it('unsets names without rolling out when asked with --no-deploy', async () => {
    server = await startCannedApiServer({ 'PATCH /api/v1/apps/web/secrets': changed(null) });
    const { code, stdout } = await run(['secrets', 'unset', 'web', 'DB_PASSWORD', 'API_KEY', '--no-deploy']);
    expect(code).toBe(0);
    expect(bodyOf(0)).toEqual({ set: {}, unset: ['DB_PASSWORD', 'API_KEY'], deploy: false });
    expect(stdout).toContain('--no-deploy');
  });

  it('refuses bad or reserved names, a pair without "=", and an empty set with exit 2, echoing no value', async () => {
    server = await startCannedApiServer({});
    expect((await run(['secrets', 'set', 'web', '1BAD=x'])).code).toBe(2);
    expect((await run(['secrets', 'set', 'web', 'PORT=80'])).code).toBe(2);
    expect((await run(['secrets', 'set', 'web', 'SLIPWAY_APP=x'])).code).toBe(2);
    const withoutEquals = await run(['secrets', 'set', 'web', value]);
    expect(withoutEquals.code).toBe(2);
    expect(withoutEquals.stderr).not.toContain(value);
    expect((await run(['secrets', 'set', 'web'])).code).toBe(2);
    expect((await run(['secrets', 'unset', 'web', 'no-dash'])).code).toBe(2);
    expect(server.requests).toHaveLength(0);
  });

  it('rotates the master key and says which key now wraps the data keys', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/master-key/rotate': { json: { masterKeyId: 'mk_00112233aabbccdd', rewrappedDataKeys: 3 } },
    });
    const { code, stdout } = await run(['secrets', 'rotate-master-key']);
    expect(code).toBe(0);
    expect(stdout).toBe('master key rotated: mk_00112233aabbccdd now wraps every data key (3 re-wrapped)\n');
  });

  it('prints a refused rotation as its coded error', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/master-key/rotate': {
        status: 409,
        json: { error: { code: 'MASTER_KEY_NOT_ROTATABLE', message: 'from SLIPWAY_MASTER_KEY', requestId: 'r' } },
      },
    });
    const { code, stderr } = await run(['secrets', 'rotate-master-key']);
    expect(code).toBe(1);
    expect(stderr).toBe('error: MASTER_KEY_NOT_ROTATABLE: from SLIPWAY_MASTER_KEY\n');
  });
});
