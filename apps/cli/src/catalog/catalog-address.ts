/**
 * Where the CLI finds the catalog's HTTP API, in order: `--catalog-addr`, `$SLIPWAY_CATALOG_ADDR`,
 * `$CONSUL_HTTP_ADDR` (each `host:port` or an `http(s)://` URL), else slipwayd's system info (`GET /api/v1/system`).
 */
import { z } from 'zod';
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CommandRun } from '../cli-context.js';
import { createCatalogClient, type CatalogClient } from './catalog-client.js';

export interface CatalogAddress {
  baseUrl: string;
  /** What named it, for messages: the flag, the variable, or slipwayd. */
  source: string;
}

const systemInfoSchema = z.object({
  catalog: z.object({ http: z.string().nullable() }).passthrough(),
});

const systemInfoTimeoutMs = 10_000;

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
  const headers = new Headers({ accept: 'application/json' });
  const token = await run.credential.token();
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  let response: Response;
  try {
    response = await run.fetch(`${run.apiUrl}/api/v1/system`, {
      headers,
      signal: AbortSignal.timeout(systemInfoTimeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new SlipwayError(
      'UNAVAILABLE',
      `cannot ask slipwayd at ${run.apiUrl} where its catalog is (${reason}): pass --catalog-addr HOST:PORT`,
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const message = typeof error?.message === 'string' ? error.message : `answered ${response.status}`;
    const code = response.status === 401 ? 'UNAUTHENTICATED' : response.status === 403 ? 'FORBIDDEN' : 'UNAVAILABLE';
    throw new SlipwayError(code, `cannot ask slipwayd at ${run.apiUrl} where its catalog is: ${message}`);
  }
  const parsed = systemInfoSchema.safeParse(body);
  if (!parsed.success) {
    throw new SlipwayError(
      'UNAVAILABLE',
      `slipwayd at ${run.apiUrl} does not say where its catalog is: pass --catalog-addr HOST:PORT`,
    );
  }
  if (parsed.data.catalog.http === null) {
    throw new SlipwayError(
      'CATALOG_DISABLED',
      `slipwayd at ${run.apiUrl} runs without its catalog HTTP API (--catalog-http off)`,
    );
  }
  return { baseUrl: reachableFrom(run.apiUrl, parsed.data.catalog.http), source: `slipwayd at ${run.apiUrl}` };
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
