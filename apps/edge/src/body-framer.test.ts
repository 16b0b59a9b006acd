import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyFramer, type BodyMode } from './body-framer.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

interface Fed {
  /** Index in the whole input just past the body; undefined when it did not end. */
  readonly end: number | undefined;
  /** Index in the whole input of the first byte of the piece that broke the framing; undefined when none did. */
  readonly refusedIn: { readonly start: number; readonly end: number } | undefined;
  readonly payload: Buffer;
}

/**
 * Feeds `input` to a fresh framer in pieces cut at `cuts` (indexes), as a socket would deliver it; decoding into a
 * sink unless `isPassThrough`.
 */
function feed(
  mode: BodyMode,
  input: Buffer,
  cuts: readonly number[] = [],
  contentLength = 0,
  isPassThrough = false,
): Fed {
  const framer = new BodyFramer();
  framer.reset(mode, contentLength);
  const decoded: Buffer[] = [];
  const sink = (data: Buffer, start: number, end: number): void => {
    decoded.push(Buffer.from(data.subarray(start, end)));
  };
  const bounds = [...new Set([0, ...cuts.map((cut) => cut % (input.length + 1)), input.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const start = bounds[i] ?? 0;
    const stop = bounds[i + 1] ?? 0;
    // A fresh buffer per piece: the framer must not rely on the bytes around it.
    const piece = Buffer.from(input.subarray(start, stop));
    const at = framer.consume(piece, 0, piece.length, isPassThrough ? undefined : sink);
    if (at === -1) {
      expect(framer.isInvalid).toBe(true);
      return { end: undefined, refusedIn: { start, end: stop }, payload: Buffer.concat(decoded) };
    }
    if (framer.isComplete) return { end: start + at, refusedIn: undefined, payload: Buffer.concat(decoded) };
    expect(at).toBe(piece.length);
  }
  return { end: undefined, refusedIn: undefined, payload: Buffer.concat(decoded) };
}

describe('framing a body by Content-Length', () => {
  it('ends after exactly that many bytes, wherever the pieces are cut', () => {
    const input = bytes('helloGET / HTTP/1.1\r\n');
    for (let cut = 0; cut <= input.length; cut += 1) expect(feed('length', input, [cut], 5).end).toBe(5);
  });

  it('is complete at once for a length of 0, and leaves every byte to what follows', () => {
    const framer = new BodyFramer();
    framer.reset('length', 0);
    expect(framer.isComplete).toBe(true);
    expect(framer.consume(bytes('next'), 0, 4)).toBe(0);
  });

  it('goes on until the last byte has come, and is cut short by the end of input', () => {
    const framer = new BodyFramer();
    framer.reset('length', 10);
    expect(framer.consume(bytes('abcd'), 0, 4)).toBe(4);
    framer.endOfInput();
    expect(framer.isComplete).toBe(false);
    expect(framer.consume(bytes('xxefghijNEXT'), 2, 12)).toBe(8);
    expect(framer.isComplete).toBe(true);
  });
});

describe('framing a body without one', () => {
  it('is complete at once in mode none', () => {
    const framer = new BodyFramer();
    framer.reset('none');
    expect(framer.isComplete).toBe(true);
    expect(framer.consume(bytes('abc'), 1, 3)).toBe(1);
  });

  it('takes everything until the connection closes in mode close', () => {
    const framer = new BodyFramer();
    framer.reset('close');
    expect(framer.isComplete).toBe(false);
    expect(framer.consume(bytes('0\r\n\r\nanything'), 0, 13)).toBe(13);
    expect(framer.isComplete).toBe(false);
    framer.endOfInput();
    expect(framer.isComplete).toBe(true);
  });
});

describe('framing a chunked body', () => {
  const body = '5\r\nhello\r\n1;name=value;q="x y"\r\n \r\nA\r\n0123456789\r\n0\r\nChecksum: abc\r\nX-B: 1\r\n\r\n';

  it('ends just past the last CRLF of the trailers, wherever the pieces are cut', () => {
    const input = bytes(`${body}POST /next HTTP/1.1\r\n`);
    for (let cut = 0; cut <= input.length; cut += 1) {
      const fed = feed('chunked', input, [cut]);
      expect(fed.end).toBe(body.length);
      expect(fed.payload.toString('latin1')).toBe('hello 0123456789');
    }
  });

  it('accepts upper-case hex and leading zeros, and a last chunk without trailers', () => {
    expect(feed('chunked', bytes('00B\r\nhello world\r\n000\r\n\r\n')).payload.toString()).toBe('hello world');
    expect(feed('chunked', bytes('0\r\n\r\nrest')).end).toBe(5);
  });

  it('is not complete when the input ends before the last chunk', () => {
    const framer = new BodyFramer();
    framer.reset('chunked');
    expect(framer.consume(bytes('5\r\nhel'), 0, 6)).toBe(6);
    framer.endOfInput();
    expect(framer.isComplete).toBe(false);
    expect(framer.isInvalid).toBe(false);
  });

  it('starts over cleanly after a reset', () => {
    const framer = new BodyFramer();
    framer.reset('chunked');
    expect(framer.consume(bytes('zz'), 0, 2)).toBe(-1);
    framer.reset('chunked');
    expect(framer.isInvalid).toBe(false);
    expect(framer.consume(bytes('2\r\nok\r\n0\r\n\r\n'), 0, 12)).toBe(12);
  });

  it.each([
    ['no size', '\r\n'],
    ['a non-hex size', 'g\r\nx\r\n0\r\n\r\n'],
    ['a negative size', '-1\r\nx\r\n0\r\n\r\n'],
    ['a 0x prefix', '0x1\r\nx\r\n0\r\n\r\n'],
    ['a space before the CRLF', '1 \r\nx\r\n0\r\n\r\n'],
    ['a space before an extension', '1 ;a\r\nx\r\n0\r\n\r\n'],
    ['a bare LF after the size', '1\nx\r\n0\r\n\r\n'],
    ['a bare CR after the size', '1\rx\r\n0\r\n\r\n'],
    ['a bare LF in an extension', '1;a\nx\r\n0\r\n\r\n'],
    ['a NUL in an extension', '1;a\u0000\r\nx\r\n0\r\n\r\n'],
    ['data longer than its size', '1\r\nxy\r\n0\r\n\r\n'],
    ['a bare LF after the data', '1\r\nx\n0\r\n\r\n'],
    ['a missing LF after the data', '1\r\nx\r0\r\n\r\n'],
    ['16 hex digits', '0000000000000001\r\nx\r\n0\r\n\r\n'],
    ['a trailer folded onto the next line', '0\r\nA: 1\r\n 2\r\n\r\n'],
    ['a bare LF in a trailer', '0\r\nA: 1\nB: 2\r\n\r\n'],
    ['a bare LF ending the trailers', '0\r\n\n'],
    ['a NUL in a trailer', '0\r\nA: \u0000\r\n\r\n'],
  ])('refuses %s', (_name, text) => {
    const fed = feed('chunked', bytes(text));
    expect(fed.refusedIn).toBeDefined();
    expect(fed.end).toBeUndefined();
  });

  it('accepts a chunk-size line up to its limit and refuses a longer one', () => {
    const line = (length: number): string => `1;${'e'.repeat(length - 3)}`; // plus the CR: `length` bytes counted
    expect(feed('chunked', bytes(`${line(4_096)}\r\nx\r\n0\r\n\r\n`)).end).toBeDefined();
    expect(feed('chunked', bytes(`${line(4_097)}\r\nx\r\n0\r\n\r\n`)).refusedIn).toBeDefined();
  });

  it('refuses trailers longer than 16 KiB', () => {
    const trailers = Array.from({ length: 200 }, (_, i) => `X-T${i}: ${'v'.repeat(80)}\r\n`).join('');
    expect(feed('chunked', bytes(`0\r\n${trailers}\r\n`)).refusedIn).toBeDefined();
  });
});

/** A valid chunked body, with where its parts start (for corrupting them). */
interface ChunkedBody {
  readonly bytes: Buffer;
  readonly payload: Buffer;
  /** Start of each chunk-size line, the last chunk's included. */
  readonly sizeLines: number[];
  /** Index of the CR after each chunk's data. */
  readonly dataEnds: number[];
  readonly trailersStart: number;
}

interface ChunkSpec {
  readonly data: Uint8Array;
  readonly zeros: number;
  readonly isUpper: boolean;
  readonly extension: string;
}

const extensionArb = fc.oneof(
  fc.constant(''),
  // A value is a token (one character at least) or a quoted string (RFC 9112 §7.1.1).
  fc.stringMatching(/^(;[a-z0-9-]{1,8}(=([a-z0-9.]{1,8}|"[a-z0-9 ,;=]{0,12}"))?){1,3}$/),
);
const chunkArb: fc.Arbitrary<ChunkSpec> = fc.record({
  data: fc.uint8Array({ minLength: 1, maxLength: 400 }),
  zeros: fc.nat({ max: 3 }),
  isUpper: fc.boolean(),
  extension: extensionArb,
});
/** Framing and routing fields may not be trailers (RFC 9110 §6.5.1): the framer refuses them. */
const trailerArb = fc.array(
  fc
    .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}: [ -~]{0,30}$/)
    .filter((line) => !/^(content-length|transfer-encoding|host|connection):/i.test(line)),
  { maxLength: 4 },
);
const bodyArb = fc.record({
  chunks: fc.array(chunkArb, { maxLength: 6 }),
  lastExtension: extensionArb,
  trailers: trailerArb,
});

function buildChunked(spec: {
  chunks: readonly ChunkSpec[];
  lastExtension: string;
  trailers: readonly string[];
}): ChunkedBody {
  const parts: Buffer[] = [];
  let length = 0;
  const push = (part: Buffer): void => {
    parts.push(part);
    length += part.length;
  };
  const sizeLines: number[] = [];
  const dataEnds: number[] = [];
  for (const chunk of spec.chunks) {
    const hex = chunk.data.length.toString(16);
    sizeLines.push(length);
    push(bytes(`${'0'.repeat(chunk.zeros)}${chunk.isUpper ? hex.toUpperCase() : hex}${chunk.extension}\r\n`));
    push(Buffer.from(chunk.data));
    dataEnds.push(length);
    push(bytes('\r\n'));
  }
  sizeLines.push(length);
  push(bytes(`0${spec.lastExtension}\r\n`));
  const trailersStart = length;
  push(bytes(`${spec.trailers.map((line) => `${line}\r\n`).join('')}\r\n`));
  return {
    bytes: Buffer.concat(parts),
    payload: Buffer.concat(spec.chunks.map((chunk) => chunk.data)),
    sizeLines,
    dataEnds,
    trailersStart,
  };
}

const cutsArb = fc.array(fc.nat(), { maxLength: 12 });

describe('chunked framing properties', () => {
  it('finds the same end and decodes the same payload however the input is cut', () => {
    fc.assert(
      fc.property(bodyArb, fc.uint8Array({ maxLength: 64 }), cutsArb, (spec, next, cuts) => {
        const body = buildChunked(spec);
        const input = Buffer.concat([body.bytes, next]);
        const whole = feed('chunked', input);
        expect(whole.end).toBe(body.bytes.length);
        expect(whole.payload.equals(body.payload)).toBe(true);
        const split = feed('chunked', input, cuts);
        expect(split.end).toBe(body.bytes.length);
        expect(split.payload.equals(body.payload)).toBe(true);
        expect(feed('chunked', input, cuts, 0, true).end).toBe(body.bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  /** A corruption of a valid body: the index of the first byte a strict reader refuses, and the bytes. */
  type Corrupted = { readonly input: Buffer; readonly from: number; readonly to: number };

  const nonHex = fc.constantFrom(...'gGzZxX-+ \t\r\n;:\u0000\u00ff'.split('').map((char) => char.charCodeAt(0)));
  const corruptionArb = fc.oneof(
    // A chunk-size line that does not start with a hex digit.
    fc.tuple(bodyArb, fc.nat(), nonHex).map(([spec, pick, code]): Corrupted => {
      const body = buildChunked(spec);
      const at = body.sizeLines[pick % body.sizeLines.length] ?? 0;
      const input = Buffer.from(body.bytes);
      input[at] = code;
      return { input, from: at, to: at };
    }),
    // Chunk data not followed by CRLF.
    fc
      .tuple(
        bodyArb.filter((spec) => spec.chunks.length > 0),
        fc.nat(),
        fc.boolean(),
        fc.integer({ min: 0, max: 255 }),
      )
      .map(([spec, pick, isLf, code]): Corrupted => {
        const body = buildChunked(spec);
        const at = (body.dataEnds[pick % body.dataEnds.length] ?? 0) + (isLf ? 1 : 0);
        const input = Buffer.from(body.bytes);
        input[at] = code === (isLf ? 10 : 13) ? 65 : code;
        return { input, from: at, to: at };
      }),
    // A size of more than 15 hex digits.
    fc
      .tuple(fc.integer({ min: 16, max: 24 }), fc.uint8Array({ minLength: 1, maxLength: 20 }))
      .map(([digits, data]): Corrupted => {
        const size = data.length.toString(16);
        const input = Buffer.concat([bytes(`${size.padStart(digits, '0')}\r\n`), data, bytes('\r\n0\r\n\r\n')]);
        return { input, from: 15, to: 15 };
      }),
    // An extension making the chunk-size line longer than 4 KiB.
    fc.tuple(fc.integer({ min: 4_100, max: 6_000 })).map(([length]): Corrupted => {
      const input = bytes(`1;${'a'.repeat(length)}\r\nx\r\n0\r\n\r\n`);
      return { input, from: 4_096, to: 4_096 };
    }),
    // Trailers longer than 16 KiB.
    fc
      .tuple(fc.integer({ min: 30, max: 120 }), fc.integer({ min: 600, max: 1_000 }))
      .map(([count, width]): Corrupted => {
        const trailers = Array.from({ length: count }, (_, i) => `T${i}: ${'v'.repeat(width)}\r\n`).join('');
        const input = bytes(`0\r\n${trailers}\r\n`);
        return { input, from: 3 + 16_384, to: input.length - 2 };
      }),
  );

  it('refuses a corrupted framing where it breaks, and never reads past it as a complete body', () => {
    fc.assert(
      fc.property(
        corruptionArb.filter((corrupted) => corrupted.from < corrupted.input.length),
        cutsArb,
        fc.boolean(),
        (corrupted, cuts, isPassThrough) => {
          const fed = feed('chunked', corrupted.input, cuts, 0, isPassThrough);
          expect(fed.end).toBeUndefined();
          expect(fed.refusedIn).toBeDefined();
          // The piece that was refused holds a byte at or past where the framing broke, and none was refused sooner.
          expect(fed.refusedIn?.end).toBeGreaterThan(corrupted.from);
          expect(fed.refusedIn?.start).toBeLessThanOrEqual(corrupted.to);
        },
      ),
      { numRuns: 500 },
    );
  });
});
