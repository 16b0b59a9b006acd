import { describe, expect, it } from 'vitest';
import { createDebouncer, type DebounceTimers } from './debouncer.js';

/** A manual clock: timers fire only when the test advances time. */
function manualTimers() {
  let nowMs = 0;
  let nextId = 0;
  const pending = new Map<number, { dueMs: number; fn: () => void }>();
  const timers: DebounceTimers = {
    nowMs: () => nowMs,
    setTimeout: (fn, delayMs) => {
      nextId += 1;
      pending.set(nextId, { dueMs: nowMs + delayMs, fn });
      return nextId;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  const advance = (byMs: number) => {
    const targetMs = nowMs + byMs;
    for (;;) {
      const due = [...pending.entries()]
        .filter(([, t]) => t.dueMs <= targetMs)
        .sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
      if (due === undefined) break;
      pending.delete(due[0]);
      nowMs = due[1].dueMs;
      due[1].fn();
    }
    nowMs = targetMs;
  };
  return { timers, advance };
}

describe('the debouncer', () => {
  it('fires once when a burst has been quiet for the minimum wait', () => {
    const { timers, advance } = manualTimers();
    let fired = 0;
    const debouncer = createDebouncer({ minMs: 100, maxMs: 1000, onFire: () => (fired += 1), timers });
    debouncer.trigger();
    advance(50);
    debouncer.trigger();
    advance(99);
    expect(fired).toBe(0);
    advance(1);
    expect(fired).toBe(1);
    expect(debouncer.isPending).toBe(false);
    advance(5000);
    expect(fired).toBe(1);
  });

  it('fires at the maximum wait however long the burst goes on, then starts a new burst', () => {
    const { timers, advance } = manualTimers();
    let fired = 0;
    const debouncer = createDebouncer({ minMs: 100, maxMs: 300, onFire: () => (fired += 1), timers });
    for (let i = 0; i < 10; i += 1) {
      debouncer.trigger();
      advance(50);
    }
    // Changes every 50 ms until 450 ms: fired at 300 ms (the maximum), then 100 ms after the last change.
    expect(fired).toBe(1);
    advance(100);
    expect(fired).toBe(2);
  });

  it('fires on the next turn with no wait, and a cancel drops a pending fire', () => {
    const { timers, advance } = manualTimers();
    let fired = 0;
    const immediate = createDebouncer({ minMs: 0, maxMs: 0, onFire: () => (fired += 1), timers });
    immediate.trigger();
    immediate.trigger();
    advance(0);
    expect(fired).toBe(1);
    immediate.trigger();
    immediate.cancel();
    advance(10);
    expect(fired).toBe(1);
  });
});
