// An open-loop loopback load at a set rate (requests started per second, whatever the answers take), so a slow
// server cannot lower the offered load: every request's start, latency and outcome is kept for the report.
import { Agent, request } from 'node:http';

/** Requests per second over time: `[{ atMs, rate }]` from the load's start, each rate held until the next. */
export function startStepLoad({ port, host, steps, durationMs, timeoutMs = 10_000, maxSockets = 256 }) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const results = [];
  const startedAt = performance.now();
  let sent = 0;
  let inFlight = 0;
  let isStopped = false;
  let onIdle;

  const once = () => {
    const start = performance.now();
    const record = { atMs: start - startedAt, latencyMs: 0, status: 0, error: null };
    results.push(record);
    inFlight += 1;
    const finish = () => {
      record.latencyMs = performance.now() - start;
      inFlight -= 1;
      if (inFlight === 0 && isStopped) onIdle?.();
    };
    const req = request({ host: '127.0.0.1', port, path: '/', agent, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => {
        record.status = res.statusCode ?? 0;
        finish();
      });
      res.on('error', (error) => {
        record.error = error.code ?? error.message;
        finish();
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => {
      if (record.latencyMs === 0 && record.status === 0) {
        record.error = error.code ?? error.message;
        finish();
      }
    });
    req.end();
  };

  const rateAt = (elapsedMs) => {
    let rate = 0;
    for (const step of steps) if (elapsedMs >= step.atMs) rate = step.rate;
    return rate;
  };

  // Every 5 ms, start the requests the schedule owes by now.
  const timer = setInterval(() => {
    const elapsed = performance.now() - startedAt;
    if (elapsed >= durationMs) return stop();
    let owed = 0;
    for (const [index, step] of steps.entries()) {
      const end = Math.min(steps[index + 1]?.atMs ?? Infinity, elapsed);
      if (end > step.atMs) owed += ((end - step.atMs) / 1000) * step.rate;
    }
    while (sent < Math.floor(owed)) {
      sent += 1;
      once();
    }
  }, 5);

  let done;
  const finished = new Promise((resolve) => (done = resolve));
  function stop() {
    if (isStopped) return;
    isStopped = true;
    clearInterval(timer);
    onIdle = () => {
      agent.destroy();
      done(results);
    };
    if (inFlight === 0) onIdle();
  }

  return { finished, stop, rateAt, startedAt };
}

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
