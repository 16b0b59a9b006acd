import { describe, expect, it } from 'vitest';
import { formatTraceParent, isSampledTraceParent, parseTraceParent } from './traceparent.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

describe('traceparent', () => {
  it('reads the W3C example and writes it back', () => {
    const value = `00-${traceId}-${spanId}-01`;
    expect(parseTraceParent(value)).toEqual({ traceId, spanId, isSampled: true });
    expect(formatTraceParent({ traceId, spanId, isSampled: true })).toBe(value);
    expect(parseTraceParent(`00-${traceId}-${spanId}-00`)?.isSampled).toBe(false);
  });

  it('refuses what the specification calls invalid', () => {
    for (const value of [
      `ff-${traceId}-${spanId}-01`,
      `00-${'0'.repeat(32)}-${spanId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `00-${traceId.toUpperCase()}-${spanId}-01`,
      `00-${traceId}-${spanId}-01-extra`,
      `00-${traceId}-${spanId}`,
      'garbage',
    ])
      expect(parseTraceParent(value), value).toBeUndefined();
    // A later version may carry more fields after a dash.
    expect(parseTraceParent(`01-${traceId}-${spanId}-01-more`)).toEqual({ traceId, spanId, isSampled: true });
  });

  it('tells the sampled flag from the flags field alone', () => {
    for (const [flags, isSampled] of [
      ['01', true],
      ['03', true],
      ['0b', true],
      ['ff', true],
      ['00', false],
      ['02', false],
      ['0a', false],
    ] as const)
      expect(isSampledTraceParent(`00-${traceId}-${spanId}-${flags}`), flags).toBe(isSampled);
    expect(isSampledTraceParent(undefined)).toBe(false);
    expect(isSampledTraceParent('01')).toBe(false);
  });
});
