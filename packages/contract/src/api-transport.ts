/** The HTTP mechanics under the API client: URLs, headers and bodies, error bodies to SlipwayError, schema parsing, event streams. */
import { z } from 'zod';
import { errorCodes } from './error-code.js';
import type { ErrorCode } from './error-code.js';
import { SlipwayError } from './slipway-error.js';
import { readSseStream } from './sse-parser.js';
import type { SseEvent } from './sse-parser.js';

export interface ApiTransportOptions {
  /** Where slipwayd listens, e.g. `http://127.0.0.1:7070`. */
  baseUrl: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Sent as `Authorization: Bearer <token>`. A function is asked before every request (so it may refresh an expiring
   * access token); `undefined` from it sends no credential.
   */
  token?: string | TokenSource;
}

/** Supplies the bearer credential of each request; its rejection is the request's. */
export type TokenSource = () => Promise<string | undefined>;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Undefined values are left out. */
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  raw?: { data: Uint8Array | ReadableStream<Uint8Array>; contentType: string };
  signal?: AbortSignal | undefined;
}

export interface ApiTransport {
  readonly baseUrl: string;
  /** Sends the request; resolves a 2xx response, rejects every other outcome as a SlipwayError. */
  send: (spec: RequestSpec, accept?: string) => Promise<Response>;
  /** Sends the request and parses the JSON answer with `schema`. */
  call: <S extends z.ZodType>(spec: RequestSpec, schema: S) => Promise<z.output<S>>;
  /**
   * The events named in `names` of an event stream, their data parsed with `schema`; other names are
   * skipped (keep-alives, newer kinds). Ends when the server closes, or quietly when `spec.signal` aborts.
   */
  stream: <S extends z.ZodType>(
    spec: RequestSpec,
    names: ReadonlySet<string>,
    schema: S,
  ) => AsyncGenerator<z.output<S>, void, undefined>;
}

const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string().optional(),
  }),
});

const knownErrorCodes: ReadonlySet<string> = new Set(errorCodes);

function isErrorCode(code: string): code is ErrorCode {
  return knownErrorCodes.has(code);
}

/** Names the cause of a failed fetch: undici wraps `ECONNREFUSED` and friends in `TypeError('fetch failed')`. */
function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    return cause.message === '' ? cause.name : cause.message;
  }
  return String(cause);
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `the API URL "${baseUrl}" is not a URL (expected e.g. http://127.0.0.1:7070)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SlipwayError('VALIDATION_FAILED', `the API URL "${baseUrl}" must start with http:// or https://`);
  }
  return url.href.replace(/\/+$/, '');
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, context: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first === undefined ? '' : `: ${first.path === '' ? '(root)' : first.path}: ${first.message}`;
  throw new SlipwayError('INTERNAL', `${context}${summary} (is the CLI older or newer than slipwayd?)`, {
    details: { issues },
  });
}

function parseJson(text: string, context: string, details: Record<string, unknown>): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SlipwayError('INTERNAL', `${context} that is not JSON`, { cause: error, details });
  }
}

export function createApiTransport(options: ApiTransportOptions): ApiTransport {
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const unreachable = (error: unknown) =>
    new SlipwayError(
      'UNAVAILABLE',
      `cannot reach slipwayd at ${baseUrl}: ${describeCause(error)} — is it running? (npm start)`,
      {
        cause: error,
        details: { baseUrl },
      },
    );

  const urlOf = (spec: RequestSpec): string => {
    const url = new URL(baseUrl + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.href;
  };

  const errorFrom = async (response: Response, spec: RequestSpec): Promise<SlipwayError> => {
    const status = response.status;
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = errorBodySchema.safeParse(body);
    if (parsed.success) {
      const { code, message, details, requestId } = parsed.data.error;
      // A code newer than this client still reaches the user, as INTERNAL with the original kept.
      const extra = isErrorCode(code) ? {} : { unknownCode: code };
      return new SlipwayError(isErrorCode(code) ? code : 'INTERNAL', message, {
        details: { ...details, ...extra, requestId, status },
      });
    }
    const isGatewayError = status === 502 || status === 503 || status === 504;
    const code: ErrorCode = isGatewayError ? 'UNAVAILABLE' : status === 404 ? 'ROUTE_NOT_FOUND' : 'INTERNAL';
    const message = `${baseUrl} answered ${spec.method} ${spec.path} with HTTP ${status} and no Slipway error body — is it slipwayd?`;
    return new SlipwayError(code, message, { details: { status } });
  };

  const send = async (spec: RequestSpec, accept = 'application/json'): Promise<Response> => {
    const headers: Record<string, string> = { accept };
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    // `duplex` is Node's (undici) field; the DOM's RequestInit does not declare it (the dashboard type-checks this file).
    const init: RequestInit & { duplex?: 'half' } = { method: spec.method, headers };
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(spec.json);
    } else if (spec.raw !== undefined) {
      headers['content-type'] = spec.raw.contentType;
      init.body = spec.raw.data as NonNullable<RequestInit['body']>;
      // A streamed request body needs half-duplex in Node's fetch.
      if (spec.raw.data instanceof ReadableStream) init.duplex = 'half';
    }
    if (spec.signal !== undefined) init.signal = spec.signal;
    let response: Response;
    try {
      response = await fetchFn(urlOf(spec), init);
    } catch (error) {
      if (spec.signal?.aborted === true) throw error;
      throw unreachable(error);
    }
    if (!response.ok) throw await errorFrom(response, spec);
    return response;
  };

  return {
    baseUrl,
    send,
    async call(spec, schema) {
      const response = await send(spec);
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw unreachable(error);
      }
      const context = `slipwayd answered ${spec.method} ${spec.path} with a body`;
      const body = parseJson(text, context, { status: response.status });
      return parseWith(schema, body, `slipwayd answered ${spec.method} ${spec.path} with an unexpected body`);
    },
    async *stream(spec, names, schema) {
      let response: Response;
      try {
        response = await send(spec, 'text/event-stream');
      } catch (error) {
        if (spec.signal?.aborted === true) return;
        throw error;
      }
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.startsWith('text/event-stream') || response.body === null) {
        await response.body?.cancel().catch(() => undefined);
        throw new SlipwayError(
          'INTERNAL',
          `slipwayd answered ${spec.method} ${spec.path} with "${contentType}", not an event stream`,
        );
      }
      const events: AsyncGenerator<SseEvent, void, undefined> = readSseStream(response.body);
      try {
        for (;;) {
          let next: IteratorResult<SseEvent, void>;
          try {
            next = await events.next();
          } catch (error) {
            if (spec.signal?.aborted === true) return;
            const message = `the event stream of ${spec.path} from slipwayd at ${baseUrl} broke: ${describeCause(error)}`;
            throw new SlipwayError('UNAVAILABLE', message, { cause: error });
          }
          if (next.done === true) return;
          const event = next.value;
          if (!names.has(event.event)) continue;
          const context = `slipwayd sent a "${event.event}" event on ${spec.path}`;
          const data = parseJson(event.data, `${context} with data`, { id: event.id });
          // Outside the try above: a malformed event is INTERNAL, not a broken connection.
          yield parseWith(schema, data, `${context} that does not match the contract`);
        }
      } finally {
        // The consumer stopping early (break, throw) must close the connection.
        await events.return();
      }
    },
  };
}
