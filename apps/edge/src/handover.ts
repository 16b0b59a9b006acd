/**
 * Graceful router restart: the running edge starts its successor with the listening socket passed over an IPC
 * channel, so both accept on the same socket until the successor is ready; then the old one stops accepting and
 * drains. Node 20 has no `reusePort`, and a socket that is never closed loses no connection waiting in its backlog.
 *
 * A successor started with new flags binds a listener whose address changed itself (see successor-plan.ts).
 *
 * The protocol, old → new: `handles` (which listeners follow), then `traffic` (with the plain listener's handle) and
 * `secure-traffic` (the HTTPS listener's) as announced · new → old: `listening` (it accepts on what it was handed and
 * on what it bound) · old releases the admin socket · old → new: `admin-released` · new binds it and writes the pid
 * file · new → old: `ready`. A predecessor from before `handles` sends `traffic` first, then `secure-traffic` when
 * it has an HTTPS listener; it always starts its successor with its own flags, so the successor's flags tell
 * whether one follows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { SlipwayError } from './slipway-error.js';

/** How the successor is started: the same program, its flags (the running router's, or new ones), plus `--take-over`. */
export interface HandoverCommand {
  readonly entry: string;
  readonly args: readonly string[];
}

export const takeOverFlag = '--take-over';

type HandoverMessage =
  | { type: 'handles'; traffic: boolean; secureTraffic: boolean }
  | { type: 'traffic' }
  | { type: 'secure-traffic' }
  | { type: 'listening' }
  | { type: 'admin-released' }
  | { type: 'ready' };

export interface HandOverOptions {
  readonly command: HandoverCommand;
  /** The plain listener, when the successor listens on the same address; otherwise it binds its own. */
  readonly traffic?: Server | undefined;
  /** The HTTPS listener, when both have one on the same address. */
  readonly secureTraffic?: Server | undefined;
  /** Stops serving the admin socket (its file goes with it) so the successor can bind it. */
  readonly releaseAdmin: () => void;
  /** Serves the admin socket again after a failed handover. */
  readonly reclaimAdmin: () => Promise<void>;
  /** Bounds the whole exchange (default 30 s: a Node process may take seconds to start on a busy machine). */
  readonly timeoutMs?: number;
}

/** Starts the successor and hands it the listeners; resolves with its pid once it serves traffic and the admin socket. */
export async function handOver(options: HandOverOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [options.command.entry, ...options.command.args, takeOverFlag], {
    detached: true,
    // Its log goes where ours goes; the IPC channel carries the handle and the protocol.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: '/',
  });
  let isAdminReleased = false;
  try {
    // IPC messages arrive in the order sent, handles included.
    child.send({
      type: 'handles',
      traffic: options.traffic !== undefined,
      secureTraffic: options.secureTraffic !== undefined,
    } satisfies HandoverMessage);
    if (options.traffic !== undefined) child.send({ type: 'traffic' } satisfies HandoverMessage, options.traffic);
    if (options.secureTraffic !== undefined) {
      child.send({ type: 'secure-traffic' } satisfies HandoverMessage, options.secureTraffic);
    }
    await nextMessage(child, 'listening', timeoutMs);
    options.releaseAdmin();
    isAdminReleased = true;
    child.send({ type: 'admin-released' } satisfies HandoverMessage);
    await nextMessage(child, 'ready', timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    if (isAdminReleased) await options.reclaimAdmin();
    throw new SlipwayError('UNAVAILABLE', `The new edge router did not take over: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  child.disconnect();
  child.unref();
  return child.pid ?? -1;
}

function nextMessage(child: ChildProcess, type: HandoverMessage['type'], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: HandoverMessage): void => {
      if (message.type === type) done();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      done(new Error(`it exited (code ${String(code)}, signal ${String(signal)})`));
    const onError = (error: Error): void => done(error);
    function done(error?: Error): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error === undefined) resolve();
      else reject(error);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** The successor's side: what its predecessor hands over, and the steps it reports back. */
export interface Takeover {
  /** The predecessor's listening socket, when the successor listens on the same address. */
  readonly traffic: Server | undefined;
  /** The predecessor's HTTPS listening socket, when both have one on the same address. */
  readonly secureTraffic: Server | undefined;
  /** Tells the predecessor we accept; resolves once it has let go of the admin socket. */
  readonly listening: () => Promise<void>;
  /** Tells the predecessor we serve the admin socket: it stops accepting and drains. */
  readonly ready: () => void;
}

/**
 * Waits for the listening handles the process that started us with `--take-over` announces; `hasTls` (whether we
 * have an HTTPS listener) tells what a predecessor from before the announcement sends.
 */
export function receiveTakeover(hasTls: boolean, timeoutMs = 30_000): Promise<Takeover> {
  const send = (message: HandoverMessage): void => {
    process.send?.(message);
  };
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error(`${takeOverFlag} needs an IPC channel to the router it takes over from`));
      return;
    }
    const timer = setTimeout(
      () => finish(new Error(`no listening socket handed over within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const handles: { traffic?: Server; secureTraffic?: Server } = {};
    let expected: Array<'traffic' | 'secureTraffic'> | undefined;
    function finish(error?: Error): void {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (error !== undefined) {
        reject(error);
        return;
      }
      resolve({
        traffic: handles.traffic,
        secureTraffic: handles.secureTraffic,
        listening: () =>
          new Promise<void>((resolveReleased) => {
            process.once('message', () => resolveReleased());
            send({ type: 'listening' });
          }),
        ready: () => {
          send({ type: 'ready' });
          process.disconnect?.();
        },
      });
    }
    function onMessage(message: HandoverMessage, handle: unknown): void {
      if (expected === undefined && message.type === 'handles') {
        expected = [
          ...(message.traffic ? ['traffic' as const] : []),
          ...(message.secureTraffic ? ['secureTraffic' as const] : []),
        ];
      } else {
        // A predecessor from before `handles` starts with the plain listener and sends the HTTPS one when it has one.
        expected ??= hasTls ? ['traffic', 'secureTraffic'] : ['traffic'];
        const slot =
          message.type === 'traffic' ? 'traffic' : message.type === 'secure-traffic' ? 'secureTraffic' : undefined;
        if (slot === undefined || !expected.includes(slot) || handle === undefined || handles[slot] !== undefined) {
          finish(new Error(`unexpected handover message ${JSON.stringify(message)}`));
          return;
        }
        handles[slot] = handle as Server;
      }
      if (expected.every((slot) => handles[slot] !== undefined)) finish();
    }
    process.on('message', onMessage);
  });
}
