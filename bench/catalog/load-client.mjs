// The load client of bench:catalog, the same for every target: `connections` keep-alive connections of one undici
// Pool, each with exactly one request in flight (no pipelining), sending as fast as answers come back for a fixed
// time after a warm-up. Records every answer's latency; a request fails on a socket error, on a status other than the
// expected one, or when the target's own check of the body refuses it.
import { Pool } from 'undici';

/** The p-th percentile (0–100) of an ascending array, nearest-rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const round = (value, places = 2) =>
  value === undefined ? undefined : Math.round(value * 10 ** places) / 10 ** places;

/** Throughput and latency of a set of answers measured over `durationMs`. */
export function summarise(latenciesMs, failed, durationMs, errorKinds = {}) {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    requests: sorted.length + failed,
    failed,
    perSecond: Math.round((sorted.length / durationMs) * 1000),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1)),
    },
    errorKinds,
  };
}

/**
 * Runs `makeRequest(n)` (→ `{ method, path, headers, body, expectStatus?, check?(status, bodyBuffer) }`, n counting
 * from 0 across all connections) on `connections` concurrent connections to `origin`: `warmupMs` unmeasured, then
 * `durationMs` measured. Resolves with the summary of the measured window.
 */
export async function runLoad({ origin, connections = 50, warmupMs = 1_000, durationMs = 5_000, makeRequest }) {
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const latenciesMs = [];
  const errorKinds = {};
  let failed = 0;
  let counter = 0;
  let phase = 'warmup';
  const fail = (kind) => {
    if (phase !== 'measure') return;
    failed += 1;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const worker = async () => {
    while (phase !== 'done') {
      const spec = makeRequest(counter);
      counter += 1;
      const startedAt = performance.now();
      const wasMeasured = phase === 'measure';
      try {
        const res = await pool.request({
          method: spec.method,
          path: spec.path,
          headers: spec.headers,
          body: spec.body,
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        const latencyMs = performance.now() - startedAt;
        if (!wasMeasured || phase !== 'measure') continue;
        if (res.statusCode !== (spec.expectStatus ?? 200))
          fail(`HTTP ${res.statusCode}: ${body.toString().slice(0, 80)}`);
        else if (spec.check !== undefined && !spec.check(body)) fail('unexpected body');
        else latenciesMs.push(latencyMs);
      } catch (error) {
        if (wasMeasured) fail(error.code ?? error.message);
      }
    }
  };
  const workers = Array.from({ length: connections }, worker);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  phase = 'measure';
  const measuredFrom = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const measuredMs = performance.now() - measuredFrom;
  phase = 'done';
  await Promise.all(workers);
  await pool.close();
  return summarise(latenciesMs, failed, measuredMs, errorKinds);
}

/**
 * A value of `sizeBytes` random letters whose first 12 bytes are replaced per write by a counter, so every put
 * changes the stored value (a write of an unchanged value is a no-op that neither target may skip to disk otherwise).
 * `forWrite(n)` gives the raw bytes, `base64ForWrite(n)` the same bytes base64-encoded (the rest encoded once).
 */
export function valueOfSize(sizeBytes) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = Buffer.alloc(Math.max(sizeBytes, 12));
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = alphabet.charCodeAt(Math.floor(Math.random() * alphabet.length));
  const restBase64 = bytes.subarray(12).toString('base64');
  const stamp = (n) => String(n).padStart(12, '0').slice(-12);
  return {
    sizeBytes: bytes.length,
    forWrite(n) {
      const copy = Buffer.from(bytes);
      copy.write(stamp(n), 0, 'latin1');
      return copy;
    },
    base64ForWrite(n) {
      // 12 bytes are 16 base64 characters without padding, so the two halves concatenate into the whole's encoding.
      return Buffer.from(stamp(n), 'latin1').toString('base64') + restBase64;
    },
  };
}

/** Sends `count` requests `makeRequest(n)` over `connections` connections (to fill a keyspace); throws on a failure. */
export async function runCount({ origin, connections = 50, count, makeRequest }) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next;
      next += 1;
      const spec = makeRequest(n);
      const res = await pool.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body });
      const body = await res.body.text();
      if (res.statusCode !== (spec.expectStatus ?? 200))
        throw new Error(`${spec.path}: HTTP ${res.statusCode} ${body}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await pool.close();
  }
}
