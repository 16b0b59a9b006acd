import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputMaxBytes, type RunnableCheckDefinition } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogCheckRunner } from './catalog-check-runner.js';

const runner = createCatalogCheckRunner();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-script-check-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const script = (args: string[], timeoutMs = 5_000): RunnableCheckDefinition => ({
  type: 'script',
  args,
  intervalMs: 10_000,
  timeoutMs,
});
const sh = (command: string, timeoutMs?: number) => script(['sh', '-c', command], timeoutMs);

/** A process is gone once its /proc entry is, or is a zombie waiting to be reaped. */
async function isGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('script catalog check', () => {
  it('maps exit 0 to passing, 1 to warning and anything else to critical', async () => {
    await expect(runner.run(sh('echo fine; exit 0'))).resolves.toEqual({ status: 'passing', output: 'fine\n' });
    await expect(runner.run(sh('echo meh >&2; exit 1'))).resolves.toEqual({ status: 'warning', output: 'meh\n' });
    await expect(runner.run(sh('exit 2'))).resolves.toEqual({ status: 'critical', output: '' });
    expect((await runner.run(sh('kill -9 $$'))).status).toBe('critical');
  });

  it('runs its arguments without a shell', async () => {
    await expect(runner.run(script(['echo', '$HOME; exit 3']))).resolves.toEqual({
      status: 'passing',
      output: '$HOME; exit 3\n',
    });
  });

  it('keeps the last 4 KiB of a long output and says how much there was', async () => {
    const result = await runner.run(sh('head -c 10000 /dev/zero | tr "\\0" a; echo; echo last line'));
    expect(result.status).toBe('passing');
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(checkOutputMaxBytes);
    expect(result.output.startsWith('Captured 4096 of 10011 bytes\n...\n')).toBe(true);
    expect(result.output.endsWith('aaaa\nlast line\n')).toBe(true);
  });

  it('kills the whole process group at the timeout and is critical', async () => {
    const pidFile = join(dir, 'sleeper.pid');
    const result = await runner.run(sh(`sleep 60 & echo $! > ${pidFile}; wait`, 300));
    expect(result).toEqual({ status: 'critical', output: 'Timed out (300 ms) running check' });
    const sleeperPid = Number((await readFile(pidFile, 'utf8')).trim());
    await expect.poll(() => isGone(sleeperPid)).toBe(true);
  });

  it('answers with the exit of a script whose background child holds its output open', async () => {
    const pidFile = join(dir, 'daemon.pid');
    const result = await runner.run(sh(`sleep 60 & echo $! > ${pidFile}; echo started; exit 1`, 300));
    expect(result).toEqual({ status: 'warning', output: 'started\n' });
    const daemonPid = Number((await readFile(pidFile, 'utf8')).trim());
    await expect.poll(() => isGone(daemonPid)).toBe(true);
  });

  it('does not hand slipwayd’s environment to the script', async () => {
    process.env.SLIPWAY_SCRIPT_CHECK_SECRET = 'do-not-leak';
    try {
      const result = await runner.run(sh('echo "[$SLIPWAY_SCRIPT_CHECK_SECRET]"; test -n "$PATH"'));
      expect(result).toEqual({ status: 'passing', output: '[]\n' });
    } finally {
      delete process.env.SLIPWAY_SCRIPT_CHECK_SECRET;
    }
  });

  it('is critical when the command cannot be started', async () => {
    const result = await runner.run(script(['/nonexistent/check-command']));
    expect(result.status).toBe('critical');
    expect(result.output).toBe(
      'script check: spawn /nonexistent/check-command ENOENT running /nonexistent/check-command',
    );
    await expect(runner.run(script([]))).resolves.toEqual({ status: 'critical', output: 'script check: no command' });
  });

  it('stops the script and answers critical when its run is cancelled', async () => {
    const controller = new AbortController();
    const pidFile = join(dir, 'cancelled.pid');
    const running = runner.run(sh(`echo $$ > ${pidFile}; sleep 60`, 60_000), controller.signal);
    await expect.poll(async () => readFile(pidFile, 'utf8').catch(() => '')).not.toBe('');
    controller.abort();
    await expect(running).resolves.toEqual({ status: 'critical', output: 'check cancelled' });
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await expect.poll(() => isGone(pid)).toBe(true);
  });
});
