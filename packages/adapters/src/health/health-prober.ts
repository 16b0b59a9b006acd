/** The health prober: one http, tcp or exec probe of one instance, always answered with a short verdict, never an exception. */
import { request } from 'node:http';
import { connect } from 'node:net';
import { healthCheckPathPattern, type HealthCheck } from '@slipway/contract';
import type { ExecResult, HealthProber, ProbeCheck, ProbeResult, ProbeTarget } from '@slipway/core';

/** A zero timeout would fail every probe; this is the shortest wait a probe gets. */
const minTimeoutMs = 100;
const maxDetailChars = 200;

function timeoutMsOf(check: ProbeCheck): number {
  return Math.max(minTimeoutMs, Math.round(check.timeoutSeconds * 1000));
}

function shorten(text: string): string {
  return text.length > maxDetailChars ? `${text.slice(0, maxDetailChars - 1)}…` : text;
}

function describeError(error: unknown): string {
  const { code, syscall, message } = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof code === 'string' && typeof syscall === 'string') return `${syscall} ${code}`;
  if (typeof message === 'string' && message !== '') return shorten(message);
  return typeof code === 'string' ? code : shorten(String(error));
}

/** Exact code, `Nxx` class, or (unset) anything below 500 — a 404 still proves the process serves. */
export function isExpectedStatus(
  status: number,
  expected: Extract<HealthCheck, { type: 'http' }>['expectedStatus'],
): boolean {
  if (expected === undefined) return status < 500;
  if (typeof expected === 'number') return status === expected;
  return String(Math.floor(status / 100)) === expected.charAt(0);
}

function probeHttp(check: Extract<ProbeCheck, { type: 'http' }>, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = timeoutMsOf(check);
  // Enforced here too (a release stored before the manifest said so): only a path, only to the instance's address.
  if (!healthCheckPathPattern.test(check.path))
    return Promise.resolve({ isHealthy: false, detail: 'not probed: the check path is not an origin-form path' });
  return new Promise((resolve) => {
    let isDone = false;
    const finish = (result: ProbeResult) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = request({
      host: target.host,
      port: target.port,
      path: check.path,
      method: 'GET',
      agent: false,
      headers: { connection: 'close', 'user-agent': 'slipway-health/1' },
    });
    const timer = setTimeout(() => finish({ isHealthy: false, detail: `timeout after ${timeoutMs} ms` }), timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      finish({ isHealthy: isExpectedStatus(status, check.expectedStatus), detail: `HTTP ${status}` });
    });
    req.on('error', (error) => finish({ isHealthy: false, detail: describeError(error) }));
    req.end();
  });
}

function probeTcp(check: Extract<ProbeCheck, { type: 'tcp' }>, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = timeoutMsOf(check);
  return new Promise((resolve) => {
    let isDone = false;
    const finish = (result: ProbeResult) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => finish({ isHealthy: false, detail: `timeout after ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => finish({ isHealthy: true, detail: 'connected' }));
    socket.once('error', (error) => finish({ isHealthy: false, detail: describeError(error) }));
  });
}

async function probeExec(check: Extract<ProbeCheck, { type: 'exec' }>, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = timeoutMsOf(check);
  let timer: NodeJS.Timeout | undefined;
  // The runtime enforces the timeout; this guard only covers a runtime that does not answer at all.
  const guard = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs + 1000);
  });
  try {
    const result: ExecResult | 'late' = await Promise.race([target.exec(check.command, { timeoutMs }), guard]);
    if (result === 'late') return { isHealthy: false, detail: `timeout after ${timeoutMs} ms` };
    if (result.exitCode === 0) return { isHealthy: true, detail: 'exit 0' };
    const lastLine = result.output
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .at(-1);
    return {
      isHealthy: false,
      detail: shorten(`exit ${result.exitCode}${lastLine === undefined ? '' : `: ${lastLine}`}`),
    };
  } catch (error) {
    return { isHealthy: false, detail: shorten(`exec failed: ${describeError(error)}`) };
  } finally {
    clearTimeout(timer);
  }
}

export function createHealthProber(): HealthProber {
  return {
    async probe(check, target) {
      try {
        switch (check.type) {
          case 'http':
            return await probeHttp(check, target);
          case 'tcp':
            return await probeTcp(check, target);
          case 'exec':
            return await probeExec(check, target);
        }
      } catch (error) {
        return { isHealthy: false, detail: describeError(error) };
      }
    },
  };
}
