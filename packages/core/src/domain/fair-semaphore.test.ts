import { describe, expect, it } from 'vitest';
import { FairSemaphore } from './fair-semaphore.js';

describe('FairSemaphore', () => {
  it('serves waiting keys in turns, so one key with many waiters does not hold the others back', async () => {
    const slots = new FairSemaphore(1);
    const order: string[] = [];
    const release = await slots.acquire('busy-app');
    const waits = ['busy-app:2', 'busy-app:3', 'busy-app:4', 'other-app:1', 'third-app:1'].map((name) => {
      const key = name.split(':')[0] ?? '';
      return slots.acquire(key).then((done) => {
        order.push(name);
        done();
      });
    });
    expect(slots.waiting).toBe(5);

    release();
    await Promise.all(waits);

    expect(order).toEqual(['busy-app:2', 'other-app:1', 'third-app:1', 'busy-app:3', 'busy-app:4']);
    expect(slots.waiting).toBe(0);
  });

  it('drops an aborted waiter and counts a release once', async () => {
    const slots = new FairSemaphore(1);
    const release = await slots.acquire('a');
    const controller = new AbortController();
    const aborted = slots.acquire('b', controller.signal);
    const kept = slots.acquire('c');
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');

    release();
    release();
    const next = await kept;
    expect(slots.waiting).toBe(0);
    next();
    // One slot again: taken at once, and the next one waits.
    const again = await slots.acquire('d');
    let isGranted = false;
    const waiting = slots.acquire('e').then((done) => {
      isGranted = true;
      done();
    });
    expect(isGranted).toBe(false);
    again();
    await waiting;
    expect(isGranted).toBe(true);
  });
});
