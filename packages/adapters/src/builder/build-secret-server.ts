/**
 * Hands build secrets to the steps of one classic-builder build over HTTP, so a secret is read by a `RUN` step at
 * build time and never lands in a layer, the image config or the history (the classic builder has no `--secret`).
 *
 * The server lives as long as one build: it listens on the default bridge's gateway (where build containers reach
 * the host) on a random port, answers `GET /<token>/<NAME>` with the value, and anything else with 404. The token is
 * 256 random bits; the URL that carries it is recorded in the image history as a build arg, but it is dead once the
 * build ends and the server is closed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BuildSecretServerOptions {
  /** Name → value; the names are what a Dockerfile asks for (`$SLIPWAY_SECRETS_URL/NPM_TOKEN`). */
  secrets: Readonly<Record<string, string>>;
  /** The address build containers reach this host at (the bridge gateway, `172.17.0.1`): listened on and advertised. */
  host: string;
}

export interface BuildSecretServer {
  /** `http://<host>:<port>/<token>`; `GET <url>/<NAME>` answers the value of NAME. */
  readonly url: string;
  /**
   * Where it listens: `host`, or `0.0.0.0` when `host` is no address of this machine (the engine's bridge is then
   * elsewhere — a remote engine — and only the token guards the secrets until the build ends).
   */
  readonly listenHost: string;
  /** Stops listening and cuts every open connection; idempotent. */
  close(): Promise<void>;
}

/** Build arg under which a Dockerfile that declares `ARG SLIPWAY_SECRETS_URL` gets the server's URL. */
export const secretsUrlArg = 'SLIPWAY_SECRETS_URL';

/** Starts the server. Errors: the listen error when neither the host nor `0.0.0.0` can be listened on. */
export async function startBuildSecretServer(options: BuildSecretServerOptions): Promise<BuildSecretServer> {
  const token = randomBytes(32).toString('hex');
  const prefix = Buffer.from(`/${token}/`);
  const server = createServer((request, response) => {
    const path = Buffer.from(request.url ?? '');
    const isOurs = path.length > prefix.length && timingSafeEqual(path.subarray(0, prefix.length), prefix);
    const name = isOurs ? path.subarray(prefix.length).toString() : '';
    const value = isOurs && Object.hasOwn(options.secrets, name) ? options.secrets[name] : undefined;
    if (request.method !== 'GET' || value === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store', connection: 'close' });
      response.end('not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store', connection: 'close' });
    response.end(value);
  });
  const listenHost = await listenOnFirst(server, [options.host, '0.0.0.0']);
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${options.host}:${port}/${token}`,
    listenHost,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function listenOnFirst(server: Server, hosts: string[]): Promise<string> {
  let lastError: unknown;
  for (const host of hosts) {
    try {
      server.listen(0, host);
      await once(server, 'listening');
      return host;
    } catch (error) {
      // EADDRNOTAVAIL: not an address of this machine; try the next.
      lastError = error;
    }
  }
  throw lastError;
}
