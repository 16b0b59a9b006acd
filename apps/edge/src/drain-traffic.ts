/** Draining at shutdown: listeners stop accepting, connections get a grace period to finish, then are cut. */
import type { Server as HttpServer } from 'node:http';
import type { TrafficServer } from './traffic-server.js';

/**
 * Stops accepting but, unlike `drainTraffic`, leaves idle keep-alive connections open: closing one races with a
 * request its client may be sending on it right now. Every response now carries `Connection: close`, so busy
 * connections go away after their next answer; what is left after `graceMs` is cut.
 */
export async function drainKeepingIdle(traffic: TrafficServer, graceMs: number): Promise<void> {
  const closed = stopAccepting(traffic);
  await raceGrace(closed, graceMs);
  traffic.destroyAll();
  await closed;
}

/** Stops accepting, closes idle connections, waits for busy ones up to `graceMs`, then cuts what is left. */
export async function drainTraffic(traffic: TrafficServer, graceMs: number): Promise<void> {
  const closed = stopAccepting(traffic);
  traffic.closeIdleConnections();
  await raceGrace(closed, graceMs);
  traffic.destroyAll();
  await closed;
}

/** Closes the plain and the HTTPS listener; resolves once both have no connection left. */
async function stopAccepting(traffic: TrafficServer): Promise<void> {
  const servers = traffic.secureServer === undefined ? [traffic.server] : [traffic.server, traffic.secureServer];
  await Promise.all(servers.map((server) => new Promise<void>((resolveClose) => server.close(() => resolveClose()))));
}

/** The admin server: stops accepting, waits for open requests up to `graceMs`, then cuts what is left. */
export async function drain(server: HttpServer, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  server.closeIdleConnections();
  await raceGrace(closed, graceMs);
  server.closeAllConnections();
  await closed;
}

async function raceGrace(closed: Promise<void>, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolveGrace) => {
    timer = setTimeout(resolveGrace, graceMs);
  });
  await Promise.race([closed, graceOver]);
  clearTimeout(timer);
}
