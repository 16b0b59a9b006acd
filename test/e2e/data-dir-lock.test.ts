/**
 * One slipwayd per data dir, for real: two started at the same moment on one data dir end with exactly one serving,
 * and a lock left by a dead slipwayd whose pid another process now has does not block a start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { freePort, repoRoot } from './slipwayd-harness.js';

const entry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');

interface Started {
  child: ChildProcess;
  apiPort: number;
  output: string;
  exitCode: number | null | undefined;
}

async function startSlipwayd(dataDir: string): Promise<Started> {
  const apiPort = await freePort();
  const edgePort = await freePort();
  const child = spawn(
    process.execPath,
    [
      entry,
      ...['--data-dir', dataDir, '--api', `127.0.0.1:${apiPort}`, '--edge', `127.0.0.1:${edgePort}`],
      ...['--catalog-http', 'off', '--dns', 'off'],
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, SLIPWAY_LOG_LEVEL: 'warn', XDG_CONFIG_HOME: `${dataDir}-config` },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const started: Started = { child, apiPort, output: '', exitCode: undefined };
  child.stdout?.on('data', (c: Buffer) => (started.output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (started.output += c.toString()));
  child.on('exit', (code) => (started.exitCode = code));
  return started;
}

async function isReady(started: Started): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${started.apiPort}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

/** Waits until the start has either served `/readyz` or exited; true when it serves. */
async function outcomeOf(started: Started): Promise<boolean> {
  return waitFor(
    async () => {
      if (started.exitCode !== undefined) return false;
      if (await isReady(started)) return true;
      throw new Error(`slipwayd neither ready nor exited yet: ${started.output}`);
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
}

/** Stops a slipwayd and the edge router it started from this data dir. */
async function stopAll(dataDir: string, starts: readonly Started[]): Promise<void> {
  for (const started of starts) started.child.kill('SIGKILL');
  const edgePid = Number((await readFile(join(dataDir, 'edge', 'edge.pid'), 'utf8').catch(() => '')).trim());
  if (edgePid > 0) {
    try {
      process.kill(edgePid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe('the data dir lock', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('lets exactly one of two slipwayd started at once on one data dir serve, round after round', async () => {
    for (let round = 0; round < 3; round += 1) {
      const dataDir = await mkdtemp(join(tmpdir(), 'slipway-lock-race-'));
      const starts = await Promise.all([startSlipwayd(dataDir), startSlipwayd(dataDir)]);
      cleanups.push(async () => {
        await stopAll(dataDir, starts);
        await rm(dataDir, { recursive: true, force: true });
        await rm(`${dataDir}-config`, { recursive: true, force: true });
      });
      const outcomes = await Promise.all(starts.map(outcomeOf));

      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const loser = starts[outcomes.indexOf(false)];
      await waitFor(() => expect(loser?.exitCode).toBe(1));
      expect(loser?.output).toMatch(/UNAVAILABLE: another slipwayd/);
    }
  }, 120_000);

  it('starts over a lock whose pid now belongs to another process, whichever format the lock has', async () => {
    const stranger = spawn('sleep', ['600'], { stdio: 'ignore' });
    cleanups.push(async () => {
      stranger.kill('SIGKILL');
    });
    // As a slipwayd killed with -9 leaves it, its pid since reused: the bare pid of older releases, and pid with a
    // start time that is not the stranger's.
    for (const lock of [`${stranger.pid}`, `${stranger.pid} 1`]) {
      const dataDir = await mkdtemp(join(tmpdir(), 'slipway-lock-stale-'));
      await writeFile(join(dataDir, 'slipwayd.pid'), lock, { mode: 0o600 });
      const started = await startSlipwayd(dataDir);
      cleanups.push(async () => {
        await stopAll(dataDir, [started]);
        await rm(dataDir, { recursive: true, force: true });
        await rm(`${dataDir}-config`, { recursive: true, force: true });
      });

      expect(await outcomeOf(started), started.output).toBe(true);
      const [pid] = (await readFile(join(dataDir, 'slipwayd.pid'), 'utf8')).trim().split(' ');
      expect(Number(pid)).toBe(started.child.pid);
    }
  }, 120_000);
});
