/** The edge's listening chores at start and stop: traffic listeners, handed-over handles, the admin socket, the pid file. */
import { readFile, rm } from 'node:fs/promises';
import { connect, type Server } from 'node:net';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { SlipwayError } from './slipway-error.js';

/** Listens on the traffic address; an address it cannot take is `PORT_UNAVAILABLE` saying why. */
export async function listenTraffic(server: Server, listen: ListenAddress): Promise<void> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
        const hint =
          error.code === 'EACCES'
            ? 'ports below 1024 need root or CAP_NET_BIND_SERVICE'
            : error.code === 'EADDRNOTAVAIL'
              ? 'that address is not one of this machine'
              : 'another process holds it';
        reject(
          new SlipwayError(
            'PORT_UNAVAILABLE',
            `The edge router cannot listen on ${formatListenAddress(listen)} (${error.code}: ${hint}); free it or choose another edge listen address.`,
            { cause: error },
          ),
        );
      } else reject(error);
    });
    server.listen({ host: listen.host, port: listen.port }, () => resolveListen());
  });
}

/** The address a server listens on (the port it was given for port 0). */
export function boundAddress(server: Server, host: string): ListenAddress {
  const bound = server.address();
  return typeof bound === 'object' && bound !== null ? { host, port: bound.port } : { host, port: 0 };
}

/** Listens on a handle a predecessor handed over. */
export async function listenOnHandle(server: Server, handle: Server): Promise<void> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(handle, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}

/** Whether something answers on the admin socket (another edge still running). */
export function isSocketAnswering(path: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolveAnswer(true);
    });
    socket.once('error', () => resolveAnswer(false));
  });
}

/** Removes the pid file when it still names this process. */
export async function removePidFileIfOurs(path: string): Promise<void> {
  try {
    if (Number.parseInt(await readFile(path, 'utf8'), 10) === process.pid) await rm(path, { force: true });
  } catch {
    // Already gone.
  }
}
