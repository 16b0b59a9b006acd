/**
 * Where the instances of each runtime reach the catalog's HTTP API (`SLIPWAY_CATALOG_ADDR`, `CONSUL_HTTP_ADDR`).
 * A process instance runs on this host: the listening address (loopback when it listens on every interface). A
 * container has a loopback of its own: it reaches this host at the Docker bridge's gateway, which answers only when
 * the catalog listens on every interface (`--catalog-http 0.0.0.0:8500`) or on a non-loopback address; a catalog on
 * loopback alone (the default) is out of a container's reach, and its instances get no address rather than a wrong one.
 */
import { isIP } from 'node:net';
import { findBridgeGateway, type DockerEngine } from '@slipway/adapters';
import type { Logger } from '@slipway/core';

const wildcardHosts = new Set(['0.0.0.0', '::', '']);

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The catalog's address by runtime name (`process`, `docker`, `swarm`), for `CoreSettings.catalogAddresses`.
 * `listen`: the catalog HTTP listener, or `off`. `containerRuntimes`: the names of the container runtimes on.
 */
export async function catalogInstanceAddresses(
  listen: { host: string; port: number } | 'off',
  containers: { runtimes: readonly string[]; engine: DockerEngine | undefined },
  logger: Logger,
): Promise<Record<string, string>> {
  if (listen === 'off') return {};
  const isWildcard = wildcardHosts.has(listen.host);
  const addresses: Record<string, string> = {
    process: hostPort(isWildcard ? '127.0.0.1' : listen.host, listen.port),
  };
  if (containers.runtimes.length === 0 || containers.engine === undefined) return addresses;
  let containerAddress: string | undefined;
  if (isWildcard) {
    containerAddress = await findBridgeGateway(containers.engine).then(
      (gateway) => hostPort(gateway, listen.port),
      (error: unknown) => {
        logger.warn({ err: error }, 'no bridge gateway: containers get no catalog address');
        return undefined;
      },
    );
  } else if (!isLoopback(listen.host)) {
    containerAddress = hostPort(listen.host, listen.port);
  } else {
    logger.info(
      { catalogHttp: hostPort(listen.host, listen.port) },
      'the catalog listens on loopback only: containers get no catalog address',
    );
  }
  if (containerAddress !== undefined) for (const runtime of containers.runtimes) addresses[runtime] = containerAddress;
  return addresses;
}
