import { describe, expect, it } from 'vitest';
import { lineContinuesMarker, maxLineLength } from '../runtime/line-splitter.js';
import { createLineSplitter, runProcessGroup } from './run-process-group.js';

describe('createLineSplitter', () => {
  it('splits on \\n, \\r\\n and \\r across chunk boundaries and flags progress redraws', () => {
    const lines: [string, boolean][] = [];
    const splitter = createLineSplitter((line, isProgress) => lines.push([line, isProgress]));
    for (const chunk of ['one\ntw', 'o\r', '\nthree 10%\rthree 100%\r', 'four', '\n', 'tail']) splitter.push(chunk);
    splitter.end();
    expect(lines).toEqual([
      ['one', false],
      ['two', false],
      ['three 10%', true],
      ['three 100%', true],
      ['four', false],
      ['tail', false],
    ]);
  });
});

describe('runProcessGroup', () => {
  it('streams stdout and stderr lines and reports the exit code and the last lines', async () => {
    const seen: string[] = [];
    const result = await runProcessGroup({
      file: '/bin/sh',
      args: ['-c', 'echo out; echo err >&2; exit 4'],
      cwd: '/',
      env: { PATH: process.env['PATH'] },
      timeoutMs: 10_000,
      onLine: (line, { stream }) => seen.push(`${stream}:${line}`),
    });
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 4 });
    expect(seen.sort()).toEqual(['stderr:err', 'stdout:out']);
    expect(result.tail.sort()).toEqual(['err', 'out']);
  });

  it('captures stdout as data when asked', async () => {
    const result = await runProcessGroup({
      file: '/bin/sh',
      args: ['-c', 'printf "a\\tb\\n"'],
      cwd: '/',
      env: {},
      timeoutMs: 10_000,
      isStdoutCaptured: true,
    });
    expect(result.stdout).toBe('a\tb\n');
  });

  it('reports a command that cannot start instead of throwing', async () => {
    const result = await runProcessGroup({
      file: '/nonexistent/binary',
      args: [],
      cwd: '/',
      env: {},
      timeoutMs: 10_000,
    });
    expect(result.outcome).toBe('spawn-failed');
    expect(result.spawnError).toContain('ENOENT');
  });

  it('does not wait for a background child that keeps the output pipe open once the command is done', async () => {
    const startedAt = Date.now();
    const result = await runProcessGroup({
      file: '/bin/sh',
      args: ['-c', 'sleep 20 & echo started'],
      cwd: '/',
      env: { PATH: process.env['PATH'] },
      timeoutMs: 30_000,
    });
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });
});

describe('a build step printing without a newline', () => {
  it('reaches the log in pieces of at most the line cap, each but the last marked', async () => {
    const pieces: string[] = [];
    const result = await runProcessGroup({
      file: process.execPath,
      args: ['-e', `process.stdout.write('y'.repeat(${maxLineLength * 4 + 7}))`],
      cwd: '/',
      env: {},
      timeoutMs: 10_000,
      onLine: (line) => pieces.push(line),
    });
    expect(result.outcome).toBe('exited');
    expect(pieces).toEqual([
      ...Array.from({ length: 4 }, () => 'y'.repeat(maxLineLength) + lineContinuesMarker),
      'y'.repeat(7),
    ]);
  });
});
