import { describe, expect, it } from 'vitest';
import { requestIdOf } from './request-id.js';

describe('request ids', () => {
  it('honours a caller’s X-Request-Id that is safe to log, and makes one otherwise', () => {
    expect(requestIdOf({ headers: { 'x-request-id': 'edge-7f3a:42' } })).toBe('edge-7f3a:42');
    for (const headers of [
      {},
      { 'x-request-id': '' },
      { 'x-request-id': 'a'.repeat(65) },
      { 'x-request-id': 'two words' },
      { 'x-request-id': 'line\nbreak' },
      { 'x-request-id': ['a', 'b'] },
    ]) {
      expect(requestIdOf({ headers })).toMatch(/^req_[0-9a-f]{16}$/);
    }
  });
});
