/**
 * Runs a template's reload command (`sh -c`), its output passed on line by line, under a deadline: past it, the
 * command's whole process group is killed.
 */
import { spawn } from 'node:child_process';

export interface ReloadResult {
  /** The exit code; null when killed (by the deadline or a signal). */
  exitCode: number | null;
  isTimedOut: boolean;
}

export function runReloadCommand(
  command: string,
  options: {
    timeoutMs: number;
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    onOutput: (line: string) => void;
  },
): Promise<ReloadResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let isTimedOut = false;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      isTimedOut = true;
      kill();
    }, options.timeoutMs);
    const maxLineChars = 4096;
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        if (pending.length > maxLineChars) pending = pending.slice(0, maxLineChars);
        for (const line of lines) options.onOutput(line.slice(0, maxLineChars));
      });
      stream.on('end', () => {
        if (pending !== '') options.onOutput(pending);
      });
    }
    child.on('error', (error) => {
      clearTimeout(timer);
      options.onOutput(`cannot run the command: ${error.message}`);
      resolve({ exitCode: null, isTimedOut: false });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, isTimedOut });
    });
  });
}
