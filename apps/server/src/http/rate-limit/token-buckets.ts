/**
 * A bounded set of token buckets, one per key: each holds up to `burst` tokens, refilled continuously at
 * `perMinute`. At most `maxBuckets` are kept; the least recently used is dropped first (a dropped bucket is the
 * same as a full one), so a client cycling through keys cannot grow memory.
 */
import type { BucketLimit } from '../../rate-limit-config.js';

export interface BucketState {
  readonly isAllowed: boolean;
  /** The bucket's size, for `RateLimit-Limit`. */
  readonly limit: number;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until the bucket is full again, for `RateLimit-Reset`. */
  readonly resetSeconds: number;
  /** Seconds until the next token, for `Retry-After` (0 when allowed). */
  readonly retryAfterSeconds: number;
}

export interface TokenBuckets {
  /** Takes `cost` tokens from the key's bucket if it has them. */
  take(key: string, nowMs: number, cost?: number): BucketState;
  /** The bucket's state without taking anything. */
  peek(key: string, nowMs: number): BucketState;
  /** Forgets the key (a full bucket again). */
  delete(key: string): void;
  readonly size: number;
  /** Buckets dropped to stay within `maxBuckets`. */
  readonly evicted: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export function createTokenBuckets(limit: BucketLimit, maxBuckets: number): TokenBuckets {
  const buckets = new Map<string, Bucket>();
  const perMs = limit.perMinute / 60_000;
  let evicted = 0;

  const current = (key: string, nowMs: number): Bucket => {
    const bucket = buckets.get(key);
    if (bucket === undefined) return { tokens: limit.burst, atMs: nowMs };
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    return { tokens: Math.min(limit.burst, bucket.tokens + elapsedMs * perMs), atMs: nowMs };
  };

  const stateOf = (bucket: Bucket, isAllowed: boolean, cost: number): BucketState => ({
    isAllowed,
    limit: limit.burst,
    remaining: Math.max(0, Math.floor(bucket.tokens)),
    resetSeconds: Math.ceil((limit.burst - bucket.tokens) / perMs / 1000),
    retryAfterSeconds: isAllowed ? 0 : Math.max(1, Math.ceil((cost - bucket.tokens) / perMs / 1000)),
  });

  const store = (key: string, bucket: Bucket): void => {
    // Re-inserting moves the key to the end: the Map's order is least recently used first.
    buckets.delete(key);
    buckets.set(key, bucket);
    while (buckets.size > maxBuckets) {
      const oldest = buckets.keys().next().value;
      if (oldest === undefined) break;
      buckets.delete(oldest);
      evicted += 1;
    }
  };

  return {
    take(key, nowMs, cost = 1) {
      const bucket = current(key, nowMs);
      const isAllowed = bucket.tokens >= cost;
      if (isAllowed) bucket.tokens -= cost;
      store(key, bucket);
      return stateOf(bucket, isAllowed, cost);
    },
    peek(key, nowMs) {
      const bucket = current(key, nowMs);
      return stateOf(bucket, bucket.tokens >= 1, 1);
    },
    delete(key) {
      buckets.delete(key);
    },
    get size() {
      return buckets.size;
    },
    get evicted() {
      return evicted;
    },
  };
}
