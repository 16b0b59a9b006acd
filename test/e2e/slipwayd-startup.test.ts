/** Starting slipwayd wrong ends in a clear, coded message and a non-zero exit, never a hang or a stack trace. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const entry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');

function runSlipwayd(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: repoRoot,
      // A slipwayd that starts registers in XDG_CONFIG_HOME: a scratch one, never the user's.
      // The catalog's listeners are off unless a test asks for them: their default ports may be held on this host.
      env: {
        ...process.env,
        XDG_CONFIG_HOME: join(tmpdir(), 'slipway-startup-config'),
        SLIPWAY_CATALOG_HTTP: 'off',
        SLIPWAY_DNS: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('slipwayd start-up errors', () => {
  let dataDir: string;
  const blockers: Server[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-startup-'));
  });

  afterEach(async () => {
    await Promise.all(blockers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints its usage with --help', async () => {
    const result = await runSlipwayd(['--help']);
    expect(result.code).toBe(0);
    expect(result.output).toContain('--data-dir');
  });

  it('refuses an unknown flag and an invalid address with a coded message', async () => {
    const unknown = await runSlipwayd(['--no-such-flag']);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/VALIDATION_FAILED: .*no-such-flag/);
    const badAddress = await runSlipwayd(['--api', 'not-an-address', '--data-dir', dataDir]);
    expect(badAddress.code).toBe(1);
    expect(badAddress.output).toContain('VALIDATION_FAILED');
  });

  it('refuses an edge port that something else holds, naming the port', async () => {
    const edgePort = await freePort();
    blockers.push(await occupy(edgePort));
    const result = await runSlipwayd([
      '--data-dir',
      join(dataDir, 'edge-taken'),
      '--api',
      `127.0.0.1:${await freePort()}`,
      '--edge',
      `127.0.0.1:${edgePort}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('PORT_UNAVAILABLE');
    expect(result.output).toContain(String(edgePort));
  });

  it('refuses an API port that something else holds, and leaves the data dir usable', async () => {
    const apiPort = await freePort();
    blockers.push(await occupy(apiPort));
    const harness = await SlipwaydHarness.create();
    try {
      const result = await runSlipwayd([
        '--data-dir',
        harness.dataDir,
        '--api',
        `127.0.0.1:${apiPort}`,
        '--edge',
        `127.0.0.1:${harness.edgePort}`,
      ]);
      expect(result.code).toBe(1);
      expect(result.output).toContain('PORT_UNAVAILABLE');
      await harness.start();
      expect((await harness.api.health()).status).toBe('ok');
    } finally {
      await harness.destroy();
    }
  });

  it('refuses a second slipwayd on the same data dir while the first runs', async () => {
    const harness = await SlipwaydHarness.create();
    try {
      await harness.start();
      const second = await runSlipwayd([
        '--data-dir',
        harness.dataDir,
        '--api',
        `127.0.0.1:${await freePort()}`,
        '--edge',
        `127.0.0.1:${harness.edgePort}`,
      ]);
      expect(second.code).toBe(1);
      expect(second.output).toMatch(/another slipwayd \(pid \d+\)/);
      expect((await harness.api.health()).status).toBe('ok');
    } finally {
      await harness.destroy();
    }
  });

  it('stops in order on SIGTERM with exit code 0, leaving the edge running', async () => {
    const harness = await SlipwaydHarness.create();
    try {
      await harness.start();
      expect(await harness.kill('SIGTERM')).toBe(0);
      expect((await harness.edge('nothing.localhost')).status).toBe(404);
    } finally {
      await harness.destroy();
    }
  });
});
