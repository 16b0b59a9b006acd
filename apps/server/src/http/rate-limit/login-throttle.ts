/**
 * Failed-login throttling without lock-out: failures are counted per (account, IP) and per account. An IP that
 * failed too often on an account waits before trying it again; when the account as a whole saw too many failures,
 * every IP that failed on it waits — but an IP with no failure on the account still logs in, so nobody can lock the
 * owner out by failing on purpose. A success forgets that IP's failures on the account.
 */
import type { RateLimitConfig } from '../../rate-limit-config.js';
import { createTokenBuckets, type BucketState } from './token-buckets.js';

export interface LoginThrottle {
  /** The state that refuses this attempt, or `undefined` when it may go ahead. */
  check(username: string, ip: string, nowMs: number): BucketState | undefined;
  recordFailure(username: string, ip: string, nowMs: number): void;
  recordSuccess(username: string, ip: string): void;
  counters(): { throttled: number; failures: number; buckets: number; evicted: number };
}

export function createLoginThrottle(config: RateLimitConfig): LoginThrottle {
  const pairs = createTokenBuckets(config.loginFailures.perAccountAndIp, config.maxBuckets);
  const accounts = createTokenBuckets(config.loginFailures.perAccount, config.maxBuckets);
  let throttled = 0;
  let failures = 0;
  // Names are case-sensitive in the store; fold them here so case variants share one budget.
  const accountKey = (username: string): string => username.toLowerCase().slice(0, 256);
  const pairKey = (username: string, ip: string): string => `${accountKey(username)}\u0000${ip}`;

  return {
    check(username, ip, nowMs) {
      const pair = pairs.peek(pairKey(username, ip), nowMs);
      const hasFailedHere = pair.remaining < pair.limit;
      const account = accounts.peek(accountKey(username), nowMs);
      const refusal = !pair.isAllowed ? pair : hasFailedHere && !account.isAllowed ? account : undefined;
      if (refusal !== undefined) throttled += 1;
      return refusal;
    },
    recordFailure(username, ip, nowMs) {
      failures += 1;
      pairs.take(pairKey(username, ip), nowMs);
      accounts.take(accountKey(username), nowMs);
    },
    recordSuccess(username, ip) {
      pairs.delete(pairKey(username, ip));
    },
    counters: () => ({
      throttled,
      failures,
      buckets: pairs.size + accounts.size,
      evicted: pairs.evicted + accounts.evicted,
    }),
  };
}
