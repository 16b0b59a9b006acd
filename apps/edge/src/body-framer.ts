/**
 * Finds where a message body ends as its bytes pass through: by Content-Length, by chunked framing (RFC 9112 §7.1,
 * checked strictly: chunk extensions and trailer fields by their grammar, with the heads' token rule), or at the
 * close of the connection. The bytes are forwarded as they came; with a `sink`, a chunked body is decoded instead
 * (for HTTP/1.0 clients, which cannot read chunked framing).
 */
import { isTokenCode } from './http-head.js';

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
  /** After `;`: the first byte of an extension name. */
  ExtensionStart,
  ExtensionName,
  /** After `=`: a token or a quoted string. */
  ExtensionValueStart,
  ExtensionToken,
  ExtensionQuoted,
  /** After `\` in a quoted string. */
  ExtensionQuotedPair,
  /** After the closing quote: `;` or the end of the line. */
  ExtensionQuotedEnd,
  Data,
  DataCr,
  DataLf,
  TrailerLineStart,
  TrailerName,
  TrailerValue,
  TrailerLf,
  FinalLf,
}

/**
 * Fields a trailer may not carry (RFC 9110 §6.5.1): a next hop that merges trailers into the head would frame or
 * route by them. Their `_` spellings too, which CGI-style readers take for the same fields.
 */
const forbiddenTrailers = new Set([
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'content_length',
  'transfer_encoding',
]);

export class BodyFramer {
  mode: BodyMode = 'none';
  /** Length mode: bytes still to come. Chunked: bytes of the current chunk still to come. */
  private remaining = 0;
  private step = Step.Size;
  private sizeDigits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  /** The current trailer field's name, lowercased (trailers are rare: built byte by byte). */
  private trailerName = '';
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
    this.trailerName = '';
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
          this.step = Step.ExtensionStart; // ';' (no whitespace: parsers disagree on it)
        else return false;
        this.lineBytes = this.sizeDigits + 1;
        return true;
      }
      case Step.ExtensionStart:
      case Step.ExtensionName:
      case Step.ExtensionValueStart:
      case Step.ExtensionToken:
      case Step.ExtensionQuoted:
      case Step.ExtensionQuotedPair:
      case Step.ExtensionQuotedEnd:
        this.lineBytes += 1;
        return this.lineBytes <= maxChunkLineBytes && this.extensionByte(code);
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
      case Step.TrailerName:
      case Step.TrailerValue:
        this.trailerBytes += 1;
        return this.trailerBytes <= maxTrailerBytes && this.trailerByte(code);
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

  /** RFC 9112 §7.1.1: `;name`, `;name=token` or `;name="quoted"`, repeated; no whitespace anywhere. */
  private extensionByte(code: number): boolean {
    const step = this.step;
    if (step === Step.ExtensionStart || step === Step.ExtensionValueStart) {
      // A name, or a value: a token, or (a value only) a quoted string.
      if (isTokenCode(code)) this.step = step === Step.ExtensionStart ? Step.ExtensionName : Step.ExtensionToken;
      else if (code === 34 && step === Step.ExtensionValueStart)
        this.step = Step.ExtensionQuoted; // '"'
      else return false;
      return true;
    }
    if (step === Step.ExtensionName || step === Step.ExtensionToken) {
      if (isTokenCode(code)) return true;
      if (code !== 61 || step !== Step.ExtensionName) return this.extensionEnd(code);
      this.step = Step.ExtensionValueStart; // '='
      return true;
    }
    if (step === Step.ExtensionQuoted) {
      if (code === 34) this.step = Step.ExtensionQuotedEnd;
      else if (code === 92)
        this.step = Step.ExtensionQuotedPair; // '\\'
      else if (!isFieldTextCode(code)) return false;
      return true;
    }
    if (step === Step.ExtensionQuotedPair) {
      if (!isFieldTextCode(code)) return false;
      this.step = Step.ExtensionQuoted;
      return true;
    }
    return this.extensionEnd(code); // Step.ExtensionQuotedEnd
  }

  /** `;` starts another extension, CR ends the chunk-size line. */
  private extensionEnd(code: number): boolean {
    if (code === 59) this.step = Step.ExtensionStart;
    else if (code === 13) this.step = Step.SizeLf;
    else return false;
    return true;
  }

  /** RFC 9112 §7.1.2, with the heads' field grammar: `name:` (a token, no space before the colon), then field text. */
  private trailerByte(code: number): boolean {
    if (this.step === Step.TrailerValue) {
      if (code === 13) this.step = Step.TrailerLf;
      else if (!isFieldTextCode(code)) return false;
      return true;
    }
    if (this.step === Step.TrailerLineStart && code === 13) {
      this.step = Step.FinalLf;
      return true;
    }
    if (isTokenCode(code)) {
      this.trailerName = this.step === Step.TrailerLineStart ? lowerChar(code) : this.trailerName + lowerChar(code);
      this.step = Step.TrailerName;
      return true;
    }
    // ':' after a name, unless a framing or routing field's.
    if (this.step !== Step.TrailerName || code !== 58 || forbiddenTrailers.has(this.trailerName)) return false;
    this.step = Step.TrailerValue;
    return true;
  }
}

function lowerChar(code: number): string {
  return String.fromCharCode(code >= 65 && code <= 90 ? code + 32 : code);
}

/** HTAB, SP, visible ASCII and obs-text: what a field value (and a quoted string) may hold. */
function isFieldTextCode(code: number): boolean {
  return code === 9 || (code >= 32 && code !== 127);
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}
