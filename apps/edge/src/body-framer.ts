/**
 * Finds where a message body ends as its bytes pass through: by Content-Length, by chunked framing (RFC 9112 §7.1,
 * checked strictly, trailers included), or at the close of the connection. The bytes are forwarded as they came;
 * with a `sink`, a chunked body is decoded instead (for HTTP/1.0 clients, which cannot read chunked framing).
 */

export type BodyMode = 'none' | 'length' | 'chunked' | 'close';

/** Receives the payload bytes of a decoded chunked body. */
export type PayloadSink = (data: Buffer, start: number, end: number) => void;

/** The longest chunk-size line (size and extensions) and trailer section accepted. */
const maxChunkLineBytes = 4_096;
const maxTrailerBytes = 16_384;
/** 15 hex digits stay below 2^53. */
const maxSizeDigits = 15;

const enum Step {
  Size,
  SizeLf,
  Extension,
  Data,
  DataCr,
  DataLf,
  TrailerLineStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
}

export class BodyFramer {
  mode: BodyMode = 'none';
  /** Length mode: bytes still to come. Chunked: bytes of the current chunk still to come. */
  private remaining = 0;
  private step = Step.Size;
  private sizeDigits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  isComplete = true;
  /** Set when chunked framing was broken; the message cannot be delimited and its connection must close. */
  isInvalid = false;

  reset(mode: BodyMode, contentLength = 0): void {
    this.mode = mode;
    this.remaining = mode === 'length' ? contentLength : 0;
    this.step = Step.Size;
    this.sizeDigits = 0;
    this.lineBytes = 0;
    this.trailerBytes = 0;
    this.isInvalid = false;
    this.isComplete = mode === 'none' || (mode === 'length' && contentLength === 0);
  }

  /**
   * Takes body bytes from `data[start, end)`; returns the index just past the last byte of this body (`end` when
   * the body goes on), or -1 when the framing is invalid. Bytes from the returned index belong to what follows.
   */
  consume(data: Buffer, start: number, end: number, sink?: PayloadSink): number {
    if (this.isComplete) return start;
    if (this.mode === 'close') return end;
    if (this.mode === 'length') {
      const taken = Math.min(this.remaining, end - start);
      this.remaining -= taken;
      if (this.remaining === 0) this.isComplete = true;
      return start + taken;
    }
    return this.consumeChunked(data, start, end, sink);
  }

  /** The connection closed: a close-delimited body is complete, any other one was cut short. */
  endOfInput(): void {
    if (this.mode === 'close') this.isComplete = true;
  }

  private consumeChunked(data: Buffer, start: number, end: number, sink: PayloadSink | undefined): number {
    let at = start;
    while (at < end) {
      if (this.step === Step.Data) {
        const taken = Math.min(this.remaining, end - at);
        if (sink !== undefined) sink(data, at, at + taken);
        this.remaining -= taken;
        at += taken;
        if (this.remaining === 0) this.step = Step.DataCr;
        continue;
      }
      const code = data[at] ?? 0;
      at += 1;
      if (!this.step1(code)) {
        this.isInvalid = true;
        return -1;
      }
      if (this.isComplete) return at;
    }
    return at;
  }

  /** One byte outside chunk data; false when it breaks the framing. */
  private step1(code: number): boolean {
    switch (this.step) {
      case Step.Size: {
        const digit = hexValue(code);
        if (digit !== -1) {
          if (this.sizeDigits === maxSizeDigits) return false;
          this.sizeDigits += 1;
          this.remaining = this.remaining * 16 + digit;
          return true;
        }
        if (this.sizeDigits === 0) return false;
        if (code === 13) this.step = Step.SizeLf;
        else if (code === 59)
          this.step = Step.Extension; // ';' (no whitespace: parsers disagree on it)
        else return false;
        this.lineBytes = this.sizeDigits + 1;
        return true;
      }
      case Step.Extension:
        this.lineBytes += 1;
        if (this.lineBytes > maxChunkLineBytes) return false;
        if (code === 13) this.step = Step.SizeLf;
        else if (code === 10 || code === 0) return false;
        return true;
      case Step.SizeLf:
        if (code !== 10) return false;
        this.sizeDigits = 0;
        if (this.remaining === 0) this.step = Step.TrailerLineStart;
        else this.step = Step.Data;
        return true;
      case Step.DataCr:
        if (code !== 13) return false;
        this.step = Step.DataLf;
        return true;
      case Step.DataLf:
        if (code !== 10) return false;
        this.step = Step.Size;
        return true;
      case Step.TrailerLineStart:
        this.trailerBytes += 1;
        if (code === 13) this.step = Step.FinalLf;
        else if (code === 10 || code === 32 || code === 9) return false;
        else this.step = Step.TrailerLine;
        return true;
      case Step.TrailerLine:
        this.trailerBytes += 1;
        if (this.trailerBytes > maxTrailerBytes) return false;
        if (code === 13) this.step = Step.TrailerLf;
        else if (code === 10 || code === 0) return false;
        return true;
      case Step.TrailerLf:
        if (code !== 10) return false;
        this.step = Step.TrailerLineStart;
        return true;
      case Step.FinalLf:
        if (code !== 10) return false;
        this.isComplete = true;
        return true;
      case Step.Data:
        // Data bytes are taken in bulk by consumeChunked, never here.
        return false;
    }
  }
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}
