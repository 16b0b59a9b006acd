/** The `DiskUsage` port over `statfs(2)`: how full the filesystem holding a directory is. */
import { statfs } from 'node:fs/promises';
import { SlipwayError } from '@slipway/contract';
import type { DiskUsage } from '@slipway/core';

export function createStatfsDiskUsage(options: { dir: string }): DiskUsage {
  return {
    async read() {
      try {
        const stats = await statfs(options.dir);
        return { sizeBytes: stats.blocks * stats.bsize, availableBytes: stats.bavail * stats.bsize };
      } catch (error) {
        throw new SlipwayError('INTERNAL', 'the data dir’s filesystem could not be read', { cause: error });
      }
    },
  };
}
