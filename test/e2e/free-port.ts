/** Loopback ports for listeners a test starts later, out of the way of outgoing connections. */
import { createServer } from 'node:net';

/** Whether `port` can be listened on at 127.0.0.1 now. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port for a listener slipwayd opens later: drawn from 12000–19999, below the instance ranges and the
 * kernel's ephemeral range (32768–60999). A port the kernel hands out for port 0 is an ephemeral one, which any
 * outgoing connection of a parallel test may take before slipwayd binds it (`PORT_UNAVAILABLE`).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 12_000 + Math.floor(Math.random() * 8_000);
    if (await isPortFree(port)) return port;
  }
  throw new Error('no free loopback port in 12000–19999');
}
