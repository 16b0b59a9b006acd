/**
 * The settings slipwayd wants its edge router to run with: the router's flags, and a fingerprint of them and of the
 * files they name whose contents matter (the TLS certificate and key), which the router reports on `GET /status` so
 * a running router with other settings is told apart and handed over to one with these.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import { formatListenAddress, type ListenAddress } from './edge-process.js';

export const settingsFingerprintFlag = '--settings-fingerprint';

export interface EdgeSettingsInput {
  readonly listen: ListenAddress;
  readonly stateDir: string;
  /** More flags (`--workers N`, the TLS listener, client limits, trusted proxies). */
  readonly extraArgs?: readonly string[] | undefined;
  /** Files whose contents are settings too: a renewed certificate at the same path is a changed setting. */
  readonly settingFiles?: readonly string[] | undefined;
}

export interface EdgeSettings {
  /** The router's flags, `--settings-fingerprint` last. */
  readonly args: readonly string[];
  /** Hex SHA-256 of the flags and the setting files' contents. */
  readonly fingerprint: string;
}

/** Reads the setting files (each is hashed, never kept). Errors: `START_FAILED` when one cannot be read. */
export async function resolveEdgeSettings(input: EdgeSettingsInput): Promise<EdgeSettings> {
  const flags = [
    '--listen',
    formatListenAddress(input.listen),
    '--state-dir',
    resolve(input.stateDir),
    ...(input.extraArgs ?? []),
  ];
  const files = await Promise.all(
    (input.settingFiles ?? []).map(async (file) => {
      try {
        return {
          file: resolve(file),
          sha256: createHash('sha256')
            .update(await readFile(file))
            .digest('hex'),
        };
      } catch (error) {
        throw new SlipwayError(
          'START_FAILED',
          `The edge router's file ${resolve(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check its path and permissions.`,
          { cause: error },
        );
      }
    }),
  );
  const fingerprint = createHash('sha256').update(JSON.stringify({ flags, files })).digest('hex');
  return { args: [...flags, settingsFingerprintFlag, fingerprint], fingerprint };
}
