/** The hold queue of wakeable routes on its own: bounds, one wake per cold period, release order, counters. */
import { describe, expect, it } from 'vitest';
import type { RouteEntry, WakeRequest } from '@slipway/contract';
import { createColdStartHolds, type HeldExchange } from './cold-start-holds.js';
import { createRouteIndex, type RouteTarget } from './route-index.js';
import { createTrafficMetrics } from './traffic-metrics.js';
import { createUpstreamPool } from './upstream-pool.js';

const coldRoute: RouteEntry = {
  host: 'shop.test',
  pathPrefix: '/',
  app: 'shop',
  environment: 'production',
  process: 'web',
  timeoutMs: null,
  upstreams: [],
  coldStart: { holdTimeoutMs: 30_000, maxHeldRequests: 3, maxHeldBytes: 4_096 },
};

function targetOf(route: RouteEntry): RouteTarget {
  const target = createRouteIndex({ routes: [route] }, createUpstreamPool().slotFor, createTrafficMetrics()).find(
    route.host,
    '/',
  );
  if (target === undefined) throw new Error('no route');
  return target;
}

/** A held request that records when it is resumed, and says what became of it. */
function heldRequest(name: string, resumed: string[], outcome: () => 'forwarded' | 'answered' | 'held'): HeldExchange {
  return {
    resumeHold() {
      resumed.push(name);
      return outcome();
    },
  };
}

describe('the hold queue of a wakeable route', () => {
  it('asks for a wake once per cold period, however many requests it holds', () => {
    const wakes: WakeRequest[] = [];
    const holds = createColdStartHolds((wake) => wakes.push(wake));
    const target = targetOf(coldRoute);
    const resumed: string[] = [];

    for (const name of ['a', 'b', 'c'])
      expect(
        holds.hold(
          heldRequest(name, resumed, () => 'forwarded'),
          target,
          100,
        ),
      ).toBe(true);

    expect(wakes).toEqual([{ app: 'shop', environment: 'production', process: 'web' }]);
    expect(holds.count).toBe(3);
    expect(target.coldStart?.counters).toMatchObject({ holding: 3, wakes: 1, refused: 0 });
  });

  it('refuses a request beyond its count or its bytes, and counts it', () => {
    const holds = createColdStartHolds(() => undefined);
    const target = targetOf(coldRoute);
    const resumed: string[] = [];
    const request = (name: string) => heldRequest(name, resumed, () => 'forwarded');

    expect(holds.hold(request('a'), target, 4_000)).toBe(true);
    expect(holds.hold(request('b'), target, 200)).toBe(false);
    expect(holds.hold(request('c'), target, 90)).toBe(true);
    expect(holds.addBytes(target, 10)).toBe(false);
    expect(holds.hold(request('d'), target, 1)).toBe(true);
    expect(holds.hold(request('e'), target, 1)).toBe(false);

    expect(holds.count).toBe(3);
    expect(target.coldStart?.counters).toMatchObject({ holding: 3, refused: 3 });
  });

  it('lets the requests go oldest first when a table comes, and counts the wake once they reach an instance', () => {
    const holds = createColdStartHolds(() => undefined);
    const target = targetOf(coldRoute);
    const resumed: string[] = [];
    for (const name of ['first', 'second', 'third'])
      holds.hold(
        heldRequest(name, resumed, () => 'forwarded'),
        target,
        10,
      );

    holds.resumeAll();

    expect(resumed).toEqual(['first', 'second', 'third']);
    expect(holds.count).toBe(0);
    const counters = target.coldStart?.counters;
    expect(counters?.holding).toBe(0);
    expect(counters?.wakeDuration.reduce((sum, count) => sum + count, 0)).toBe(1);
  });

  it('keeps a request that is held again in the same cold period, in its place, without a second wake', () => {
    const wakes: WakeRequest[] = [];
    const holds = createColdStartHolds((wake) => wakes.push(wake));
    const target = targetOf(coldRoute);
    const resumed: string[] = [];
    const stillCold = (name: string): HeldExchange =>
      heldRequest(name, resumed, () => (holds.hold(stillCold(name), target, 10) ? 'held' : 'answered'));
    holds.hold(stillCold('a'), target, 10);
    holds.hold(stillCold('b'), target, 10);

    holds.resumeAll();
    holds.resumeAll();

    expect(resumed).toEqual(['a', 'b', 'a', 'b']);
    expect(holds.count).toBe(2);
    expect(wakes).toHaveLength(1);
    expect(target.coldStart?.counters).toMatchObject({ holding: 2, wakes: 1 });
    expect(target.coldStart?.counters.wakeDuration.every((count) => count === 0)).toBe(true);
  });

  it('drops a request that timed out or whose client left, and a new one after that is a new cold period', () => {
    const wakes: WakeRequest[] = [];
    const holds = createColdStartHolds((wake) => wakes.push(wake));
    const target = targetOf(coldRoute);
    const request = heldRequest('a', [], () => 'forwarded');
    holds.hold(request, target, 10);

    holds.drop(request, target, 10);
    holds.drop(request, target, 10);
    holds.hold(
      heldRequest('b', [], () => 'forwarded'),
      target,
      10,
    );

    expect(holds.count).toBe(1);
    expect(wakes).toHaveLength(2);
  });
});
