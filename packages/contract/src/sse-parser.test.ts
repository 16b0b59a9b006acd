import { describe, expect, it } from 'vitest';
import { createSseParser, readSseStream } from './sse-parser.js';
import type { SseEvent } from './sse-parser.js';

function parseAll(chunks: string[]): SseEvent[] {
  const parser = createSseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

const stream = 'id: 1\nevent: phase\ndata: {"a":1}\n\nid: 2\nevent: log\ndata: line one\ndata: line two\n\n';

describe('createSseParser', () => {
  it('dispatches an event with its id, name and data at the blank line', () => {
    expect(parseAll(['id: 7\nevent: state\ndata: {"x":true}\n\n'])).toEqual([
      { id: '7', event: 'state', data: '{"x":true}' },
    ]);
  });

  it('joins multi-line data with newlines', () => {
    expect(parseAll([stream])[1]).toEqual({ id: '2', event: 'log', data: 'line one\nline two' });
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const whole = parseAll([stream]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      expect(parseAll(chunks)).toEqual(whole);
    }
  });

  it('accepts CRLF and lone CR line endings, even a CRLF split across chunks', () => {
    const crlf = stream.replaceAll('\n', '\r\n');
    expect(parseAll([crlf])).toEqual(parseAll([stream]));
    expect(parseAll(crlf.split(/(?<=\r)/))).toEqual(parseAll([stream]));
    expect(parseAll([stream.replaceAll('\n', '\r')])).toEqual(parseAll([stream]));
  });

  it('does not turn a CR, an empty chunk and a LF into two line endings', () => {
    expect(parseAll(['data: a\r', '', '\n\r', '\n'])).toEqual([{ id: undefined, event: 'message', data: 'a' }]);
  });

  it('ignores comments and unknown fields, and names unnamed events "message"', () => {
    expect(parseAll([': keep-alive\n\nfoo: bar\ndata: hi\n\n'])).toEqual([
      { id: undefined, event: 'message', data: 'hi' },
    ]);
  });

  it('strips only one leading space from a value and takes a line without colon as a field with an empty value', () => {
    expect(parseAll(['data:  two spaces\ndata\ndata:none\n\n'])).toEqual([
      { id: undefined, event: 'message', data: ' two spaces\n\nnone' },
    ]);
  });

  it('does not dispatch an event without data, and resets the event name after each blank line', () => {
    expect(parseAll(['event: phase\n\ndata: x\n\n'])).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
  });

  it('keeps the last id for later events and exposes it for resuming', () => {
    const parser = createSseParser();
    const events = parser.push('id: 41\ndata: a\n\ndata: b\n\n');
    expect(events.map((e) => e.id)).toEqual(['41', '41']);
    expect(parser.lastEventId).toBe('41');
  });

  it('records a numeric retry and ignores a malformed one', () => {
    const parser = createSseParser();
    parser.push('retry: 1500\n\nretry: soon\n\n');
    expect(parser.retryMs).toBe(1500);
  });

  it('strips a byte-order mark at the start of the stream only', () => {
    expect(parseAll(['\uFEFFdata: x\n\n'])).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
  });

  it('holds an unfinished event until its blank line arrives', () => {
    const parser = createSseParser();
    expect(parser.push('data: part')).toEqual([]);
    expect(parser.push('ial\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: undefined, event: 'message', data: 'partial' }]);
  });
});

describe('readSseStream', () => {
  it('decodes UTF-8 split inside a character and discards an unfinished last event', async () => {
    const bytes = new TextEncoder().encode('data: café ✓\n\ndata: never finished');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    for await (const event of readSseStream(body)) events.push(event);
    expect(events).toEqual([{ id: undefined, event: 'message', data: 'café ✓' }]);
  });

  it('cancels the stream when the consumer stops early', async () => {
    let isCancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\n'));
      },
      cancel() {
        isCancelled = true;
      },
    });
    for await (const event of readSseStream(body)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(isCancelled).toBe(true);
  });
});

describe('createSseParser with events past its limit', () => {
  it('drops a line that never ends, as it comes, and goes on with the next event', () => {
    const parser = createSseParser({ maxEventLength: 100 });
    const events: SseEvent[] = [];
    events.push(...parser.push('event: log\ndata: '));
    for (let index = 0; index < 50; index += 1) events.push(...parser.push('x'.repeat(40)));
    events.push(...parser.push('\n\ndata: ok\n\n'));
    expect(events).toEqual([{ id: undefined, event: 'message', data: 'ok' }]);
  });

  it('drops an event whose data lines add up past the limit', () => {
    const parser = createSseParser({ maxEventLength: 100 });
    const many = Array.from({ length: 20 }, () => `data: ${'y'.repeat(10)}\n`).join('');
    expect(parser.push(`${many}\ndata: small\n\n`)).toEqual([{ id: undefined, event: 'message', data: 'small' }]);
  });
});
