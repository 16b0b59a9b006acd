/** Incremental parser of `text/event-stream` (the WHATWG server-sent events format): text chunks in, dispatched events out. */

/** One dispatched server-sent event. */
export interface SseEvent {
  /** The last `id:` seen on the stream so far (ids persist across events, as in the spec). */
  id: string | undefined;
  /** The `event:` field, or `message` when the event named none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

export interface SseParser {
  /** Feeds a chunk of decoded text (any split, even inside a line or a CRLF) and returns the events it completed. */
  push(chunk: string): SseEvent[];
  /** The last event id seen, to resume with (`Last-Event-ID` or a query parameter). */
  readonly lastEventId: string | undefined;
  /** The reconnection delay the server asked for with `retry:`, if any. */
  readonly retryMs: number | undefined;
}

/** The longest event a parser keeps (its unfinished line, its data), in characters, unless told otherwise. */
export const maxSseEventLength = 1024 * 1024;

/**
 * Creates a parser. It is pure and keeps only the unfinished line and event between chunks; an event
 * still unfinished when the stream ends is discarded, as the spec says. An event longer than `maxEventLength` (a line
 * that never ends, or data that never stops) is discarded too, as it comes: what the parser holds stays bounded.
 */
export function createSseParser(options: { maxEventLength?: number } = {}): SseParser {
  const maxEventLength = options.maxEventLength ?? maxSseEventLength;
  let buffer = '';
  /** The current line outgrew the limit: its rest is skipped up to its line end. */
  let isSkippingLine = false;
  /** The current event outgrew the limit: it is not dispatched. */
  let isEventTooLong = false;
  let dataLength = 0;
  let isFirstChunk = true;
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to that line ending. */
  let isAfterCr = false;
  let eventType = '';
  let dataLines: string[] = [];
  let hasData = false;
  let lastEventId: string | undefined;
  let retryMs: number | undefined;

  const processLine = (line: string, out: SseEvent[]): void => {
    if (line === '') {
      if (hasData && !isEventTooLong)
        out.push({ id: lastEventId, event: eventType === '' ? 'message' : eventType, data: dataLines.join('\n') });
      eventType = '';
      dataLines = [];
      dataLength = 0;
      hasData = false;
      isEventTooLong = false;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        hasData = true;
        dataLength += value.length + 1;
        if (dataLength > maxEventLength) isEventTooLong = true;
        if (isEventTooLong) dataLines = [];
        else dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retryMs = Number(value);
        break;
      default:
        // Unknown fields are ignored by the spec.
        break;
    }
  };

  return {
    push(chunk: string): SseEvent[] {
      let text = chunk;
      if (isFirstChunk && text.length > 0) {
        isFirstChunk = false;
        if (text.startsWith('\uFEFF')) text = text.slice(1);
      }
      if (isAfterCr && text.length > 0) {
        if (text.startsWith('\n')) text = text.slice(1);
        isAfterCr = false;
      }
      buffer += text;
      const out: SseEvent[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const char = buffer[i];
        if (char !== '\n' && char !== '\r') continue;
        if (isSkippingLine) isSkippingLine = false;
        else processLine(buffer.slice(start, i), out);
        if (char === '\r') {
          if (i + 1 === buffer.length) isAfterCr = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      if (buffer.length > maxEventLength) {
        buffer = '';
        isSkippingLine = true;
        isEventTooLong = true;
      }
      return out;
    },
    get lastEventId() {
      return lastEventId;
    },
    get retryMs() {
      return retryMs;
    },
  };
}

/**
 * Reads a byte stream as server-sent events. Decodes UTF-8 across chunk boundaries; cancelling the
 * iteration (break, return, throw) cancels the stream, which closes the connection.
 */
export async function* readSseStream(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parser = createSseParser();
  let isDone = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        isDone = true;
        yield* parser.push(decoder.decode());
        return;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    if (!isDone) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
