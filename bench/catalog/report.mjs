// bench:catalog's summary: the median of the rounds per target, operation and value size, Slipway ÷ etcd with each
// target's verdict, the fan-out's medians and the footprint; printed as tables.
import { median, printTable } from '../recovery/slipwayd-process.mjs';

const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : Math.round((a / b) * 100) / 100);

/** The medians of the rounds of one target, operation and size. */
function cell(kv, target, op, sizeBytes) {
  const runs = kv.filter((r) => r.target === target && r.op === op && r.sizeBytes === sizeBytes);
  if (runs.length === 0) return undefined;
  // The server's CPU time per answered request: under contention for the cores, the measure that does not depend on
  // how much of them the scheduler gave each server.
  const cpuUs = runs.map((r) => Math.round((r.serverCpuPercent * 10_000) / Math.max(1, r.perSecond)));
  return {
    perSecond: median(runs.map((r) => r.perSecond)),
    cpuUsPerRequest: median(cpuUs),
    p50Ms: median(runs.map((r) => r.latencyMs.p50)),
    p99Ms: median(runs.map((r) => r.latencyMs.p99)),
    serverCpuPercent: median(runs.map((r) => r.serverCpuPercent)),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    rounds: runs.length,
  };
}

/** Medians and verdicts of a run of the bench (what results.summary holds). */
export function summariseRuns(results, sizeLabel) {
  const { kv, fanOut, footprint, targets } = results;
  const sizes = [...new Set(kv.map((r) => r.sizeBytes))];
  const rows = [];
  for (const op of ['put', 'get']) {
    for (const sizeBytes of sizes) {
      const slipway = cell(kv, 'slipway', op, sizeBytes);
      const etcd = cell(kv, 'etcd', op, sizeBytes);
      const throughputRatio = ratio(slipway?.perSecond, etcd?.perSecond);
      const target = op === 'get' ? targets.getRatio : targets.putRatio;
      rows.push({
        op,
        size: sizeLabel(sizeBytes),
        slipway,
        etcd,
        throughputRatio,
        cpuPerRequestRatio: ratio(etcd?.cpuUsPerRequest, slipway?.cpuUsPerRequest),
        target,
        verdict: throughputRatio === undefined ? undefined : throughputRatio >= target ? 'met' : 'missed',
      });
    }
  }
  const fanOutSummary =
    fanOut.length === 0
      ? undefined
      : {
          rounds: fanOut.length,
          watchers: fanOut[0].watchers,
          answered: Math.min(...fanOut.map((r) => r.answeredWithNewIndex)),
          p50Ms: median(fanOut.map((r) => r.wakeMs.p50)),
          p99Ms: median(fanOut.map((r) => r.wakeMs.p99)),
          allAnsweredMs: median(fanOut.map((r) => r.allAnsweredMs)),
          slipwaydCpuMs: median(fanOut.map((r) => r.slipwaydCpuMs)),
          idleCpuMsPerSecond: median(fanOut.map((r) => r.slipwaydIdleCpuMsPerSecond)),
          rssWithWatchersMiB: median(fanOut.map((r) => r.slipwaydRssWithWatchersMiB)),
        };
  if (fanOutSummary !== undefined)
    fanOutSummary.verdict =
      fanOutSummary.p99Ms <= targets.fanOutP99Ms && fanOutSummary.answered === fanOutSummary.watchers
        ? 'met'
        : 'missed';
  const rss = footprint.catalogOn?.idleRssMiB;
  return {
    kv: rows,
    fanOut: fanOutSummary,
    idleRss:
      rss === undefined
        ? undefined
        : {
            catalogOnMiB: rss,
            catalogOffMiB: footprint.catalogOff?.idleRssMiB,
            afterLoadMiB: footprint.catalogOnAfterLoadMiB,
            verdict: rss <= targets.idleRssMiB ? 'met' : 'missed',
          },
  };
}

export function printReport(results) {
  const { summary, machine, settings } = results;
  const fmt = (c, key) => (c === undefined ? undefined : c[key]);
  printTable(
    `catalog KV — ${settings.connections} connections, median of ${settings.rounds} rounds of ${settings.durationMs} ms, ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${results.etcd ?? 'no etcd'}`,
    [
      'op',
      'size',
      'slipway/s',
      'p50',
      'p99',
      'cpu µs/req',
      'etcd/s',
      'etcd p50',
      'etcd p99',
      'etcd cpu µs/req',
      '×',
      'target',
      'verdict',
      'cpu ×',
    ],
    summary.kv.map((row) => ({
      op: row.op,
      size: row.size,
      'slipway/s': fmt(row.slipway, 'perSecond'),
      p50: fmt(row.slipway, 'p50Ms'),
      p99: fmt(row.slipway, 'p99Ms'),
      'cpu µs/req': fmt(row.slipway, 'cpuUsPerRequest'),
      'etcd/s': fmt(row.etcd, 'perSecond'),
      'etcd p50': fmt(row.etcd, 'p50Ms'),
      'etcd p99': fmt(row.etcd, 'p99Ms'),
      'etcd cpu µs/req': fmt(row.etcd, 'cpuUsPerRequest'),
      '×': row.throughputRatio,
      target: `≥ ${row.target}`,
      verdict: row.verdict,
      'cpu ×': row.cpuPerRequestRatio,
    })),
  );
  const failed = results.kv.filter((r) => r.failed > 0);
  if (failed.length > 0)
    console.log(
      `\nfailed requests: ${failed.map((r) => `${r.target} ${r.op} ${r.sizeBytes}: ${r.failed}`).join(', ')}`,
    );
  if (summary.fanOut !== undefined) {
    const f = summary.fanOut;
    printTable(
      `blocking-query fan-out — ${f.watchers} watchers on one prefix, one write, median of ${f.rounds} rounds`,
      ['answered', 'p50 ms', 'p99 ms', 'all ms', 'slipwayd CPU ms', 'idle CPU ms/s', 'RSS MiB', 'target', 'verdict'],
      [
        {
          answered: f.answered,
          'p50 ms': f.p50Ms,
          'p99 ms': f.p99Ms,
          'all ms': f.allAnsweredMs,
          'slipwayd CPU ms': f.slipwaydCpuMs,
          'idle CPU ms/s': f.idleCpuMsPerSecond,
          'RSS MiB': f.rssWithWatchersMiB,
          target: `p99 ≤ ${results.targets.fanOutP99Ms}`,
          verdict: f.verdict,
        },
      ],
    );
  }
  if (summary.idleRss !== undefined) {
    const r = summary.idleRss;
    printTable(
      'slipwayd idle RSS, one app deployed (MiB)',
      ['catalog on', 'catalog off', 'catalog on, after the load', 'target', 'verdict'],
      [
        {
          'catalog on': r.catalogOnMiB,
          'catalog off': r.catalogOffMiB,
          'catalog on, after the load': r.afterLoadMiB,
          target: `≤ ${results.targets.idleRssMiB}`,
          verdict: r.verdict,
        },
      ],
    );
  }
}
