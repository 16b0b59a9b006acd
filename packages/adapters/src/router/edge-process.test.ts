import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { edgeProcessState, isAlive, probeListenAddress, waitForExit } from './edge-process.js';

const children: ChildProcess[] = [];
const tempDirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function spawnNode(code: string, args: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['-e', code, '--', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`child exited with ${String(code)} before printing`)));
  });
}

/** Whether /proc shows `pid` as a zombie with no thread left, read synchronously so that we cannot reap it meanwhile. */
function isDeadButUnreaped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' && fields[17] === '1';
}

describe('the edge process liveness checks', () => {
  it('count a killed Node process alive until its last thread has let go of its port', async () => {
    // Its main thread turns zombie while the others are still closing its sockets: seen in about a third of kills.
    for (let round = 0; round < 5; round += 1) {
      const child = spawnNode(
        "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port)); setInterval(() => {}, 1000);",
      );
      const port = Number(await firstLine(child));
      const pid = child.pid ?? -1;
      process.kill(pid, 'SIGKILL');
      expect(await waitForExit(pid, 10_000)).toBe(true);
      await expect(probeListenAddress({ host: '127.0.0.1', port })).resolves.toBeUndefined();
    }
  });

  it('count a killed child that is still an unreaped zombie as gone', async () => {
    const child = spawnNode("console.log('up'); setInterval(() => {}, 1000);");
    await firstLine(child);
    const pid = child.pid ?? -1;
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (!isDeadButUnreaped(pid)) {
      // A busy wait on purpose: the event loop must not reap the zombie before the check below starts.
      if (Date.now() > deadline) throw new Error(`pid ${pid} never became a zombie`);
    }
    expect(await isAlive(pid)).toBe(false);
  });

  it('tell the router of a state dir from an unrelated process holding its pid', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'slipway-edge-proc-'));
    tempDirs.push(stateDir);
    const keepAlive = "console.log('up'); setInterval(() => {}, 1000);";
    const router = spawnNode(keepAlive, ['--state-dir', stateDir]);
    const otherRouter = spawnNode(keepAlive, ['--state-dir', join(stateDir, 'other')]);
    const unrelated = spawnNode(keepAlive);
    await Promise.all([router, otherRouter, unrelated].map(firstLine));

    expect(await edgeProcessState(router.pid ?? -1, stateDir)).toBe('running');
    expect(await edgeProcessState(otherRouter.pid ?? -1, stateDir)).toBe('gone');
    expect(await edgeProcessState(unrelated.pid ?? -1, stateDir)).toBe('gone');
    expect(await isAlive(unrelated.pid ?? -1)).toBe(true);
  });
});
