/** What every check runner shares: outputs bounded to 4 KiB, URLs without credentials, errors in a few words, deadlines. */
import { checkOutputMaxBytes } from '@slipway/core';

/** `text` cut to at most `maxBytes` UTF-8 bytes, never in the middle of a character. */
export function boundOutput(text: string, maxBytes: number = checkOutputMaxBytes): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/** The URL as an output may show it: without user name and password. An unparsable one is not repeated at all. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return '(invalid URL)';
  }
}

/** A socket or TLS error in a few words: `connect ECONNREFUSED`, `getaddrinfo ENOTFOUND`, a TLS verification reason. */
export function describeError(error: unknown): string {
  const { code, syscall, message } = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof code === 'string' && typeof syscall === 'string') return `${syscall} ${code}`;
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : String(error);
}

/**
 * One run's deadline joined with the caller's signal: `signal` aborts at the deadline (reason `timeout`) or when the
 * caller aborts (reason `cancelled`). `dispose` clears the timer; call it once the run is over.
 */
export interface RunDeadline {
  readonly signal: AbortSignal;
  /** Why `signal` aborted, once it has. */
  reason(): 'timeout' | 'cancelled' | undefined;
  dispose(): void;
}

export function createRunDeadline(timeoutMs: number, callerSignal?: AbortSignal): RunDeadline {
  const controller = new AbortController();
  let why: 'timeout' | 'cancelled' | undefined;
  const abort = (reason: 'timeout' | 'cancelled') => {
    if (why !== undefined) return;
    why = reason;
    controller.abort(new Error(reason));
  };
  const timer = setTimeout(() => abort('timeout'), Math.max(1, timeoutMs));
  timer.unref();
  const onCallerAbort = () => abort('cancelled');
  if (callerSignal?.aborted) abort('cancelled');
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => why,
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

/** The words of an aborted run: `timeout after 10000 ms` or `check cancelled`. */
export function abortedText(deadline: RunDeadline, timeoutMs: number): string {
  return deadline.reason() === 'cancelled' ? 'check cancelled' : `timeout after ${timeoutMs} ms`;
}

/**
 * `host:port` split into its parts (`[::1]:80` for IPv6); undefined when it is not one. The port must be 1–65535.
 */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(address);
  if (!match) return undefined;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}
