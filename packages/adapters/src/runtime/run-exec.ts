/** Runs a one-off shell command (an exec health check, a console command) with a timeout and bounded output. */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ExecResult } from '@slipway/core';

export interface ExecRequest {
  command: string;
  /** Runs this program instead of `/bin/sh -c command` (the command wrapped in a sandbox). */
  argv?: { file: string; args: readonly string[] };
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Output beyond this is dropped from the front: the end of the output usually says what went wrong. */
  maxOutputBytes?: number;
}

/** Exit code reported when the command ran out of time, as coreutils' `timeout` does. */
export const execTimeoutExitCode = 124;
/** Exit code reported when the command could not be started at all, as a shell does. */
export const execNotStartedExitCode = 127;

export function runExec(request: ExecRequest): Promise<ExecResult> {
  const maxOutputBytes = request.maxOutputBytes ?? 4096;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    let isTruncated = false;
    let isTimedOut = false;
    let isSettled = false;

    const collect = (chunk: Buffer): void => {
      chunks.push(chunk);
      sizeBytes += chunk.length;
      while (sizeBytes > maxOutputBytes && chunks.length > 1) {
        sizeBytes -= chunks.shift()?.length ?? 0;
        isTruncated = true;
      }
    };
    const output = (): string => {
      const joined = Buffer.concat(chunks);
      const kept = joined.length > maxOutputBytes ? joined.subarray(joined.length - maxOutputBytes) : joined;
      return (isTruncated || kept.length < joined.length ? '[output truncated]\n' : '') + kept.toString('utf8');
    };
    const settle = (result: ExecResult): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      resolve(result);
    };

    // Detached: the command gets its own process group, so a timeout kills whatever it started too.
    const argv = request.argv ?? { file: '/bin/sh', args: ['-c', request.command] };
    const child = spawn(argv.file, [...argv.args], {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => {
      settle({ exitCode: execNotStartedExitCode, output: `exec could not start: ${error.message}` });
    });
    let exitCode: number | undefined;
    child.once('exit', (code, signal) => {
      exitCode = code ?? 128 + signalNumber(signal);
    });
    const timer = setTimeout(() => {
      // When the command itself has exited, only something it left in the background still holds the output open.
      isTimedOut = exitCode === undefined;
      if (child.pid !== undefined) killGroup(child.pid);
    }, request.timeoutMs);
    child.once('close', (code, signal) => {
      if (isTimedOut) {
        settle({
          exitCode: execTimeoutExitCode,
          output: `${output()}\n[exec timed out after ${request.timeoutMs} ms]`.trimStart(),
        });
      } else {
        settle({ exitCode: exitCode ?? code ?? 128 + signalNumber(signal), output: output() });
      }
    });
  });
}

function killGroup(processGroupId: number): void {
  try {
    process.kill(-processGroupId, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}
