import { describe, expect, it } from 'vitest';
import type { RouteSplit } from '@slipway/contract';
import { HttpHead, parseRequestHead } from './http-head.js';
import type { UpstreamTarget } from './route-index.js';
import { emptyCounters } from './traffic-metrics.js';
import { bucketOf, cookieValue, createTrafficSplit } from './traffic-split.js';
import type { UpstreamSlot } from './upstream-pool.js';

/** An upstream of `releaseNumber` whose slot the test retires or ejects by hand. */
function target(instanceId: string, releaseNumber: number): UpstreamTarget & { slot: { isRetired: boolean } } {
  const slot = { inFlight: 0, isRetired: false, ejectedUntilMs: 0 } as unknown as UpstreamSlot & { isRetired: boolean };
  return {
    upstream: { instanceId, host: '127.0.0.1', port: 1, releaseNumber, weight: 1 },
    weight: 1,
    slot,
    releaseCounters: emptyCounters(),
  };
}

function request(fields = ''): HttpHead {
  const head = new HttpHead();
  expect(parseRequestHead(`GET / HTTP/1.1\r\nHost: a.test\r\n${fields}`.replace(/\r\n$/, ''), head)).toBeUndefined();
  return head;
}

const split = (stable: number, canary: number, stickyCookie: string | null = null): RouteSplit => ({
  releases: [
    { releaseNumber: 1, weight: stable },
    { releaseNumber: 2, weight: canary },
  ],
  stickyCookie,
});

describe('a traffic split deciding', () => {
  it('gives the newest release the bottom of the bucket space, by weight', () => {
    const stable = target('s', 1);
    const canary = target('c', 2);
    const traffic = createTrafficSplit(split(75, 25, 'b'), [stable, canary]);
    const releaseFor = (bucket: number) =>
      traffic.decide(request(`Cookie: b=${bucket}\r\n`)).upstream?.upstream.instanceId;
    expect([0, 2_499, 2_500, 9_999].map(releaseFor)).toEqual(['c', 'c', 's', 's']);
  });

  it('falls back to the other release while one is retired, and has nothing (503) when all are', () => {
    const stable = target('s', 1);
    const canary = target('c', 2);
    const traffic = createTrafficSplit(split(50, 50), [stable, canary]);
    canary.slot.isRetired = true;
    const picks = Array.from({ length: 10 }, () => traffic.decide(request()).upstream?.upstream.instanceId);
    expect(picks).toEqual(new Array(10).fill('s'));
    stable.slot.isRetired = true;
    expect(traffic.decide(request()).upstream).toBeUndefined();
  });

  it('retries in the same release first, then in another', () => {
    const first = target('s1', 1);
    const second = target('s2', 1);
    const canary = target('c', 2);
    const traffic = createTrafficSplit(split(100, 0), [first, second, canary]);
    const decision = traffic.decide(request());
    const lane = decision.lane;
    const chosen = decision.upstream;
    if (lane === undefined || chosen === undefined) throw new Error('no decision');
    expect(traffic.retry(lane, chosen)?.upstream.releaseNumber).toBe(1);
    second.slot.isRetired = true;
    first.slot.isRetired = true;
    expect(traffic.retry(lane, first)?.upstream.instanceId).toBe('c');
  });
});

describe('sticky cookies', () => {
  it('reads the first cookie of that name among several fields', () => {
    expect(cookieValue(request('Cookie: a=1; b=2\r\nCookie: b=3\r\n'), 'b')).toBe('2');
    expect(cookieValue(request('Cookie: ab=1;b=4\r\n'), 'b')).toBe('4');
    expect(cookieValue(request('Cookie: ab=1\r\n'), 'b')).toBeUndefined();
    expect(cookieValue(request(), 'b')).toBeUndefined();
  });

  it('takes a bucket only as 0–9999 written plainly', () => {
    expect(['0', '7', '9999', '10000', '007', '-1', '1e3', '', undefined].map(bucketOf)).toEqual([
      0, 7, 9_999, -1, -1, -1, -1, -1, -1,
    ]);
  });
});
