/** Picks a TCP port from a range that no known instance holds and that can be bound right now. */
import { createServer } from 'node:net';
import { SlipwayError } from '@slipway/contract';

export interface PortAllocator {
  /** A free port, reserved until `release(port)`; undefined when the whole range is taken. */
  reserve(inUse: ReadonlySet<number>): Promise<number | undefined>;
  release(port: number): void;
  /**
   * Runs `use` with a free port reserved for as long as it runs. Errors: `PORT_UNAVAILABLE` (naming the range and
   * `instanceId`) when the whole range is taken.
   */
  withPort<T>(inUse: ReadonlySet<number>, instanceId: string, use: (port: number) => Promise<T>): Promise<T>;
}

/** The refusal when every port of the range is taken. */
export function noFreePort(range: { from: number; to: number }, instanceId: string): SlipwayError {
  return new SlipwayError('PORT_UNAVAILABLE', `no free port in ${range.from}-${range.to}`, {
    details: { instanceId, from: range.from, to: range.to },
  });
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

  const allocator: PortAllocator = {
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
    async withPort(inUse, instanceId, use) {
      const port = await allocator.reserve(inUse);
      if (port === undefined) throw noFreePort({ from, to }, instanceId);
      try {
        return await use(port);
      } finally {
        allocator.release(port);
      }
    },
  };
  return allocator;
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
