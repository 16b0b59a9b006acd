import { afterEach, describe, expect, it } from 'vitest';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';
import { parseScaleSettings } from './scale.js';

let server: CannedApiServer;
afterEach(() => server.close());

async function run(args: string[]) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('slipway scale', () => {
  it('rejects web=abc with exit 2 before sending any request', async () => {
    server = await startCannedApiServer({ 'PUT /api/v1/apps/web/scale': { json: { processes: { web: 1 } } } });
    const { code, stderr } = await run(['scale', 'web', 'web=abc']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: invalid scale "web=abc"');
    expect(server.requests).toHaveLength(0);
  });

  it('sends every TYPE=COUNT to the environment asked for and prints the resulting scale', async () => {
    server = await startCannedApiServer({
      'PUT /api/v1/apps/web/scale': { json: { processes: { web: 3, worker: 0 } } },
    });
    const { code, stdout } = await run(['scale', 'web', 'web=3', 'worker=0', '-e', 'staging']);
    expect(code).toBe(0);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toEqual({ processes: { web: 3, worker: 0 } });
    expect(server.requests[0]?.query.get('environment')).toBe('staging');
    expect(stdout).toBe('scaled web (staging): web=3 worker=0\n');
  });
});

describe('parseScaleSettings', () => {
  it('names the problem: missing count, too many, bad type, a type given twice', () => {
    expect(parseScaleSettings(['web'])).toHaveProperty('problem');
    expect(parseScaleSettings(['web=101'])).toHaveProperty('problem');
    expect(parseScaleSettings(['web=-1'])).toHaveProperty('problem');
    expect(parseScaleSettings(['Web=1'])).toMatchObject({
      problem: expect.stringContaining('invalid process type "Web"') as string,
    });
    expect(parseScaleSettings(['web=1', 'web=2'])).toMatchObject({ problem: 'process type "web" is given twice' });
    expect(parseScaleSettings(['web=2', 'queue_worker=0'])).toEqual({ processes: { web: 2, queue_worker: 0 } });
  });
});
