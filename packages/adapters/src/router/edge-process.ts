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

/**
 * `exiting` is a process that is dying but still holds its files and ports: a killed Node process's main
 * thread turns zombie while its other threads are still closing, and a new router cannot bind until they are.
 */
export type ProcessState = 'running' | 'exiting' | 'gone';

/** Linux `PF_EXITING`: set on a thread as it starts to exit, before its memory and files are released. */
const pfExiting = 0x4;

let procFs: Promise<boolean> | undefined;

function hasProcFs(): Promise<boolean> {
  procFs ??= access('/proc/self/stat').then(
    () => true,
    () => false,
  );
  return procFs;
}

/** Whether `pid` still lives, read from /proc (a zombie, or a reaped pid, is `gone`); without /proc, from kill(0). */
export async function processState(pid: number): Promise<ProcessState> {
  let isSignallable = true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
    isSignallable = false;
  }
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // kill(0) found it, so a missing entry means it was reaped meanwhile; without /proc, kill(0) has to do.
    // Another user's process may be hidden from us (hidepid): then it lives as far as we can tell.
    return isSignallable && (await hasProcFs()) ? 'gone' : 'running';
  }
  // Fields after the parenthesised command name, which may itself hold spaces: state is field 3, flags 9, threads 20.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return Number(fields[17]) > 1 ? 'exiting' : 'gone';
  return (Number(fields[6]) & pfExiting) !== 0 ? 'exiting' : 'running';
}

/** True until the process has fully exited: a zombie is dead, a dying process that still holds its port is not. */
export async function isAlive(pid: number): Promise<boolean> {
  return (await processState(pid)) !== 'gone';
}

/**
 * The state of `pid` as the edge router of `stateDir`: `gone` also when the pid now belongs to an unrelated
 * process, so a reused pid is never signalled nor waited for. Where /proc is missing, being alive has to do.
 */
export async function edgeProcessState(pid: number, stateDir: string): Promise<ProcessState> {
  const state = await processState(pid);
  if (state !== 'running' || !(await hasProcFs())) return state;
  if ((await stateDirFlagOf(pid)) === resolve(stateDir)) return 'running';
  // Unreadable or not ours: a process that began to exit since the first look has lost its command line and
  // working directory yet still holds its port; anything else is not our router.
  return (await processState(pid)) === 'exiting' ? 'exiting' : 'gone';
}

/** The resolved `--state-dir` a process was started with; `undefined` when it has none or cannot be read. */
async function stateDirFlagOf(pid: number): Promise<string | undefined> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const cwd = await readlink(`/proc/${pid}/cwd`);
    const flag = args.findIndex((arg) => arg === '--state-dir' || arg.startsWith('--state-dir='));
    if (flag === -1) return undefined;
    const flagArg = args[flag] ?? '';
    return resolve(cwd, flagArg.includes('=') ? flagArg.slice(flagArg.indexOf('=') + 1) : (args[flag + 1] ?? ''));
  } catch {
    return undefined;
  }
}

/** True when `pid` is a running edge router of `stateDir`. */
export async function isEdgeProcessOf(pid: number, stateDir: string): Promise<boolean> {
  return (await edgeProcessState(pid, stateDir)) === 'running';
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
  /** Created when missing; the flags name it too. */
  stateDir: string;
  logFile: string;
  /** The router's flags (see `resolveEdgeSettings`). */
  args: readonly string[];
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
    const child = spawn(process.execPath, [edgeEntry, ...options.args], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      // Not the caller's directory: the router must not keep it busy or depend on it.
      cwd: '/',
    });
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

/** Polls until `pid` has fully exited (its port released); false when it still lives after `timeoutMs`. */
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
