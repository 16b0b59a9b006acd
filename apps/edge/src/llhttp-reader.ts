/**
 * Test support: reads bytes with llhttp, Node's own HTTP/1.x parser (`HTTPParser` of `node:_http_common`, in its
 * default strict mode), so the router's parsers can be compared with it message by message.
 */
import { createRequire } from 'node:module';

/** One message as llhttp read it. */
export interface LlhttpMessage {
  readonly method: string | undefined;
  readonly url: string;
  readonly statusCode: number | undefined;
  readonly version: string;
  /** Names and values in order, as llhttp hands them to node:http (values without surrounding whitespace). */
  readonly fields: readonly (readonly [string, string])[];
  readonly trailers: readonly (readonly [string, string])[];
  /** The payload, chunked framing decoded (latin1). */
  body: string;
  readonly isUpgrade: boolean;
  readonly isKeepAlive: boolean;
  isComplete: boolean;
}

export interface LlhttpReading {
  readonly messages: readonly LlhttpMessage[];
  /** llhttp's error code (`HPE_…`), when it refused the bytes (or their end). */
  readonly error: string | undefined;
}

interface HttpParserInstance {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  finish(): undefined | Error;
  close(): void;
  [slot: number]: unknown;
}

interface HttpCommon {
  readonly HTTPParser: {
    new (): HttpParserInstance;
    readonly REQUEST: number;
    readonly RESPONSE: number;
    readonly kOnHeaders: number;
    readonly kOnHeadersComplete: number;
    readonly kOnBody: number;
    readonly kOnMessageComplete: number;
  };
  readonly methods: readonly string[];
}

const { HTTPParser, methods } = createRequire(import.meta.url)('_http_common') as HttpCommon;

function pairs(flat: readonly string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i] ?? '', flat[i + 1] ?? '']);
  return result;
}

/** Reads `data` as a sequence of requests or responses; `isEnded`: the connection closed after it. */
export function readWithLlhttp(kind: 'request' | 'response', data: Buffer, isEnded = true): LlhttpReading {
  const parser = new HTTPParser();
  parser.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {});
  const messages: LlhttpMessage[] = [];
  let current: LlhttpMessage | undefined;
  // Many fields, and trailers, come through kOnHeaders, the URL with them when it was split.
  let pendingFields: string[] = [];
  let pendingUrl = '';
  const bodies: Buffer[] = [];
  parser[HTTPParser.kOnHeaders] = (fields: string[], url: string) => {
    pendingFields.push(...fields);
    pendingUrl += url;
  };
  parser[HTTPParser.kOnHeadersComplete] = (
    major: number,
    minor: number,
    fields: string[] | undefined,
    method: number | undefined,
    url: string | undefined,
    statusCode: number | undefined,
    _statusMessage: string | undefined,
    isUpgrade: boolean,
    isKeepAlive: boolean,
  ) => {
    current = {
      method: method === undefined ? undefined : methods[method],
      url: url === undefined || url === '' ? pendingUrl : url,
      statusCode,
      version: `${major}.${minor}`,
      fields: pairs(fields ?? pendingFields),
      trailers: [],
      body: '',
      isUpgrade,
      isKeepAlive,
      isComplete: false,
    };
    pendingFields = [];
    pendingUrl = '';
    bodies.length = 0;
    messages.push(current);
    return 0;
  };
  parser[HTTPParser.kOnBody] = (chunk: Buffer) => {
    bodies.push(Buffer.from(chunk));
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (current === undefined) return;
    current.body = Buffer.concat(bodies).toString('latin1');
    current.isComplete = true;
    // Trailers come through kOnHeaders, with the message's URL again.
    pendingUrl = '';
    if (pendingFields.length > 0) {
      (current.trailers as [string, string][]).push(...pairs(pendingFields));
      pendingFields = [];
    }
  };
  let error: string | undefined;
  const executed = parser.execute(data);
  if (executed instanceof Error) error = (executed as NodeJS.ErrnoException).code ?? executed.message;
  else if (isEnded) {
    const finished = parser.finish();
    if (finished instanceof Error) error = (finished as NodeJS.ErrnoException).code ?? finished.message;
  }
  // A body still arriving when the error came: what was read of it.
  if (current !== undefined && !current.isComplete) current.body = Buffer.concat(bodies).toString('latin1');
  parser.close();
  return { messages, error };
}
