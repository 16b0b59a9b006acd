/**
 * Where the CLI finds the catalog's HTTP API, in order: `--catalog-addr`, `$SLIPWAY_CATALOG_ADDR`,
 * `$CONSUL_HTTP_ADDR` (each `host:port` or an `http(s)://` URL), else slipwayd's system info (`GET /api/v1/system`).
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CommandRun } from '../cli-context.js';
import { createCatalogClient, type CatalogClient } from './catalog-client.js';

export interface CatalogAddress {
  baseUrl: string;
  /** What named it, for messages: the flag, the variable, or slipwayd. */
  source: string;
}

/** `host:port`, `[::1]:8500` or a URL → a base URL without a trailing slash; anything else is refused. */
export function parseCatalogAddress(value: string, source: string): string {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `${source} is not host:port or an http(s) URL: ${JSON.stringify(value)}`,
    );
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `${source} is not host:port or an http(s) URL: ${JSON.stringify(value)}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new SlipwayError('VALIDATION_FAILED', `${source} must not carry credentials: the token goes in a header`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * A listener on every interface (`0.0.0.0`, `::`) is reached through the host of the API URL; anything else as it is
 * (a catalog on 127.0.0.1 of another machine cannot be reached from here: its connection error says so).
 */
function reachableFrom(apiUrl: string, listen: string): string {
  const base = parseCatalogAddress(listen, "slipwayd's catalog address");
  const url = new URL(base);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = new URL(apiUrl).hostname;
  return `${url.protocol}//${url.host}`;
}

async function fromSystemInfo(run: CommandRun): Promise<CatalogAddress> {
  const info = await run.client().system.info();
  if (info.catalog.http === null) {
    throw new SlipwayError(
      'CATALOG_DISABLED',
      `slipwayd at ${run.apiUrl} runs without its catalog HTTP API (--catalog-http off)`,
    );
  }
  return { baseUrl: reachableFrom(run.apiUrl, info.catalog.http), source: `slipwayd at ${run.apiUrl}` };
}

export async function resolveCatalogAddress(run: CommandRun, flag: string | undefined): Promise<CatalogAddress> {
  if (flag !== undefined && flag !== '')
    return { baseUrl: parseCatalogAddress(flag, '--catalog-addr'), source: '--catalog-addr' };
  for (const name of ['SLIPWAY_CATALOG_ADDR', 'CONSUL_HTTP_ADDR']) {
    const value = run.io.env[name];
    if (value !== undefined && value !== '')
      return { baseUrl: parseCatalogAddress(value, `$${name}`), source: `$${name}` };
  }
  return fromSystemInfo(run);
}

/** The catalog client of one command: found as above, sending the CLI's own token as `X-Consul-Token`. */
export async function openCatalogClient(run: CommandRun, flag: string | undefined): Promise<CatalogClient> {
  try {
    const address = await resolveCatalogAddress(run, flag);
    return createCatalogClient({ baseUrl: address.baseUrl, token: run.credential.token, fetch: run.fetch });
  } catch (error) {
    if (isSlipwayError(error)) throw error;
    throw new SlipwayError(
      'UNAVAILABLE',
      `cannot find the catalog: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
