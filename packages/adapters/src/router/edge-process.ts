/** The edge router as an OS process: its pid file, whether it lives, a port probe, a detached spawn, signals. */
import { spawn } from 'node:child_process';
import { access, mkdir, open, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { SlipwayError } from '@slipway/contract';

export interface ListenAddress {
  host: string;
  port: number;
}

export function formatListenAddress(listen: ListenAddress): string {
  return listen.host.includes(':') ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`;
}

/** Exit code of the edge process when it cannot bind its listen address (see apps/edge/src/main.ts). */
export const portUnavailableExitCode = 3;

export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // No /proc (macOS): trust kill(0).
  }
}

/**
 * True when `pid` is alive and is an edge router of `stateDir`, so a pid reused by an unrelated process
 * is never signalled. Where /proc is missing, being alive has to do.
 */
export async function isEdgeProcessOf(pid: number, stateDir: string): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  let args: string[];
  let cwd: string;
  try {
    args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    cwd = await readlink(`/proc/${pid}/cwd`);
  } catch {
    return true;
  }
  const flag = args.findIndex((arg) => arg === '--state-dir' || arg.startsWith('--state-dir='));
  if (flag === -1) return false;
  const flagArg = args[flag] ?? '';
  const value = flagArg.includes('=') ? flagArg.slice(flagArg.indexOf('=') + 1) : (args[flag + 1] ?? '');
  return resolve(cwd, value) === resolve(stateDir);
}

/** Fails with `PORT_UNAVAILABLE` when something else holds the address, before a router is spawned to find out. */
export async function probeListenAddress(listen: ListenAddress): Promise<void> {
  if (listen.port === 0) return;
  const server = createServer();
  await new Promise<void>((resolveProbe, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(portUnavailable(listen, error.code ?? 'EADDRINUSE', error)),
    );
    server.listen({ host: listen.host, port: listen.port, exclusive: true }, () => server.close(() => resolveProbe()));
  });
}

export function portUnavailable(listen: ListenAddress, code: string, cause?: unknown): SlipwayError {
  const hint =
    code === 'EACCES'
      ? 'ports below 1024 need root or CAP_NET_BIND_SERVICE'
      : code === 'EADDRNOTAVAIL'
        ? 'that address is not one of this machine'
        : 'another process already listens there (see `ss -ltnp`)';
  return new SlipwayError(
    'PORT_UNAVAILABLE',
    `The edge router cannot listen on ${formatListenAddress(listen)}: ${hint}. Free the port or set another edge listen address.`,
    {
      details: { address: formatListenAddress(listen), reason: code },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

export interface SpawnedEdge {
  readonly pid: number;
  /** Set once the process has exited (or failed to spawn). */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
}

export interface SpawnEdgeOptions {
  edgeEntry: string;
  listen: ListenAddress;
  stateDir: string;
  logFile: string;
}

/**
 * Starts `node <edgeEntry>` in its own session with output appended to `logFile`, and lets go of it:
 * the router must outlive the process that started it.
 */
export async function spawnDetachedEdge(options: SpawnEdgeOptions): Promise<SpawnedEdge> {
  const edgeEntry = resolve(options.edgeEntry);
  const stateDir = resolve(options.stateDir);
  try {
    await access(edgeEntry);
  } catch (error) {
    throw new SlipwayError(
      'START_FAILED',
      `The edge router bundle ${edgeEntry} is missing; build it with \`npm run build\`.`,
      { cause: error },
    );
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const log = await open(resolve(options.logFile), 'a', 0o600);
  try {
    const child = spawn(
      process.execPath,
      [edgeEntry, '--listen', formatListenAddress(options.listen), '--state-dir', stateDir],
      {
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        // Not the caller's directory: the router must not keep it busy or depend on it.
        cwd: '/',
      },
    );
    const spawned: { pid: number; exit: SpawnedEdge['exit'] } = { pid: child.pid ?? -1, exit: undefined };
    child.once('exit', (code, signal) => {
      spawned.exit = { code, signal };
    });
    child.once('error', (error) => {
      spawned.exit = { code: null, signal: null, error };
    });
    child.unref();
    return spawned;
  } finally {
    await log.close();
  }
}

/** Polls until `pid` is gone; false when it still lives after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** The last error the router logged (its log is JSON lines), to explain a failed start. */
export async function lastLoggedError(logFile: string): Promise<string | undefined> {
  let tail: string;
  try {
    const file = await open(logFile, 'r');
    try {
      const { size } = await file.stat();
      const length = Math.min(size, 16_384);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      tail = buffer.toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  for (const line of tail.trimEnd().split('\n').reverse()) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) >= 50) return entry.err?.message ?? entry.msg;
    } catch {
      if (line.trim() !== '') return line.trim(); // A crash before the logger existed prints plain text.
    }
  }
  return undefined;
}
