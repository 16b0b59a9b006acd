/**
 * What the webhook route needs from slipwayd besides the store: the processor to wake once a delivery is stored, and
 * its limits — per repository for deliveries that verified (a busy monorepo cannot starve the others' processing),
 * per client address for deliveries that did not (guessing a secret is slowed down; a bad signature costs one HMAC).
 */
import { createWebhookSecretCache, type WebhookSecretCache } from '@slipway/core';
import type { BucketState } from './http/rate-limit/token-buckets.js';
import { createTokenBuckets } from './http/rate-limit/token-buckets.js';

export interface WebhookIntake {
  /** A delivery was stored: hand it over now. */
  poke(): void;
  /** Repositories' opened webhook secrets, so a busy repository's deliveries do not each decrypt its secret. */
  readonly secretCache: WebhookSecretCache;
  /** Takes a token of the repository's bucket. */
  takeDelivery(repositoryId: string, nowMs: number): BucketState;
  /** Takes a token of the address's bucket for a refused (unauthenticated) delivery. */
  takeRefusal(ip: string, nowMs: number): BucketState;
  /** The address's bucket without taking from it: an address out of tokens is refused before any work. */
  peekRefusal(ip: string, nowMs: number): BucketState;
}

export interface WebhookLimits {
  /** Verified deliveries per repository: burst and per minute. */
  readonly perRepository: { readonly burst: number; readonly perMinute: number };
  /** Refused deliveries per client address. */
  readonly refusedPerAddress: { readonly burst: number; readonly perMinute: number };
  readonly maxBuckets: number;
}

export const defaultWebhookLimits: WebhookLimits = {
  perRepository: { burst: 600, perMinute: 6_000 },
  refusedPerAddress: { burst: 60, perMinute: 60 },
  maxBuckets: 10_000,
};

export function createWebhookIntake(options: { poke: () => void; limits?: WebhookLimits }): WebhookIntake {
  const limits = options.limits ?? defaultWebhookLimits;
  const deliveries = createTokenBuckets(limits.perRepository, limits.maxBuckets);
  const refusals = createTokenBuckets(limits.refusedPerAddress, limits.maxBuckets);
  return {
    poke: options.poke,
    secretCache: createWebhookSecretCache(limits.maxBuckets),
    takeDelivery: (repositoryId, nowMs) => deliveries.take(repositoryId, nowMs),
    takeRefusal: (ip, nowMs) => refusals.take(ip, nowMs),
    peekRefusal: (ip, nowMs) => refusals.peek(ip, nowMs),
  };
}
