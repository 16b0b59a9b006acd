import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '@slipway/contract';
import { createStatfsDiskUsage } from './statfs-disk-usage.js';

describe('statfs disk usage', () => {
  it('reads the size and the free bytes of the filesystem holding a real directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-statfs-'));
    try {
      const reading = await createStatfsDiskUsage({ dir }).read();
      expect(reading.sizeBytes).toBeGreaterThan(0);
      expect(reading.availableBytes).toBeGreaterThanOrEqual(0);
      expect(reading.availableBytes).toBeLessThanOrEqual(reading.sizeBytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with a coded error for a directory that does not exist', async () => {
    const failure = await createStatfsDiskUsage({ dir: join(tmpdir(), 'slipway-statfs-missing', 'nowhere') })
      .read()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SlipwayError);
    expect((failure as SlipwayError).code).toBe('INTERNAL');
  });
});
