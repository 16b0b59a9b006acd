/** What the RuntimeDriver contract suite's tests share: reading logs, expected lines, an instance's URL, bounded waits. */
import type { InstanceStatus, LogLine } from '@slipway/core';

/** Every line of a finite log read, without its time (checked on its own: `timesOf`). */
export async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const collected: LogLine[] = [];
  for await (const line of lines) collected.push({ stream: line.stream, line: line.line });
  return collected;
}

/** The times of a finite log read's lines (undefined where the driver knows none). */
export async function timesOf(lines: AsyncIterable<LogLine>): Promise<(number | undefined)[]> {
  const times: (number | undefined)[] = [];
  for await (const line of lines) times.push(line.timeMs);
  return times;
}

export function numberedLines(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, index) => `line ${from + index}`);
}

export function urlOf(status: InstanceStatus): string {
  const host = status.host === '0.0.0.0' || status.host === '::' ? '127.0.0.1' : status.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${status.port}/`;
}

/** The promise's outcome, or a rejection naming what did not happen within `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not come within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
