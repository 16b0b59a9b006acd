/**
 * The edge program's flags for what client connections are held to (`ClientLimits`, `ClientTimeouts`): their
 * declaration for `parseArgs`, and their values checked (whole numbers in a sane range) into partial settings over
 * the defaults. Forked workers get the same flags, so the same settings.
 */
import type { ClientLimits, ClientTimeouts } from './client-limits.js';

interface NumberFlag<K> {
  readonly key: K;
  readonly min: number;
  readonly max: number;
}

const hourMs = 3_600_000;

const limitFlags: Readonly<Record<string, NumberFlag<keyof ClientLimits>>> = {
  'max-connections': { key: 'maxConnections', min: 1, max: 1_000_000 },
  'max-connections-per-address': { key: 'maxConnectionsPerAddress', min: 1, max: 1_000_000 },
  'max-pipelined-requests': { key: 'maxPipelinedRequests', min: 1, max: 10_000 },
};

const timeoutFlags: Readonly<Record<string, NumberFlag<keyof ClientTimeouts>>> = {
  'idle-timeout-ms': { key: 'idleMs', min: 1, max: 24 * hourMs },
  'head-timeout-ms': { key: 'headMs', min: 1, max: 24 * hourMs },
  'body-timeout-ms': { key: 'bodyMs', min: 1, max: 24 * hourMs },
  'send-timeout-ms': { key: 'sendMs', min: 1, max: 24 * hourMs },
  'linger-ms': { key: 'lingerMs', min: 1, max: 24 * hourMs },
  'tunnel-idle-timeout-ms': { key: 'tunnelIdleMs', min: 1, max: 7 * 24 * hourMs },
};

/** The flags as `parseArgs` options: each takes one number. */
export const clientLimitFlagOptions: Readonly<Record<string, { type: 'string' }>> = Object.fromEntries(
  [...Object.keys(limitFlags), ...Object.keys(timeoutFlags)].map((flag) => [flag, { type: 'string' as const }]),
);

/** `--max-connections N … --tunnel-idle-timeout-ms MS` for the usage line. */
export const clientLimitFlagsUsage = [...Object.entries(limitFlags), ...Object.entries(timeoutFlags)]
  .map(([flag]) => `[--${flag} ${flag.endsWith('-ms') ? 'MS' : 'N'}]`)
  .join(' ');

export interface ClientSettings {
  readonly clientLimits: Partial<ClientLimits>;
  readonly clientTimeouts: Partial<ClientTimeouts>;
}

function valuesOf<K extends string>(
  flags: Readonly<Record<string, NumberFlag<K>>>,
  values: Readonly<Record<string, unknown>>,
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const [flag, { key, min, max }] of Object.entries(flags)) {
    const given = values[flag];
    if (given === undefined) continue;
    const text = typeof given === 'string' ? given : JSON.stringify(given);
    // Digits only: `Number` would take `1e3`, `0x10` or ` 5` as numbers an operator did not mean.
    const count = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!(count >= min && count <= max)) {
      throw new Error(`--${flag} takes a whole number from ${min} to ${max}; got ${text}`);
    }
    out[key] = count;
  }
  return out;
}

/** The given flags (as `parseArgs` returned them) as settings; a bad value throws naming its flag and range. */
export function parseClientLimitFlags(values: Readonly<Record<string, unknown>>): ClientSettings {
  return { clientLimits: valuesOf(limitFlags, values), clientTimeouts: valuesOf(timeoutFlags, values) };
}
