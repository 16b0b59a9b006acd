/**
 * What a user learns from a failing app, through the real CLI against a real slipwayd: an app on a hard-coded port is
 * told so early, naming both ports; a crash report quotes the thrown message; the crashed instances' output stays
 * readable with `slipway logs` after the failed deployment retired them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { freePort, SlipwaydHarness } from './slipwayd-harness.js';

async function appDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-diag-app-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('diagnosing a failing app', () => {
  let slipwayd: SlipwaydHarness;
  const dirs: string[] = [];

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
  });

  afterAll(async () => {
    await slipwayd.destroy();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('fails an app listening on a hard-coded port with PORT_MISMATCH naming both ports, before the start period', async () => {
    const fixedPort = await freePort();
    const dir = await appDir({
      Procfile: 'web: node server.js\n',
      // Listens where its author chose, ignoring $PORT; the check's start period would let it try for 10 minutes.
      'slipway.yaml': 'processes:\n  web:\n    healthCheck: { type: http, path: /, startPeriodSeconds: 600 }\n',
      'server.js': `require('node:http').createServer((q, s) => s.end('ok')).listen(${fixedPort}, '127.0.0.1');\n`,
    });
    dirs.push(dir);
    expect((await slipwayd.cli(['apps', 'create', 'fixed'])).code).toBe(0);

    const result = await slipwayd.cli(['deploy', 'fixed', '--path', dir]);

    const output = result.stdout + result.stderr;
    expect(result.code, output).not.toBe(0);
    expect(output).toContain('PORT_MISMATCH');
    expect(output).toContain(`listens on port ${fixedPort}`);
    const [deployment] = (await slipwayd.api.deployments.list('fixed', { limit: 1 })).deployments;
    expect(deployment?.failure?.code).toBe('PORT_MISMATCH');
    expect(deployment?.failure?.reason).toMatch(/not on port \d+: Slipway assigned it port \d+ in \$PORT/);
  });

  it('says which port Slipway assigned when nothing listens on it', async () => {
    const dir = await appDir({
      Procfile: 'web: node server.js\n',
      'slipway.yaml':
        'processes:\n  web:\n    healthCheck: { type: http, path: /, startPeriodSeconds: 1, intervalSeconds: 1, retries: 1 }\n',
      'server.js': 'setInterval(() => undefined, 1000);\n',
    });
    dirs.push(dir);
    expect((await slipwayd.cli(['apps', 'create', 'silent'])).code).toBe(0);

    const result = await slipwayd.cli(['deploy', 'silent', '--path', dir]);

    const output = result.stdout + result.stderr;
    expect(result.code, output).not.toBe(0);
    expect(output).toContain('HEALTH_CHECK_FAILED');
    expect(output).toMatch(/Slipway assigned it port \d+ in \$PORT: the app must listen on \$PORT/);
  });

  it('quotes the thrown message in the crash report, and keeps the crashed output for slipway logs', async () => {
    const dir = await appDir({
      Procfile: 'web: node server.js\n',
      'server.js': [
        "function connect() { throw new Error('DATABASE_URL is not set: cannot connect'); }",
        "console.log('booting');",
        'connect();',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    expect((await slipwayd.cli(['apps', 'create', 'crashy'])).code).toBe(0);

    const result = await slipwayd.cli(['deploy', 'crashy', '--path', dir]);

    const output = result.stdout + result.stderr;
    expect(result.code, output).not.toBe(0);
    expect(output).toContain('CRASH_LOOP');
    expect(output).toContain('first error: Error: DATABASE_URL is not set: cannot connect');
    expect(output).toContain('slipway logs crashy');
    // The failed deployment retires its instances (a stop under way may outlast its answer); their output stays.
    await waitFor(async () => expect((await slipwayd.api.instances.list('crashy')).instances).toEqual([]));
    const logs = await slipwayd.cli(['logs', 'crashy']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('Error: DATABASE_URL is not set: cannot connect');
    expect(logs.stdout.split('\n').filter((line) => line.endsWith(' booting')).length).toBeGreaterThanOrEqual(3);
  });
});
