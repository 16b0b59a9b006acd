/**
 * The rate limiter's part of slipwayd's configuration (`rateLimits` in the config file): token buckets per route
 * class — each applied per client IP and per credential — and the failed-login throttle. The defaults leave room for
 * a busy CLI session from one machine; `login` is the strict class.
 */
import { z } from 'zod';

const bucket = z.object({
  /** Requests that may come at once (the bucket's size). */
  burst: z.number().int().min(1).max(1_000_000),
  /** Sustained rate: tokens added per minute, up to `burst`. */
  perMinute: z.number().min(0.01).max(6_000_000),
});
export type BucketLimit = z.infer<typeof bucket>;

export const rateLimitConfigSchema = z
  .object({
    isEnabled: z.boolean(),
    /** Buckets kept per limiter; the least recently used idle ones go first, so cycling IPs cannot grow memory. */
    maxBuckets: z.number().int().min(100).max(10_000_000),
    classes: z
      .object({
        /** `POST /api/v1/auth/login`. */
        login: bucket,
        /** Refresh and the other credential-handling routes (`auth.*`, `tokens.*`). */
        auth: bucket,
        /** Every other POST, PUT, PATCH and DELETE. */
        write: bucket,
        /** Every other GET. */
        read: bucket,
      })
      .strict(),
    loginFailures: z
      .object({
        /** Failed logins for one account from one IP; when empty, that IP's logins to that account wait. */
        perAccountAndIp: bucket,
        /**
         * Failed logins for one account from anywhere; when empty, every IP that failed on the account waits too —
         * an IP with no failure on it still logs in, so an attacker cannot lock the owner out.
         */
        perAccount: bucket,
      })
      .strict(),
  })
  .strict();
export type RateLimitConfig = z.infer<typeof rateLimitConfigSchema>;

export const defaultRateLimitConfig: RateLimitConfig = {
  isEnabled: true,
  maxBuckets: 10_000,
  classes: {
    login: { burst: 20, perMinute: 20 },
    auth: { burst: 120, perMinute: 120 },
    write: { burst: 600, perMinute: 1_200 },
    read: { burst: 1_000, perMinute: 2_400 },
  },
  loginFailures: {
    perAccountAndIp: { burst: 10, perMinute: 1 },
    perAccount: { burst: 100, perMinute: 10 },
  },
};
