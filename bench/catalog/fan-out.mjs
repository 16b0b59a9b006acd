// The blocking-query fan-out of bench:catalog: `watchers` idle blocking queries on one KV prefix
// (`GET /v1/kv/<prefix>?recurse&index=N&wait=5m`, one connection each, as that many clients would hold), one write under
// the prefix, and for each watcher the time from the write's request to the first byte of its answer. Also the CPU
// slipwayd spends from the write until the last watcher is answered (utime + stime from /proc) and while the watchers
// are parked. Raw sockets, so the client's own cost per watcher stays small next to the server's.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { percentile } from './load-client.mjs';
import { rssBytes, sleep } from '../recovery/slipwayd-process.mjs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** CPU time the process has used so far, in milliseconds. */
export function cpuTimeMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesized command name; utime and stime are the 14th and 15th fields overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** One watcher: a socket with a blocking query written; resolves its `answered` when the status line has arrived. */
function openWatcher(port, request) {
  return new Promise((resolveOpened, rejectOpened) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const watcher = { socket, firstByteAt: undefined, head: '', error: undefined };
    watcher.answered = new Promise((resolveAnswered) => {
      socket.on('data', (chunk) => {
        watcher.firstByteAt ??= performance.now();
        if (watcher.head.length < 4096) watcher.head += chunk.toString('latin1');
        if (watcher.head.includes('\r\n\r\n')) resolveAnswered();
      });
      socket.on('close', () => resolveAnswered());
    });
    socket.once('connect', () => {
      socket.write(request);
      resolveOpened(watcher);
    });
    socket.on('error', (error) => {
      watcher.error = error.code ?? error.message;
      rejectOpened(error);
    });
    socket.setTimeout(15 * 60_000, () => socket.destroy());
  });
}

/** The waiters the catalog reports as parked, when its metrics name them; undefined otherwise. */
async function parkedWaiters(target) {
  const answer = await target.catalog('GET', '/v1/agent/metrics?format=prometheus').catch(() => undefined);
  if (answer === undefined || answer.status !== 200) return undefined;
  const line = answer.text.split('\n').find((l) => !l.startsWith('#') && /block\w*_(waiters|queries)\b/i.test(l));
  return line === undefined ? undefined : Number(line.trim().split(/\s+/).at(-1));
}

/**
 * One round: `watchers` blocking queries on `prefix`, then one write. Resolves with the wake-up latencies
 * (p50/p99/max, from the write's request), how many were answered with a higher index, and slipwayd's CPU.
 */
export async function measureFanOut(target, { watchers = 5_000, prefix = 'fan/', settleMs = 3_000, round = 1 }) {
  const seed = await target.catalog('PUT', `/v1/kv/${prefix}seed`, `round ${round}`);
  if (seed.status !== 200) throw new Error(`seed write answered ${seed.status}: ${seed.text}`);
  const listing = await target.catalog('GET', `/v1/kv/${prefix}?recurse`);
  const index = Number(listing.headers.get('x-consul-index'));
  if (!(index > 0)) throw new Error(`no X-Consul-Index on the prefix: ${listing.status} ${listing.text}`);

  const request =
    `GET /v1/kv/${prefix}?recurse&index=${index}&wait=5m HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${target.catalogPort}\r\nX-Consul-Token: ${target.token}\r\nAccept: */*\r\n\r\n`;
  const opened = [];
  const openErrors = {};
  for (let from = 0; from < watchers; from += 250) {
    const batch = Array.from({ length: Math.min(250, watchers - from) }, () =>
      openWatcher(target.catalogPort, request).then(
        (w) => opened.push(w),
        (error) => (openErrors[error.code ?? error.message] = (openErrors[error.code ?? error.message] ?? 0) + 1),
      ),
    );
    await Promise.all(batch);
  }
  // Parked once the catalog counts them (when its metrics say so), else after a settle time.
  const parkDeadline = Date.now() + 30_000;
  let parked = await parkedWaiters(target);
  while (parked !== undefined && parked < opened.length && Date.now() < parkDeadline) {
    await sleep(100);
    parked = await parkedWaiters(target);
  }
  const idleFrom = cpuTimeMs(target.pid);
  await sleep(settleMs);
  const idleCpuMs = cpuTimeMs(target.pid) - idleFrom;
  const earlyAnswers = opened.filter((w) => w.firstByteAt !== undefined).length;
  const rssWithWatchers = rssBytes(target.pid);

  const cpuFrom = cpuTimeMs(target.pid);
  const writeAt = performance.now();
  const write = await target.catalog('PUT', `/v1/kv/${prefix}changed`, `round ${round}`);
  const writeAckMs = performance.now() - writeAt;
  if (write.status !== 200) throw new Error(`the write answered ${write.status}: ${write.text}`);
  let timer;
  await Promise.race([
    Promise.all(opened.map((w) => w.answered)),
    new Promise((resolve) => (timer = setTimeout(resolve, 120_000))),
  ]);
  clearTimeout(timer);
  const allAnsweredMs = performance.now() - writeAt;
  const cpuMs = cpuTimeMs(target.pid) - cpuFrom;

  const woken = opened.filter((w) => w.firstByteAt !== undefined && w.firstByteAt >= writeAt);
  const latencies = Float64Array.from(woken.map((w) => w.firstByteAt - writeAt)).sort();
  const newIndex = (w) => Number(/x-consul-index:\s*(\d+)/i.exec(w.head)?.[1]);
  const status = (w) => Number(/^HTTP\/1\.1 (\d+)/.exec(w.head)?.[1]);
  const correct = woken.filter((w) => status(w) === 200 && newIndex(w) > index).length;
  for (const w of opened) w.socket.destroy();
  const r = (v) => (v === undefined ? undefined : Math.round(v * 10) / 10);
  return {
    round,
    watchers,
    opened: opened.length,
    openErrors,
    parkedByMetrics: parked,
    answeredBeforeTheWrite: earlyAnswers,
    answered: woken.length,
    answeredWithNewIndex: correct,
    writeAckMs: r(writeAckMs),
    wakeMs: { p50: r(percentile(latencies, 50)), p99: r(percentile(latencies, 99)), max: r(latencies.at(-1)) },
    allAnsweredMs: r(allAnsweredMs),
    slipwaydCpuMs: r(cpuMs),
    slipwaydIdleCpuMsPerSecond: r((idleCpuMs * 1000) / settleMs),
    slipwaydRssWithWatchersMiB: r(rssWithWatchers / 2 ** 20),
  };
}
