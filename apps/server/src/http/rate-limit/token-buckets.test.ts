import { describe, expect, it } from 'vitest';
import { defaultRateLimitConfig } from '../../rate-limit-config.js';
import { createLoginThrottle } from './login-throttle.js';
import { rateLimitClassOf } from './rate-limit-class.js';
import { createTokenBuckets } from './token-buckets.js';

const t0 = 1_800_000_000_000;

describe('token buckets', () => {
  it('allows a burst, refuses the next with the wait for one token, and refills at the sustained rate', () => {
    const buckets = createTokenBuckets({ burst: 5, perMinute: 10 }, 100);
    const states = Array.from({ length: 7 }, () => buckets.take('ip', t0));
    expect(states.filter((s) => s.isAllowed)).toHaveLength(5);
    expect(states.map((s) => s.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    expect(states[5]).toMatchObject({ isAllowed: false, limit: 5, retryAfterSeconds: 6, resetSeconds: 30 });
    expect(buckets.take('ip', t0 + 6_000).isAllowed).toBe(true);
    expect(buckets.take('ip', t0 + 6_000).isAllowed).toBe(false);
    expect(buckets.take('other', t0).isAllowed).toBe(true);
  });

  it('keeps at most maxBuckets, dropping the least recently used, and counts the drops', () => {
    const buckets = createTokenBuckets({ burst: 1, perMinute: 1 }, 100);
    buckets.take('kept', t0);
    for (let i = 0; i < 1_000; i += 1) {
      buckets.take(`cycling-${i}`, t0);
      if (i % 50 === 0) buckets.take('kept', t0);
    }
    expect(buckets.size).toBe(100);
    expect(buckets.evicted).toBe(901);
    // Still remembered (recently used): the bucket stays empty.
    expect(buckets.peek('kept', t0).isAllowed).toBe(false);
  });
});

describe('login throttle', () => {
  const config = {
    ...defaultRateLimitConfig,
    loginFailures: { perAccountAndIp: { burst: 3, perMinute: 1 }, perAccount: { burst: 5, perMinute: 1 } },
  };

  it('throttles an address after its failures on an account, while another address still logs in', () => {
    const throttle = createLoginThrottle(config);
    for (let i = 0; i < 3; i += 1) {
      expect(throttle.check('alice', '10.0.0.1', t0)).toBeUndefined();
      throttle.recordFailure('alice', '10.0.0.1', t0);
    }
    expect(throttle.check('alice', '10.0.0.1', t0)?.retryAfterSeconds).toBe(60);
    expect(throttle.check('ALICE', '10.0.0.1', t0)).toBeDefined();
    expect(throttle.check('alice', '10.0.0.2', t0)).toBeUndefined();
    expect(throttle.check('bob', '10.0.0.1', t0)).toBeUndefined();
    expect(throttle.counters()).toMatchObject({ throttled: 2, failures: 3 });
  });

  it('once the account ceiling is reached, waits every address that failed on it but none that did not', () => {
    const throttle = createLoginThrottle(config);
    for (let i = 0; i < 5; i += 1) throttle.recordFailure('alice', `10.0.1.${i}`, t0);
    expect(throttle.check('alice', '10.0.1.0', t0)).toBeDefined();
    expect(throttle.check('alice', '10.0.1.4', t0)).toBeDefined();
    expect(throttle.check('alice', '10.0.2.1', t0)).toBeUndefined();
  });

  it("forgets an address's failures on an account after a successful login there", () => {
    const throttle = createLoginThrottle(config);
    for (let i = 0; i < 2; i += 1) throttle.recordFailure('alice', '10.0.0.1', t0);
    throttle.recordSuccess('alice', '10.0.0.1');
    for (let i = 0; i < 2; i += 1) throttle.recordFailure('alice', '10.0.0.1', t0);
    expect(throttle.check('alice', '10.0.0.1', t0)).toBeUndefined();
  });
});

describe('rate-limit classes', () => {
  it('derives the class from the action: login strict, health and readiness never limited', () => {
    expect(rateLimitClassOf('POST', 'auth.login')).toBe('login');
    expect(rateLimitClassOf('POST', 'auth.refresh')).toBe('auth');
    expect(rateLimitClassOf('POST', 'tokens.create')).toBe('auth');
    expect(rateLimitClassOf('POST', 'apps.create')).toBe('write');
    expect(rateLimitClassOf('GET', 'apps.list')).toBe('read');
    expect(rateLimitClassOf('GET', 'system.health')).toBeUndefined();
    expect(rateLimitClassOf('GET', 'system.ready')).toBeUndefined();
  });
});
