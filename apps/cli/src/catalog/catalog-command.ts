/** What the catalog commands (`kv`, `catalog`, `template`) share: finding the catalog, reading input, parsing indexes. */
import { Option, type Command } from 'commander';
import { SlipwayError } from '@slipway/contract';
import type { CommandRun } from '../cli-context.js';
import { openCatalogClient } from './catalog-address.js';
import type { CatalogClient } from './catalog-client.js';

/** The catalog refuses larger values (413); reading stops one byte past it. */
export const kvValueMaxBytes = 512 * 1024;

export function catalogAddrOption(): Option {
  return new Option(
    '--catalog-addr <host:port>',
    "the catalog's HTTP API (default: $SLIPWAY_CATALOG_ADDR, $CONSUL_HTTP_ADDR, else where slipwayd says it is)",
  );
}

/** The catalog client of a command under `kv`, `catalog` or `template` (`--catalog-addr` given at any level). */
export function catalogOf(run: CommandRun, command: Command): Promise<CatalogClient> {
  const { catalogAddr } = command.optsWithGlobals<{ catalogAddr?: string }>();
  return openCatalogClient(run, catalogAddr);
}

export function parseIndex(run: CommandRun, value: string, what: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    run.usageError(`${what} must be a whole number, got "${value}"`);
  return Number(value);
}

/** Everything on stdin, refused past `maxBytes`. */
export async function readInput(run: CommandRun, maxBytes: number): Promise<Uint8Array> {
  const stdin = run.io.stdin;
  if (stdin === undefined) return run.usageError('no standard input to read the value from');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new SlipwayError('PAYLOAD_TOO_LARGE', `the value is over ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
