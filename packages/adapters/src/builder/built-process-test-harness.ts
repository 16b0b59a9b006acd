/** Test support for builder tests: starts a built process command the way a runtime would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface StartedProcess {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Children still running; `killStarted` in an `afterEach` so a failed assertion never leaves one behind. */
const started = new Set<ChildProcess>();

export function killStarted(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

/** Runs `command` with `sh -c` in `dir` (a minimal PATH, as an instance gets) and waits until it answers on $PORT. */
export async function startBuiltProcess(
  dir: string,
  command: string,
  env: Readonly<Record<string, string>> = {},
): Promise<StartedProcess> {
  const port = await freePort();
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: dir,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await fetch(url);
      break;
    } catch (error) {
      if (attempt > 100 || child.exitCode !== null)
        throw new Error(`process did not start: ${output}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
