/** Picks a TCP port from a range that no known instance holds and that can be bound right now. */
import { createServer } from 'node:net';
import { SlipwayError } from '@slipway/contract';

export interface PortAllocator {
  /** A free port, reserved until `release(port)`; undefined when the whole range is taken. */
  reserve(inUse: ReadonlySet<number>): Promise<number | undefined>;
  release(port: number): void;
}

/** Errors: `VALIDATION_FAILED` for a range that is not `from ≤ to` within 1–65535. */
export function createPortAllocator(options: { from: number; to: number; hosts: readonly string[] }): PortAllocator {
  const { from, to } = options;
  const isPort = (value: number): boolean => Number.isInteger(value) && value >= 1 && value <= 65_535;
  if (!isPort(from) || !isPort(to) || from > to) {
    throw new SlipwayError('VALIDATION_FAILED', `invalid port range ${from}-${to}`, { details: { from, to } });
  }
  const reserved = new Set<number>();
  // Round-robin through the range, so a port an instance just released is not handed out again at once
  // (the edge router may still hold it in a stale upstream set).
  let next = from;

  return {
    async reserve(inUse) {
      const size = to - from + 1;
      for (let attempt = 0; attempt < size; attempt += 1) {
        const port = next;
        next = next >= to ? from : next + 1;
        if (inUse.has(port) || reserved.has(port)) continue;
        // Reserve before the asynchronous probe so a concurrent start cannot pick the same port.
        reserved.add(port);
        if (await isBindable(port, options.hosts)) return port;
        reserved.delete(port);
      }
      return undefined;
    },
    release(port) {
      reserved.delete(port);
    },
  };
}

async function isBindable(port: number, hosts: readonly string[]): Promise<boolean> {
  for (const host of hosts) {
    if (!(await canListen(port, host))) return false;
  }
  return true;
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
