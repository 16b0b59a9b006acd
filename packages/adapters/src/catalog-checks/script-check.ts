/**
 * The catalog's script check (Consul's `Args`): the command runs without a shell, in its own process group, with a
 * small environment (never slipwayd's own: it may hold secrets); exit 0 is passing, 1 warning, anything else (a
 * signal included) critical. At the timeout the whole group is killed and the check is critical. The output is both
 * streams interleaved, of which the last 4 KiB are kept (Consul keeps the tail too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { checkOutputMaxBytes, type CheckRunResult, type RunnableCheckDefinition } from '@slipway/core';
import { abortedText, boundOutput, createRunDeadline, describeError } from './check-output.js';

type ScriptCheckDefinition = Extract<RunnableCheckDefinition, { type: 'script' }>;

/** Variables a script inherits from slipwayd; everything else (tokens, keys) stays out. */
const inheritedVariables = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'TMPDIR'];
/** How long a killed group may take to be reaped before the run answers anyway. */
const reapGraceMs = 2_000;

/** Keeps the last `maxBytes` bytes written to it, and how many were written in all. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;
  constructor(private readonly maxBytes: number) {}
  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.kept - (this.chunks[0]?.length ?? 0) >= this.maxBytes) this.kept -= this.chunks.shift()?.length ?? 0;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.maxBytes)).toString('utf8');
  }
}

function scriptEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of inheritedVariables) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function statusOfExit(code: number | null): CheckRunResult['status'] {
  if (code === 0) return 'passing';
  return code === 1 ? 'warning' : 'critical';
}

/** Consul's wording when output was cut: `Captured 4096 of 10000 bytes\n...\n<tail>`. */
function outputOf(buffer: TailBuffer): string {
  if (buffer.total <= checkOutputMaxBytes) return buffer.text();
  const header = `Captured ${checkOutputMaxBytes} of ${buffer.total} bytes\n...\n`;
  const tail = buffer.text();
  const tailBytes = Buffer.from(tail, 'utf8');
  // The whole output stays within the bound: the header's bytes come off the front of the tail.
  return boundOutput(header + tailBytes.subarray(Buffer.byteLength(header)).toString('utf8'));
}

export function runScriptCheck(definition: ScriptCheckDefinition, signal?: AbortSignal): Promise<CheckRunResult> {
  const [command, ...args] = definition.args;
  if (command === undefined || command === '')
    return Promise.resolve({ status: 'critical', output: 'script check: no command' });
  const deadline = createRunDeadline(definition.timeoutMs, signal);
  const output = new TailBuffer(checkOutputMaxBytes);
  return new Promise<CheckRunResult>((resolve) => {
    let isDone = false;
    let exitCode: number | null | undefined;
    let reapTimer: NodeJS.Timeout | undefined;
    const finish = (result: CheckRunResult) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(reapTimer);
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ status: result.status, output: boundOutput(result.output) });
    };
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: scriptEnv(),
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', (error) =>
      finish({ status: 'critical', output: `script check: ${describeError(error)} running ${command}` }),
    );
    child.once('exit', (code) => {
      exitCode = code;
    });
    // `close` waits for the streams too, so the output is whole.
    child.once('close', (code) => finish({ status: statusOfExit(code), output: outputOf(output) }));
    const onAbort = () => {
      if (exitCode !== undefined) {
        // It exited, but something it started still holds its output open: answer with its exit, stop the rest.
        killGroup(child);
        finish({ status: statusOfExit(exitCode), output: outputOf(output) });
        return;
      }
      killGroup(child);
      const why =
        deadline.reason() === 'cancelled'
          ? abortedText(deadline, definition.timeoutMs)
          : `Timed out (${definition.timeoutMs} ms) running check`;
      const answer: CheckRunResult = { status: 'critical', output: why };
      child.once('exit', () => finish(answer));
      reapTimer = setTimeout(() => finish(answer), reapGraceMs);
      reapTimer.unref();
    };
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
}
