import { describe, expect, it } from 'vitest';
import type { Clock, CoreDeps, ReconcileReport } from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { startGitReconcileLoop } from './git-reconcile-loop.js';

/** A clock whose sleeps end only when the test advances it. */
function manualClock(): Clock & { advance(ms: number): void; readonly sleepers: number } {
  let nowMs = 0;
  const sleepers: { untilMs: number; wake: () => void }[] = [];
  return {
    nowMs: () => nowMs,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        const sleeper = { untilMs: nowMs + ms, wake: resolve };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', () => {
          sleepers.splice(sleepers.indexOf(sleeper), 1);
          reject(signal.reason as Error);
        });
      });
    },
    advance(ms) {
      nowMs += ms;
      for (const sleeper of sleepers.filter((s) => s.untilMs <= nowMs)) {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        sleeper.wake();
      }
    },
    get sleepers() {
      return sleepers.length;
    },
  };
}

const empty: ReconcileReport = { deployed: [], unreachable: [], failed: [] };
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('startGitReconcileLoop', () => {
  it('runs one pass per interval on its clock, goes on after a failed pass, and stops waiting for the pass in flight', async () => {
    const clock = manualClock();
    const passes: number[] = [];
    let isFailing = true;
    const loop = startGitReconcileLoop({
      deps: {} as CoreDeps,
      intervalMs: 60_000,
      clock,
      logger: silentLogger,
      reconcile: async () => {
        passes.push(clock.nowMs());
        if (isFailing) {
          isFailing = false;
          throw new Error('the store is closed');
        }
        return empty;
      },
    });
    await settle();
    expect(passes).toEqual([]);
    clock.advance(59_999);
    await settle();
    expect(passes).toEqual([]);
    clock.advance(1);
    await settle();
    expect(passes).toEqual([60_000]);
    clock.advance(60_000);
    await settle();
    expect(passes).toEqual([60_000, 120_000]);
    expect(clock.sleepers).toBe(1);
    await loop.stop();
    expect(clock.sleepers).toBe(0);
    clock.advance(60_000);
    await settle();
    expect(passes).toHaveLength(2);
  });

  it('runs no pass at all with an interval of 0', async () => {
    const clock = manualClock();
    let passes = 0;
    const loop = startGitReconcileLoop({
      deps: {} as CoreDeps,
      intervalMs: 0,
      clock,
      logger: silentLogger,
      reconcile: async () => {
        passes++;
        return empty;
      },
    });
    clock.advance(1_000_000);
    await settle();
    await loop.stop();
    expect(passes).toBe(0);
    expect(clock.sleepers).toBe(0);
  });
});
