import { describe, expect, it } from 'vitest';
import { parseTracingFlags } from './tracing-flags.js';

describe('tracing flags', () => {
  it('leave tracing off without an endpoint, and default the ratio and the service name', () => {
    expect(parseTracingFlags({})).toBeUndefined();
    expect(parseTracingFlags({ 'otlp-endpoint': 'http://127.0.0.1:4318' })).toEqual({
      endpoint: 'http://127.0.0.1:4318',
      sampleRatio: 0.01,
      serviceName: 'slipway-edge',
    });
  });

  it('refuse a ratio outside 0..1, a URL with credentials, and settings without an endpoint', () => {
    const endpoint = 'http://127.0.0.1:4318';
    for (const ratio of ['1.5', '-0.1', 'abc', ''])
      expect(() => parseTracingFlags({ 'otlp-endpoint': endpoint, 'trace-sample-ratio': ratio })).toThrow(/0 to 1/);
    expect(() => parseTracingFlags({ 'otlp-endpoint': 'http://user:pw@127.0.0.1:4318' })).toThrow(/credentials/);
    expect(() => parseTracingFlags({ 'otlp-endpoint': 'ftp://127.0.0.1' })).toThrow(/http/);
    expect(() => parseTracingFlags({ 'trace-sample-ratio': '1' })).toThrow(/need --otlp-endpoint/);
  });
});
