// Drives wrk against a target and measures the CPU time its processes spent meanwhile (utime + stime from /proc).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { benchHost } from './peers.mjs';

const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of each pid in µs (all its threads); a pid that is gone counts 0. */
export function cpuMicros(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name: state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Exited.
    }
  }
  return (ticks * 1_000_000) / clockTicksPerSecond;
}

export function runWrk({ port, durationS, connections, threads = 1 }) {
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${durationS}s`,
    '-H',
    `Host: ${benchHost}`,
    '--latency',
    `http://127.0.0.1:${port}/`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk exited ${code}: ${out}`))));
  });
}

const unitMicros = { us: 1, ms: 1_000, s: 1_000_000 };

function latencyMicros(text) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  return match === null ? undefined : Math.round(Number(match[1]) * unitMicros[match[2]] * 10) / 10;
}

/** requests/s, request count, p50/p90/p99 latency (µs), non-2xx/3xx responses and socket errors from wrk's text. */
export function parseWrk(out) {
  const percentile = (p) => latencyMicros(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])),
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    p50Us: percentile(50),
    p90Us: percentile(90),
    p99Us: percentile(99),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: errors === null ? 0 : errors.slice(1).reduce((sum, n) => sum + Number(n), 0),
  };
}

/**
 * One measurement of a target: a warm-up, then the timed load with CPU sampled around it. `proxyPids` are read
 * just before the load so forked workers count; `upstreamPids` are measured too (the shared upstream's cost).
 */
export async function measure(target, upstream, { warmupS, durationS, connections }) {
  await runWrk({ port: target.port, durationS: warmupS, connections });
  const proxyPids = target.pids();
  const upstreamPids = upstream.pids();
  const proxyBefore = cpuMicros(proxyPids);
  const upstreamBefore = cpuMicros(upstreamPids);
  const result = await runWrk({ port: target.port, durationS, connections });
  const proxyCpu = cpuMicros(proxyPids) - proxyBefore;
  const upstreamCpu = cpuMicros(upstreamPids) - upstreamBefore;
  const perRequest = (micros) => (result.requests > 0 ? Math.round((micros / result.requests) * 10) / 10 : undefined);
  return {
    ...result,
    proxyProcesses: proxyPids.length,
    proxyCpuUsPerRequest: proxyPids.length === 0 ? undefined : perRequest(proxyCpu),
    proxyCpuCores: Math.round((proxyCpu / (durationS * 1_000_000)) * 100) / 100,
    upstreamCpuUsPerRequest: perRequest(upstreamCpu),
  };
}
