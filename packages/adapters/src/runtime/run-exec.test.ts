import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runExec } from './run-exec.js';

const base = { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 5_000 };

describe('runExec', () => {
  it('combines stdout and stderr and returns the exit code', async () => {
    expect(await runExec({ ...base, command: 'echo out; echo err >&2; exit 5' })).toEqual({
      exitCode: 5,
      output: 'out\nerr\n',
    });
  });

  it('keeps the end of a long output', async () => {
    const result = await runExec({ ...base, command: 'seq 1 5000', maxOutputBytes: 100 });

    expect(result.output.startsWith('[output truncated]\n')).toBe(true);
    expect(result.output.endsWith('4999\n5000\n')).toBe(true);
    expect(result.output.length).toBeLessThanOrEqual(100 + '[output truncated]\n'.length);
  });

  it('kills a command that runs out of time, with what it started, and says so', async () => {
    const result = await runExec({ ...base, command: 'echo started; sleep 600', timeoutMs: 200 });

    expect(result.exitCode).toBe(124);
    expect(result.output).toContain('started');
    expect(result.output).toContain('timed out after 200 ms');
  });

  it('reports a work dir that is gone as a command that could not start', async () => {
    const result = await runExec({ ...base, cwd: '/nonexistent/slipway', command: 'true' });

    expect(result.exitCode).toBe(127);
  });
});
