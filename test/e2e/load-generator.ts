/** A bounded loopback load for e2e tests: N keep-alive workers sending requests through the edge until stopped. */
import { Agent, request } from 'node:http';

export interface LoadCounts {
  sent: number;
  ok: number;
  /** Answers other than 2xx, by status. */
  failedByStatus: Record<number, number>;
  /** Requests that ended in a socket error, by error code. */
  errors: Record<string, number>;
}

export interface RunningLoad {
  /** Stops sending, waits for requests in flight, and returns the counts. */
  stop(): Promise<LoadCounts>;
  counts(): LoadCounts;
}

export function startLoad(options: {
  port: number;
  host: string;
  path?: string;
  connections: number;
  maxRequests?: number;
}): RunningLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const counts: LoadCounts = { sent: 0, ok: 0, failedByStatus: {}, errors: {} };
  const maxRequests = options.maxRequests ?? 200_000;
  let isStopped = false;

  const once = (): Promise<void> =>
    new Promise((resolve) => {
      counts.sent += 1;
      const req = request(
        { host: '127.0.0.1', port: options.port, path: options.path ?? '/', agent, headers: { host: options.host } },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) counts.ok += 1;
            else counts.failedByStatus[status] = (counts.failedByStatus[status] ?? 0) + 1;
            resolve();
          });
          res.on('error', (error: NodeJS.ErrnoException) => {
            counts.errors[error.code ?? error.message] = (counts.errors[error.code ?? error.message] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        counts.errors[error.code ?? error.message] = (counts.errors[error.code ?? error.message] ?? 0) + 1;
        resolve();
      });
      req.setTimeout(10_000, () => req.destroy(new Error('ETIMEDOUT')));
      req.end();
    });

  const worker = async (): Promise<void> => {
    while (!isStopped && counts.sent < maxRequests) await once();
  };
  const workers = Array.from({ length: options.connections }, () => worker());

  return {
    counts: () => counts,
    async stop() {
      isStopped = true;
      await Promise.all(workers);
      agent.destroy();
      return counts;
    },
  };
}
