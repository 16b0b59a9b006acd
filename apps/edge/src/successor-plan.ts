/**
 * What a graceful restart with (possibly) new flags gives the successor: its command, and which of the running
 * router's listeners it takes over. A listener whose address is unchanged is handed over, so no connection waiting
 * in its backlog is lost; a listener on a new address is bound by the successor, and the old one closes after drain.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { HandoverCommand } from './handover.js';
import { formatListenAddress, parseListenAddress, type ListenAddress } from './listen-address.js';
import { SlipwayError } from './slipway-error.js';

/** The edge program's defaults for the flags a plan reads (main.ts declares them with these). */
export const defaultListenFlag = '127.0.0.1:8080';
export const defaultStateDirFlag = '.slipway/edge';

/** Flags only a router gives its own children; a successor's flags never carry them. */
const internalFlags = new Set(['--take-over', '--traffic-worker']);

export interface RunningListeners {
  /** How this router was started: the successor's command when no new flags are given. */
  readonly command: HandoverCommand;
  readonly listen: ListenAddress;
  /** The HTTPS listener's address, when there is one. */
  readonly secureListen: ListenAddress | undefined;
  readonly stateDir: string;
}

export interface SuccessorPlan {
  readonly command: HandoverCommand;
  /** Whether the plain listening socket goes to the successor (same address), or it binds its own. */
  readonly isTrafficHandedOver: boolean;
  /** Whether the HTTPS listening socket goes to the successor (both have one, on the same address). */
  readonly isSecureTrafficHandedOver: boolean;
}

/**
 * Plans the successor: with `args`, a router with those flags (the same state directory, whose admin socket and pid
 * file it takes over); without, one like this router. Errors: `VALIDATION_FAILED` (a flag reserved to the router,
 * another state directory, an address that is not HOST:PORT), before anything is started.
 */
export function planSuccessor(running: RunningListeners, args?: readonly string[]): SuccessorPlan {
  if (args === undefined) {
    return {
      command: running.command,
      isTrafficHandedOver: true,
      isSecureTrafficHandedOver: running.secureListen !== undefined,
    };
  }
  const reserved = args.find((arg) => internalFlags.has(arg.split('=')[0] ?? arg));
  if (reserved !== undefined) {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `The successor's flags may not contain ${reserved}; the router adds it.`,
    );
  }
  // Only the flags a plan needs are read; the successor checks the rest and fails the handover on a bad one.
  const { values } = parseArgs({
    args: [...args],
    options: { listen: { type: 'string' }, 'tls-listen': { type: 'string' }, 'state-dir': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const text = (value: string | boolean | undefined, fallback: string | undefined): string | undefined =>
    typeof value === 'string' ? value : fallback;
  const stateDir = text(values['state-dir'], defaultStateDirFlag) ?? defaultStateDirFlag;
  if (resolve(stateDir) !== resolve(running.stateDir)) {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `The successor must keep the state directory ${resolve(running.stateDir)} (it takes over its admin socket and pid file); got ${resolve(stateDir)}.`,
    );
  }
  const listen = parseListenAddress(text(values.listen, defaultListenFlag) ?? defaultListenFlag);
  const secureText = text(values['tls-listen'], undefined);
  const secureListen = secureText === undefined ? undefined : parseListenAddress(secureText);
  const isSame = (a: ListenAddress | undefined, b: ListenAddress | undefined): boolean =>
    a !== undefined && b !== undefined && formatListenAddress(a) === formatListenAddress(b);
  return {
    command: { entry: running.command.entry, args: [...args] },
    isTrafficHandedOver: isSame(listen, running.listen),
    isSecureTrafficHandedOver: isSame(secureListen, running.secureListen),
  };
}
