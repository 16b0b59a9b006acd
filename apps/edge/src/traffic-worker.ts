/**
 * The worker side of `--workers N`: waits for the primary's listening socket and table, serves traffic on it, and
 * answers the primary's table updates and questions. Drains and exits when told to, or when the primary is gone.
 */
import type { Server } from 'node:net';
import type { EdgeLog } from './edge-log.js';
import { createTrafficRouter, type TrafficRouterOptions } from './traffic-router.js';
import type { WorkerMessage, WorkerReply } from './traffic-workers.js';

/** Drain bound when the primary disappeared without saying how long. */
const orphanGraceMs = 5_000;
/** A worker the primary never starts (it died first) gives up after this. */
const startTimeoutMs = 30_000;

export function runTrafficWorker(options: TrafficRouterOptions & { readonly log: EdgeLog }): Promise<void> {
  const { log } = options;
  const reply = (message: WorkerReply): void => {
    if (process.connected) process.send?.(message);
  };
  return new Promise((resolveStopped) => {
    let router: ReturnType<typeof createTrafficRouter> | undefined;
    let stopping: Promise<void> | undefined;

    const stop = (graceMs: number): Promise<void> => {
      stopping ??= (async () => {
        const current = router;
        if (current !== undefined) {
          current.markClosing();
          const closed = new Promise<void>((resolveClose) => current.traffic.server.close(() => resolveClose()));
          current.traffic.closeIdleConnections();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            closed,
            new Promise<void>((resolveGrace) => (timer = setTimeout(resolveGrace, graceMs))),
          ]);
          clearTimeout(timer);
          current.traffic.destroyAll();
          await current.release();
        }
        log.info({ pid: process.pid }, 'traffic worker stopped');
        if (process.connected) process.disconnect();
        resolveStopped();
      })();
      return stopping;
    };

    process.on('message', (message: WorkerMessage, handle: unknown) => {
      switch (message.type) {
        case 'start': {
          router = createTrafficRouter(message.table, {
            ...options,
            onWake: (request) => reply({ type: 'wake', request }),
          });
          if (message.http01.length > 0) router.applyHttp01(new Map(message.http01));
          const started = router;
          started.traffic.server.listen(handle as Server, () => {
            log.info({ pid: process.pid }, 'traffic worker serving');
            reply({ type: 'started' });
          });
          return;
        }
        case 'table':
          router?.apply(message.table);
          return reply({ type: 'reply', id: message.id, value: true });
        case 'http01':
          router?.applyHttp01(message.http01.length === 0 ? undefined : new Map(message.http01));
          return reply({ type: 'reply', id: message.id, value: true });
        case 'inflight':
          return reply({ type: 'reply', id: message.id, value: router?.inFlight(message.instanceIds) ?? {} });
        case 'metrics':
          return reply({ type: 'reply', id: message.id, value: router?.metrics() });
        case 'stop':
          void stop(message.graceMs);
          return;
      }
    });
    // The primary died (or was killed): this socket may soon be another router's to serve; stop accepting.
    process.once('disconnect', () => void stop(orphanGraceMs));
    // It may have died before this listener was added.
    if (!process.connected) void stop(0);
    setTimeout(() => {
      if (router === undefined) void stop(0);
    }, startTimeoutMs).unref();
  });
}
