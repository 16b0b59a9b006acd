/** The real clock. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@slipway/core';

export function createSystemClock(): Clock {
  return {
    nowMs: () => Date.now(),
    async sleep(ms, signal) {
      await sleep(ms, undefined, signal ? { signal } : undefined);
    },
  };
}
