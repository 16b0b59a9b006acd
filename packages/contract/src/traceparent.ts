/**
 * The W3C Trace Context `traceparent` field (https://www.w3.org/TR/trace-context/ §3.2), read and written by slipwayd
 * and the edge router: `00-<trace id, 32 hex>-<parent id, 16 hex>-<flags, 2 hex>`, lowercase.
 */

export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the span the next hop is a child of. */
  readonly spanId: string;
  /** The `sampled` flag (bit 0 of the flags). */
  readonly isSampled: boolean;
}

const allZeroTraceId = '0'.repeat(32);
const allZeroSpanId = '0'.repeat(16);

function isLowerHex(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const code = text.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

/**
 * Whether a `traceparent` value says its trace is sampled, without parsing or allocating (the router's hot path):
 * the flags are the two hex digits at 53–54 of a version-00 value (a later version has at least these fields, §4.3).
 */
export function isSampledTraceParent(value: string | undefined): boolean {
  if (value === undefined || value.length < 55 || value.charCodeAt(52) !== 45) return false;
  const low = value.charCodeAt(54);
  // Bit 0 of the last hex digit: '1', '3', …, 'f' (odd digits and b, d, f).
  return low >= 97 ? (low - 87) % 2 === 1 : (low - 48) % 2 === 1;
}

/** Parses a `traceparent` value; undefined when it is not a valid one (then the receiver starts a new trace, §3.2.2). */
export function parseTraceParent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length < 55 || text[2] !== '-' || text[35] !== '-' || text[52] !== '-') return undefined;
  if (!isLowerHex(text, 0, 2) || text.startsWith('ff')) return undefined;
  // Version 00 is exactly 55 characters; a later version may append fields after another dash.
  if (text.startsWith('00') ? text.length !== 55 : text.length > 55 && text[55] !== '-') return undefined;
  if (!isLowerHex(text, 3, 35) || !isLowerHex(text, 36, 52) || !isLowerHex(text, 53, 55)) return undefined;
  const traceId = text.slice(3, 35);
  const spanId = text.slice(36, 52);
  if (traceId === allZeroTraceId || spanId === allZeroSpanId) return undefined;
  return { traceId, spanId, isSampled: (Number.parseInt(text.slice(53, 55), 16) & 1) === 1 };
}

/** Writes a version-00 `traceparent` value. */
export function formatTraceParent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.isSampled ? '01' : '00'}`;
}
