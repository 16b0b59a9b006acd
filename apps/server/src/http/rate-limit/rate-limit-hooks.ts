/**
 * Rate limiting of the API: a token bucket per client IP (checked on `onRequest`, before authentication, so
 * credential guessing is limited too) and one per credential (checked once the caller is known), per route class;
 * the failed-login throttle on login. A refused request gets `429 RATE_LIMITED` with `Retry-After`; every limited
 * route's answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` of its tightest bucket.
 * Counters: `counters()`, served by `GET /api/v1/system/rate-limits` (admin or owner, see `system-routes.ts`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError, type RateLimitCounters } from '@slipway/contract';
import type { RateLimitConfig } from '../../rate-limit-config.js';
import { permissionOf } from '../auth/route-permissions.js';
import { createLoginThrottle } from './login-throttle.js';
import { rateLimitClasses, rateLimitClassOf, type RateLimitClass } from './rate-limit-class.js';
import { createTokenBuckets, type BucketState, type TokenBuckets } from './token-buckets.js';

interface ClassLimiter {
  readonly byIp: TokenBuckets;
  readonly byCredential: TokenBuckets;
  allowed: number;
  limited: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The rate-limit class of the route, set by the rate-limit hook (`undefined`: not limited). */
    rateLimitClass: RateLimitClass | undefined;
  }
}

/** What the limiter has counted since start (served by `GET /api/v1/system/rate-limits`). */
export interface RateLimitCounterSource {
  counters(): RateLimitCounters;
}

/** Installs the limiter and answers its counters; call before the auth hooks, so addresses are limited first. */
export function installRateLimits(
  app: FastifyInstance,
  options: { config: RateLimitConfig; nowMs: () => number },
): RateLimitCounterSource {
  const { config, nowMs } = options;
  const limiters = Object.fromEntries(
    rateLimitClasses.map((name) => [
      name,
      {
        byIp: createTokenBuckets(config.classes[name], config.maxBuckets),
        byCredential: createTokenBuckets(config.classes[name], config.maxBuckets),
        allowed: 0,
        limited: 0,
      },
    ]),
  ) as Record<RateLimitClass, ClassLimiter>;
  const logins = createLoginThrottle(config);

  app.decorateRequest('rateLimitClass', undefined);

  if (config.isEnabled) {
    app.addHook('onRequest', async (request, reply) => {
      const url = request.routeOptions.url;
      if (url === undefined) return;
      const action = permissionOf(request)?.action;
      const name = action === undefined ? undefined : rateLimitClassOf(request.method, action);
      if (name === undefined) return;
      request.rateLimitClass = name;
      const limiter = limiters[name];
      const state = limiter.byIp.take(request.ip, nowMs());
      setLimitHeaders(reply, state);
      if (!state.isAllowed) {
        limiter.limited += 1;
        refuse(request, reply, state, 'too many requests from this address');
      }
      limiter.allowed += 1;
    });

    // After authentication (onRequest) and before the body is read.
    app.addHook('preParsing', async (request, reply) => {
      const name = request.rateLimitClass;
      const credential = request.principal?.credential;
      if (name === undefined || credential === undefined) return;
      const limiter = limiters[name];
      const state = limiter.byCredential.take(credential.id, nowMs());
      // The headers show the tighter of the two buckets.
      if (!state.isAllowed || state.remaining < Number(reply.getHeader('ratelimit-remaining') ?? Infinity)) {
        setLimitHeaders(reply, state);
      }
      if (!state.isAllowed) {
        limiter.allowed -= 1;
        limiter.limited += 1;
        refuse(request, reply, state, 'too many requests with this credential');
      }
    });

    app.addHook('preValidation', async (request, reply) => {
      if (request.rateLimitClass !== 'login') return;
      const username = usernameOf(request);
      if (username === undefined) return;
      const refusal = logins.check(username, request.ip, nowMs());
      if (refusal !== undefined) {
        refuse(request, reply, refusal, 'too many failed logins for this account from this client');
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (request.rateLimitClass !== 'login') return payload;
      const username = usernameOf(request);
      if (username === undefined) return payload;
      if (reply.statusCode === 401) logins.recordFailure(username, request.ip, nowMs());
      else if (reply.statusCode < 300) logins.recordSuccess(username, request.ip);
      return payload;
    });
  }

  return {
    counters: (): RateLimitCounters => {
      const login = logins.counters();
      let evicted = login.evicted;
      const classes: RateLimitCounters['classes'] = {};
      for (const name of rateLimitClasses) {
        const limiter = limiters[name];
        classes[name] = {
          allowed: limiter.allowed,
          limited: limiter.limited,
          buckets: limiter.byIp.size + limiter.byCredential.size,
        };
        evicted += limiter.byIp.evicted + limiter.byCredential.evicted;
      }
      return {
        classes,
        loginThrottle: { throttled: login.throttled, failures: login.failures, buckets: login.buckets },
        evicted,
      };
    },
  };
}

function setLimitHeaders(reply: FastifyReply, state: BucketState): void {
  void reply.header('ratelimit-limit', String(state.limit));
  void reply.header('ratelimit-remaining', String(state.remaining));
  void reply.header('ratelimit-reset', String(state.resetSeconds));
}

function refuse(request: FastifyRequest, reply: FastifyReply, state: BucketState, why: string): never {
  void reply.header('retry-after', String(state.retryAfterSeconds));
  throw new SlipwayError('RATE_LIMITED', `${why}: retry in ${state.retryAfterSeconds} s`, {
    details: { class: request.rateLimitClass ?? null, retryAfterSeconds: state.retryAfterSeconds },
  });
}

function usernameOf(request: FastifyRequest): string | undefined {
  const body = request.body as { username?: unknown } | null | undefined;
  return typeof body?.username === 'string' && body.username.length > 0 ? body.username : undefined;
}
