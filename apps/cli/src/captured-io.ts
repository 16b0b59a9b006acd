/** Test support: ProgramIo that captures stdout and stderr as strings, for running commands in-process. */
import type { ProgramIo } from './cli-context.js';

export interface CapturedIo {
  io: ProgramIo;
  stdout: () => string;
  stderr: () => string;
}

export function createCapturedIo(overrides: Partial<ProgramIo> = {}): CapturedIo {
  let stdout = '';
  let stderr = '';
  const io: ProgramIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: {},
    cwd: process.cwd(),
    timing: { reconnectDelayMs: 10, pollIntervalMs: 10 },
    ...overrides,
  };
  return { io, stdout: () => stdout, stderr: () => stderr };
}
