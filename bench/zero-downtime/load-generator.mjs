// An open-loop, constant-rate HTTP load over a fixed set of keep-alive connections, recording every request's
// outcome (ok, non-2xx, socket error) and latency, tagged with the phase it was sent in.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const tickMs = 2;

/**
 * Starts sending `ratePerSecond` GETs to `http://127.0.0.1:<port>/` (with `host`) over one agent of `connections`
 * keep-alive sockets. Requests are scheduled by the clock, not by answers (open loop): a slow or stalled upstream
 * makes requests queue in the agent, and that wait counts in their latency, so stalls are not hidden.
 * `setPhase` tags the requests sent from then on; `stop` waits for the requests in flight and returns the records.
 */
export function startLoad({
  port,
  host,
  connections = 50,
  ratePerSecond = 600,
  requestTimeoutMs = 10_000,
  paths = ['/'],
}) {
  // FIFO hands each request the socket idle the longest, so all `connections` sockets stay in use and open.
  const agent = new Agent({ keepAlive: true, maxSockets: connections, scheduling: 'fifo' });
  const records = [];
  let phase = 'warmup';
  let sent = 0;
  let inFlight = 0;
  let socketsOpened = 0;
  let isStopped = false;
  const startedAt = performance.now();
  let drained;
  const allAnswered = new Promise((resolve) => (drained = resolve));

  const send = () => {
    const record = {
      phase,
      startMs: performance.now() - startedAt,
      latencyMs: 0,
      status: 0,
      error: undefined,
      release: undefined,
    };
    sent += 1;
    inFlight += 1;
    let isDone = false;
    const done = (status, error) => {
      if (isDone) return;
      isDone = true;
      record.latencyMs = performance.now() - startedAt - record.startMs;
      record.status = status;
      record.error = error;
      records.push(record);
      inFlight -= 1;
      if (isStopped && inFlight === 0) drained();
    };
    const path = paths[sent % paths.length];
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        // hello-node answers `hello from release <message> …`: shows when the traffic moved to the new release.
        // An `x-release` header names it too (bodies of any size, answers of any status).
        const header = res.headers['x-release'];
        record.release = typeof header === 'string' ? header : /release (\S+)/.exec(body)?.[1];
        done(res.statusCode ?? 0);
      });
      res.on('error', (error) => done(0, error.code ?? error.message));
      res.on('aborted', () => done(0, 'response aborted'));
    });
    req.on('socket', (socket) => {
      if (!socket.benchSeen) {
        socket.benchSeen = true;
        socketsOpened += 1;
      }
    });
    req.on('error', (error) => done(0, error.code ?? error.message));
    req.setTimeout(requestTimeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.end();
  };

  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) * ratePerSecond) / 1000);
    while (sent < due) send();
  }, tickMs);

  return {
    connections,
    ratePerSecond,
    setPhase(next) {
      phase = next;
    },
    /** Opens every connection at once (a burst of `connections` requests), so the pool is full before measuring. */
    async fillPool() {
      await Promise.all(
        Array.from(
          { length: connections },
          () =>
            new Promise((resolve) => {
              const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent }, (res) => {
                res.resume();
                res.on('end', resolve);
                res.on('error', resolve);
              });
              req.on('error', resolve);
              req.end();
            }),
        ),
      );
    },
    openSockets() {
      const count = (sockets) => Object.values(sockets).reduce((n, list) => n + list.length, 0);
      return count(agent.sockets) + count(agent.freeSockets);
    },
    get socketsOpened() {
      return socketsOpened;
    },
    async stop() {
      isStopped = true;
      clearInterval(timer);
      if (inFlight > 0) await allAnswered;
      agent.destroy();
      return { records, durationMs: performance.now() - startedAt };
    },
  };
}

/** Counts and latency percentiles of the records of one phase. */
export function summarise(records) {
  const latencies = records.map((r) => r.latencyMs).sort((a, b) => a - b);
  const ok = records.filter((r) => r.status >= 200 && r.status < 300).length;
  const non2xx = records.filter((r) => r.status !== 0 && (r.status < 200 || r.status >= 300));
  const socketErrors = records.filter((r) => r.status === 0);
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    first = Math.min(first, r.startMs);
    last = Math.max(last, r.startMs);
  }
  const spanMs = records.length > 1 ? last - first : 0;
  const errorKinds = {};
  for (const r of [...non2xx, ...socketErrors]) {
    const kind = r.status === 0 ? r.error : `HTTP ${r.status}`;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  }
  const servedBy = {};
  for (const r of records) if (r.release !== undefined) servedBy[r.release] = (servedBy[r.release] ?? 0) + 1;
  return {
    requests: records.length,
    servedBy,
    ok,
    non2xx: non2xx.length,
    socketErrors: socketErrors.length,
    failed: non2xx.length + socketErrors.length,
    errorKinds,
    durationMs: Math.round(spanMs),
    achievedRatePerSecond: spanMs > 0 ? Math.round((records.length * 1000) / spanMs) : undefined,
    latencyMs: {
      p50: round(percentile(latencies, 0.5)),
      p99: round(percentile(latencies, 0.99)),
      max: round(latencies[latencies.length - 1]),
    },
  };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const round = (ms) => (ms === undefined ? undefined : Math.round(ms * 100) / 100);
