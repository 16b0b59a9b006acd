/**
 * One option of slipwayd's table (`config-options.ts`): what it is and the inputs that set it, with the readers the
 * table's options share (addresses, numbers, the TLS files).
 */
import { z } from 'zod';
import { SlipwayError } from '@slipway/contract';

/** One way to set an option: `--flag ARGUMENT` or the variable; a switch has no argument (`VARIABLE=1`). */
export interface OptionInput {
  readonly flag: string;
  readonly env: string;
  /** The argument's placeholder in `--help`; absent for a switch. */
  readonly argument?: string;
  /** Given more than once on the command line; separated by `separator` in the variable. */
  readonly isRepeatable?: boolean;
  /** What separates the values of a repeatable input in its variable (default `,`). */
  readonly separator?: string;
  readonly help: string;
}

/** A raw input value: a string, several for a repeatable input, `true` for a switch. */
export type RawValue = string | readonly string[] | true;

export interface ConfigOption<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** Absent for an option that is unset unless given. */
  readonly default?: z.output<S>;
  /** Flags and variables that set it; none for an option of the config file only. */
  readonly inputs?: readonly OptionInput[];
  /**
   * The option's value (or part of it, merged over what the file gave) from its inputs that were given, keyed by
   * flag; `name` spells an input as the source that gave it (`--tls` or `SLIPWAY_TLS`) for error messages. Default:
   * the one input's value as is.
   */
  readonly read?: (given: Readonly<Record<string, RawValue>>, name: (flag: string) => string) => unknown;
}

export const option = <S extends z.ZodType>(declared: ConfigOption<S>): ConfigOption<S> => declared;

export const address = z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65_535) });

/** `HOST:PORT`, `[IPv6]:PORT` or `PORT` (on 127.0.0.1). */
export function parseAddress(value: string, what: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^(\d+)$/.exec(value);
  if (!match) throw new SlipwayError('VALIDATION_FAILED', `${what}: expected HOST:PORT or PORT, got "${value}"`);
  if (match.length === 2) return { host: '127.0.0.1', port: Number(match[1]) };
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port: Number(match[3]) };
}

export const text = (given: Readonly<Record<string, RawValue>>, flag: string): string | undefined => {
  const value = given[flag];
  return typeof value === 'string' ? value : undefined;
};
export const addressOf = (flag: string) => (given: Readonly<Record<string, RawValue>>, name: (f: string) => string) => {
  const value = text(given, flag);
  return value === undefined ? undefined : parseAddress(value, name(flag));
};
export const numberOf = (flag: string) => (given: Readonly<Record<string, RawValue>>) => {
  const value = text(given, flag);
  return value === undefined ? undefined : Number(value);
};

/** `--tls self-signed|off` and `--tls-cert`/`--tls-key` (or their variables) as the config's `tls`. */
export function readTls(given: Readonly<Record<string, RawValue>>, name: (flag: string) => string): unknown {
  const [mode, certFile, keyFile] = [text(given, 'tls'), text(given, 'tls-cert'), text(given, 'tls-key')];
  const what = name('tls');
  if (certFile !== undefined || keyFile !== undefined) {
    if (mode !== undefined && mode !== 'files') {
      throw new SlipwayError('VALIDATION_FAILED', `${what}: give a certificate and key, or ${what} ${mode}, not both`);
    }
    if (certFile === undefined || keyFile === undefined) {
      throw new SlipwayError('VALIDATION_FAILED', `${what}: give both the certificate file and the key file`);
    }
    return { mode: 'files', certFile, keyFile };
  }
  if (mode === undefined) return undefined;
  if (mode === 'off' || mode === 'self-signed') return { mode };
  throw new SlipwayError(
    'VALIDATION_FAILED',
    `${what}: expected self-signed or off (or a certificate and key), got "${mode}"`,
  );
}

/** The edge's HTTPS listener from `--edge-tls HOST:PORT` and optional certificate and key files. */
export function readEdgeTls(given: Readonly<Record<string, RawValue>>, name: (flag: string) => string): unknown {
  const [listen, certFile, keyFile] = [
    text(given, 'edge-tls'),
    text(given, 'edge-tls-cert'),
    text(given, 'edge-tls-key'),
  ];
  const what = name('edge-tls');
  if (listen === undefined) {
    if (certFile !== undefined || keyFile !== undefined) {
      throw new SlipwayError('VALIDATION_FAILED', `${what}: a certificate for the edge needs ${what} HOST:PORT too`);
    }
    return undefined;
  }
  return {
    listen: parseAddress(listen, what),
    ...(certFile === undefined ? {} : { certFile }),
    ...(keyFile === undefined ? {} : { keyFile }),
  };
}
