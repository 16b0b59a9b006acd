/**
 * One JSON call to a git host's API, with a deadline per attempt and a bounded number of retries (5xx, 429 and
 * network failures; never a 4xx, which says the call itself is wrong). The answer is read up to a size limit; the
 * token travels only in its header, and no error names more of the URL than its origin.
 */
import type { ReadableStreamReadResult } from 'node:stream/web';
import { SlipwayError } from '@slipway/contract';

/** Larger answers are not read: a pull request or a comment is a few KiB. */
export const maxProviderAnswerBytes = 1024 * 1024;

export interface ProviderHttpOptions {
  /** Deadline of one attempt. */
  readonly timeoutMs: number;
  /** The wait before each retry; its length is the number of retries. */
  readonly retryDelaysMs: readonly number[];
  /** Waits between attempts (tests pass one that does not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ProviderAnswer {
  readonly status: number;
  /** The parsed JSON body; undefined when empty or not JSON. */
  readonly json: unknown;
}

export interface ProviderCall {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export type ProviderHttp = (call: ProviderCall) => Promise<ProviderAnswer>;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with any answer that is not worth retrying (2xx, 3xx, 4xx but 429); rejects `GIT_PROVIDER_UNAVAILABLE`
 * once the retries are spent.
 */
export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const sleep = options.sleep ?? defaultSleep;
  return async (call) => {
    const origin = originOf(call.url);
    let last = '';
    for (let attempt = 0; attempt <= options.retryDelaysMs.length; attempt += 1) {
      if (attempt > 0) await sleep(options.retryDelaysMs[attempt - 1] ?? 0);
      const signal = AbortSignal.timeout(options.timeoutMs);
      try {
        const response = await fetch(call.url, {
          method: call.method,
          headers: {
            accept: 'application/json',
            'user-agent': 'Slipway-Previews/1',
            ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...call.headers,
          },
          ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
          redirect: 'manual',
          signal,
        });
        const text = await readBounded(response, signal);
        if (response.status >= 500 || response.status === 429) {
          last = `answered HTTP ${response.status}`;
          continue;
        }
        return { status: response.status, json: parseJson(text) };
      } catch (error) {
        last = signal.aborted ? 'did not answer before the deadline' : `could not be reached (${causeOf(error)})`;
      }
    }
    throw new SlipwayError(
      'GIT_PROVIDER_UNAVAILABLE',
      `${origin} ${last} (${options.retryDelaysMs.length + 1} attempts)`,
      {
        details: { origin },
      },
    );
  };
}

/** The answer's text, at most `maxProviderAnswerBytes` of it (the rest is not read). */
async function readBounded(response: Response, signal: AbortSignal): Promise<string> {
  if (!response.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const chunk: ReadableStreamReadResult<Uint8Array> = await reader.read();
      if (chunk.done) break;
      const value = chunk.value;
      size += value.byteLength;
      if (size > maxProviderAnswerBytes) {
        await reader.cancel().catch(() => undefined);
        return '';
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'the provider';
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : 'connection failed';
}

/** Fails a call the provider refused (a 4xx or a redirect): the token or the repository path is wrong. */
export function refused(call: ProviderCall, answer: ProviderAnswer): SlipwayError {
  return new SlipwayError(
    'GIT_PROVIDER_UNAVAILABLE',
    `${originOf(call.url)} refused ${call.method} (HTTP ${answer.status}): check the preview provider's token and repository path`,
    { details: { status: answer.status } },
  );
}

/** The answer's `id` (numbers and strings alike), or undefined. */
export function idOf(answer: ProviderAnswer): string | undefined {
  const id = (answer.json as { id?: unknown } | undefined)?.id;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
}

/** The answer's `state` field, or undefined. */
export function stateOf(answer: ProviderAnswer): string | undefined {
  const state = (answer.json as { state?: unknown } | undefined)?.state;
  return typeof state === 'string' ? state : undefined;
}

/** The commit id at `path` of the answer's JSON (`['head', 'sha']`), or null. */
export function textAt(answer: ProviderAnswer, path: readonly string[]): string | null {
  let value: unknown = answer.json;
  for (const key of path)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && /^[0-9a-f]{7,64}$/.test(value) ? value : null;
}

export const isOk = (answer: ProviderAnswer): boolean => answer.status >= 200 && answer.status < 300;
