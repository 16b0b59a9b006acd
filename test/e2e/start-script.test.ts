/**
 * `npm start` as a user runs it: it builds nothing when the sources have not changed since the last build, and
 * stopping it stops slipwayd — also when `npm` itself is sent SIGTERM (npm exits without passing the signal on).
 * slipwayd's apps and the edge outlive it by design; the edge is stopped here by pid at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { freePort, repoRoot } from './slipwayd-harness.js';

/** Alive and not a zombie waiting to be reaped (an orphan's reaper in a container may be slow or absent). */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

interface Started {
  child: ChildProcess;
  dataDir: string;
  output: () => string;
  slipwaydPid: number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** `command args… -- slipwayd flags` with a data dir and a config dir of its own; resolves once slipwayd registered. */
async function start(command: string, args: readonly string[]): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-start-'));
  const configHome = join(dataDir, 'config');
  const slipwaydArgs = ['--data-dir', join(dataDir, 'data'), '--api', '127.0.0.1:0'];
  slipwaydArgs.push('--edge', `127.0.0.1:${await freePort()}`, '--docker', 'off', '--log-level', 'warn');
  slipwaydArgs.push('--catalog-http', 'off', '--dns', 'off');
  const child = spawn(command, [...args, ...slipwaydArgs], {
    cwd: repoRoot,
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    const edgePid = Number((await readFile(join(dataDir, 'data', 'edge', 'edge.pid'), 'utf8').catch(() => '')).trim());
    if (edgePid > 0 && isRunning(edgePid)) process.kill(edgePid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });
  const slipwaydPid = await waitFor(
    async () => {
      if (!/slipwayd \S+ ready/.test(output)) throw new Error(`slipwayd not ready yet: ${output}`);
      const servers = JSON.parse(await readFile(join(configHome, 'slipway', 'servers.json'), 'utf8')) as {
        servers: Array<{ pid: number }>;
      };
      const pid = servers.servers[0]?.pid;
      if (pid === undefined) throw new Error('slipwayd has not registered');
      return pid;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  cleanups.push(async () => {
    if (isRunning(slipwaydPid)) process.kill(slipwaydPid, 'SIGKILL');
  });
  return { child, dataDir, output: () => output, slipwaydPid };
}

describe('npm start', () => {
  it('stops slipwayd when npm is sent SIGTERM, and builds nothing when the sources are unchanged', async () => {
    const started = await start('npm', ['start', '--']);
    expect(started.output()).toContain('slipway: up to date, nothing to build');
    expect(isRunning(started.slipwaydPid)).toBe(true);

    started.child.kill('SIGTERM');
    await waitFor(
      () => {
        if (isRunning(started.slipwaydPid)) throw new Error(`slipwayd ${started.slipwaydPid} still runs`);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(isRunning(started.slipwaydPid)).toBe(false);
  });

  it('stops slipwayd when scripts/start.mjs is sent SIGTERM, and exits with it', async () => {
    const started = await start(process.execPath, [join(repoRoot, 'scripts', 'start.mjs')]);
    const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
    started.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(isRunning(started.slipwaydPid)).toBe(false);
    expect(started.output()).toContain('slipwayd: SIGTERM, stopping');
  });
});
