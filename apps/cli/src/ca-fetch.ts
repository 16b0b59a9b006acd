/**
 * TLS trust of the CLI: which certificate authority verifies slipwayd's certificate, and a `fetch` that verifies
 * with it. In order: `--ca-file`, `$SLIPWAY_CA_FILE`, and — for an `https` loopback API URL only — the self-signed
 * certificate slipwayd generated in its data dir (`<dataDir>/tls/cert.pem`); otherwise the system's authorities.
 * Verification is never turned off.
 */
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { SlipwayError } from '@slipway/contract';
import { findDataDir, isLoopbackUrl } from './admin-token.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The PEM text of the authority to trust for `apiUrl`, or undefined for the system's. Errors: `VALIDATION_FAILED`. */
export async function findTrustedCa(options: {
  apiUrl: string;
  caFile: string | undefined;
  env: Env;
  cwd: string;
}): Promise<string | undefined> {
  const explicit = options.caFile ?? (options.env['SLIPWAY_CA_FILE'] || undefined);
  if (explicit !== undefined) {
    const file = resolve(options.cwd, explicit);
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new SlipwayError('VALIDATION_FAILED', `cannot read the CA file ${file}: ${(error as Error).message}`);
    }
  }
  if (!options.apiUrl.startsWith('https:') || !isLoopbackUrl(options.apiUrl)) return undefined;
  const dataDir = await findDataDir(options.env, options.cwd, options.apiUrl);
  if (dataDir === undefined) return undefined;
  return readFile(join(dataDir, 'tls', 'cert.pem'), 'utf8').catch(() => undefined);
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => (out[key] = value));
  return out;
}

/** A `fetch` for `https` URLs that trusts `ca` (PEM) instead of the system's authorities; other URLs use `fetch`. */
export function createCaFetch(ca: string): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:') return fetch(input, init);
    return new Promise<Response>((resolvePromise, reject) => {
      const req = httpsRequest(
        url,
        { method: init?.method ?? 'GET', headers: headersOf(init), ca, signal: init?.signal ?? undefined },
        (res) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
          }
          const status = res.statusCode ?? 502;
          const hasBody = status !== 204 && status !== 304 && init?.method !== 'HEAD';
          if (!hasBody) res.resume();
          resolvePromise(
            new Response(hasBody ? (Readable.toWeb(res) as ReadableStream<Uint8Array>) : null, {
              status,
              statusText: res.statusMessage ?? '',
              headers,
            }),
          );
        },
      );
      req.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
      const body = init?.body;
      if (body === undefined || body === null) req.end();
      else if (body instanceof ReadableStream) Readable.fromWeb(body as never).pipe(req);
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else reject(new TypeError('this request body kind is not supported over a custom CA'));
    });
  };
}

/**
 * A `fetch` that finds the trusted authority when it is first needed (see `findTrustedCa`); while none is found it
 * looks again on the next request (a slipwayd starting may not have written its certificate yet).
 */
export function createTrustingFetch(options: Parameters<typeof findTrustedCa>[0]): typeof fetch {
  let caFetch: typeof fetch | undefined;
  return async (input, init) => {
    if (caFetch === undefined) {
      const ca = await findTrustedCa(options);
      if (ca === undefined) return fetch(input, init);
      caFetch = createCaFetch(ca);
    }
    return caFetch(input, init);
  };
}
