/**
 * One GET of a metric provider under a deadline and a body bound, with errors that name the provider's origin only
 * (never its path, query or answer, which may carry tokens or data).
 */
import type { ReadableStreamReadResult } from 'node:stream/web';
import { SlipwayError } from '@slipway/contract';

export interface BoundedGetOptions {
  /** Deadline of the whole exchange: connect, headers and body. */
  timeoutMs: number;
  /** Longest body read; a longer one is an error, not a truncated value. */
  maxBodyBytes: number;
  /** Aborts the exchange early (the controller stopping); its reason is rethrown. */
  signal: AbortSignal;
  accept: string;
  /** Statuses besides 2xx whose body is read and returned (Prometheus explains a bad query in a 400's body). */
  readableErrorStatuses?: readonly number[];
}

/** The origin of a URL (`https://metrics.example.com:8443`), what errors may name. */
export function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'the provider';
}

function causeCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message.slice(0, 120);
  return error instanceof Error ? error.message.slice(0, 120) : 'unknown error';
}

function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * GETs `url` and returns its body as text. Redirects are refused (a provider is named exactly).
 * Errors: `METRIC_PROVIDER_TIMEOUT` past `timeoutMs`; `METRIC_PROVIDER_FAILED` when unreachable, on a non-2xx status
 * or a body over `maxBodyBytes`; the signal's reason when `signal` aborts.
 */
export async function boundedGet(url: string, options: BoundedGetOptions): Promise<string> {
  const origin = originOf(url);
  const controller = new AbortController();
  let isTimedOut = false;
  const timer = setTimeout(() => {
    isTimedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onAbort = (): void => controller.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    options.signal.throwIfAborted();
    const response = await fetch(url, {
      signal: controller.signal,
      redirect: 'error',
      headers: { accept: options.accept, 'user-agent': 'slipway-analysis/1' },
    });
    const isReadable =
      (response.status >= 200 && response.status <= 299) ||
      (options.readableErrorStatuses ?? []).includes(response.status);
    if (!isReadable) {
      await response.body?.cancel().catch(() => undefined);
      throw new SlipwayError('METRIC_PROVIDER_FAILED', `${origin} answered HTTP ${response.status}`, {
        details: { status: response.status },
      });
    }
    const tooLarge = (): SlipwayError =>
      new SlipwayError(
        'METRIC_PROVIDER_FAILED',
        `${origin} answered more than ${formatBytes(options.maxBodyBytes)}; a metric is one number`,
      );
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > options.maxBodyBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (response.body === null) return '';
    const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let sizeBytes = 0;
    for (;;) {
      const chunk: ReadableStreamReadResult<Uint8Array> = await reader.read();
      if (chunk.done) break;
      const value = chunk.value;
      sizeBytes += value.byteLength;
      if (sizeBytes > options.maxBodyBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof SlipwayError) throw error;
    if (isTimedOut)
      throw new SlipwayError('METRIC_PROVIDER_TIMEOUT', `${origin} did not answer within ${options.timeoutMs} ms`);
    if (options.signal.aborted) throw options.signal.reason;
    throw new SlipwayError('METRIC_PROVIDER_FAILED', `${origin} could not be read: ${causeCode(error)}`);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
  }
}
