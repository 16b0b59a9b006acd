import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPortAllocator } from './port-allocator.js';

describe('createPortAllocator', () => {
  it.each([
    { from: 0, to: 10 },
    { from: 20_010, to: 20_000 },
    { from: 1.5, to: 10 },
    { from: 65_000, to: 70_000 },
  ])('refuses the range $from-$to with VALIDATION_FAILED', (range) => {
    expect(() => createPortAllocator({ ...range, hosts: ['127.0.0.1'] })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('hands out ports of its range that are neither in use nor bound, each once until released', async () => {
    const bound = createServer();
    await new Promise<void>((resolve) => bound.listen(22_602, '127.0.0.1', resolve));
    try {
      const ports = createPortAllocator({ from: 22_600, to: 22_603, hosts: ['127.0.0.1'] });

      const first = await ports.reserve(new Set([22_601]));
      const second = await ports.reserve(new Set([22_601]));
      const none = await ports.reserve(new Set([22_601]));

      expect([first, second].sort()).toEqual([22_600, 22_603]);
      expect(none).toBeUndefined();
      ports.release(22_600);
      expect(await ports.reserve(new Set([22_601]))).toBe(22_600);
    } finally {
      await new Promise<void>((resolve) => bound.close(() => resolve()));
    }
  });
});
