/** Runs one child process in its own process group, streams its output line by line, and kills the whole group on timeout or abort. */
import { spawn } from 'node:child_process';
import { lineContinuesMarker, maxLineLength } from '../runtime/line-splitter.js';

export interface ProcessGroupOptions {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Every output line; `isProgress` marks a line ended by a bare `\r` (a progress meter redrawing itself). */
  onLine?: (line: string, meta: { stream: 'stdout' | 'stderr'; isProgress: boolean }) => void;
  /** Collect stdout as text instead of passing it to `onLine` (for commands whose output is data). */
  isStdoutCaptured?: boolean;
}

export interface ProcessGroupResult {
  outcome: 'exited' | 'timed-out' | 'aborted' | 'spawn-failed';
  exitCode: number | null;
  exitSignal: string | null;
  /** Captured stdout (only with `isStdoutCaptured`), capped at `maxCapturedBytes`. */
  stdout: string;
  /** The last non-empty output lines (stdout and stderr interleaved), oldest first. */
  tail: string[];
  /** Set when the process could not be started. */
  spawnError?: string;
}

const tailLineCount = 20;
const maxCapturedBytes = 16 * 1024 * 1024;
/** After the main process exits, how long to wait for its pipes to close (a leftover child may hold them). */
const pipeCloseGraceMs = 1000;

/** Splits a byte stream into lines on `\n`, `\r\n` and `\r`, keeping partial lines across chunks. */
export function createLineSplitter(onLine: (line: string, isProgress: boolean) => void): {
  push(chunk: string): void;
  end(): void;
} {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      let match: RegExpExecArray | null;
      const separator = /\r\n|\n|\r/g;
      let start = 0;
      while ((match = separator.exec(pending)) !== null) {
        // A trailing '\r' may be the first half of '\r\n' split across chunks: wait for more.
        if (match[0] === '\r' && match.index === pending.length - 1) break;
        onLine(pending.slice(start, match.index), match[0] === '\r');
        start = match.index + match[0].length;
      }
      pending = pending.slice(start);
      // A line that never ends is passed on in pieces rather than held: the cap bounds what waits here.
      while (pending.length > maxLineLength) {
        onLine(pending.slice(0, maxLineLength) + lineContinuesMarker, false);
        pending = pending.slice(maxLineLength);
      }
    },
    end() {
      if (pending.length > 0) onLine(pending.replace(/\r$/, ''), false);
      pending = '';
    },
  };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function runProcessGroup(options: ProcessGroupOptions): Promise<ProcessGroupResult> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    let stdout = '';
    let outcome: ProcessGroupResult['outcome'] = 'exited';
    let settled = false;

    const remember = (line: string) => {
      if (line.trim() === '') return;
      tail.push(line);
      if (tail.length > tailLineCount) tail.shift();
    };
    const splitters = {
      stdout: createLineSplitter((line, isProgress) => {
        remember(line);
        options.onLine?.(line, { stream: 'stdout', isProgress });
      }),
      stderr: createLineSplitter((line, isProgress) => {
        remember(line);
        options.onLine?.(line, { stream: 'stderr', isProgress });
      }),
    };

    if (options.signal?.aborted === true) {
      resolve({ outcome: 'aborted', exitCode: null, exitSignal: null, stdout: '', tail });
      return;
    }

    // detached: a new session and process group, so the group can be killed as one and no terminal can be prompted on.
    const child = spawn(options.file, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let pipeTimer: NodeJS.Timeout | undefined;

    const finish = (extra: Partial<ProcessGroupResult> = {}) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(pipeTimer);
      options.signal?.removeEventListener('abort', onAbort);
      splitters.stdout.end();
      splitters.stderr.end();
      // Whatever the command left running in its group goes with it.
      killGroup(child.pid);
      resolve({ outcome, exitCode, exitSignal, stdout, tail, ...extra });
    };

    const timer = setTimeout(
      () => {
        outcome = 'timed-out';
        killGroup(child.pid);
      },
      Math.max(0, options.timeoutMs),
    );
    const onAbort = () => {
      outcome = 'aborted';
      killGroup(child.pid);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (options.isStdoutCaptured === true) {
        if (stdout.length < maxCapturedBytes) stdout += chunk;
      } else {
        splitters.stdout.push(chunk);
      }
    });
    child.stderr.on('data', (chunk: string) => splitters.stderr.push(chunk));

    child.on('error', (error) => {
      outcome = 'spawn-failed';
      finish({ spawnError: error.message });
    });
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      pipeTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, pipeCloseGraceMs);
    });
    child.on('close', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      finish();
    });
  });
}
