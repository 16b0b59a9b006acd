/**
 * Rate limiting against a real slipwayd with strict limits from its config file: a bounded burst gets exactly the
 * bucket's size of answers and 429 for the rest, with `Retry-After` and the `RateLimit-*` headers; login is its own
 * strict class; health is never limited; a 429 is audited; failed logins throttle the (account, address) pair while
 * the account stays reachable from another address. Clients take distinct loopback source addresses (127.0.0.x) so
 * each test has its own per-address buckets. Assertions are on counts, never on time.
 */
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, password } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code?: string } } & Record<string, unknown>;
}

const strictLimits = {
  rateLimits: {
    classes: {
      login: { burst: 5, perMinute: 1 },
      read: { burst: 20, perMinute: 1 },
      write: { burst: 5, perMinute: 1 },
    },
    loginFailures: { perAccountAndIp: { burst: 3, perMinute: 1 } },
  },
};

describe('rate limits end to end', () => {
  let slipwayd: SlipwaydHarness;

  /** One request from the loopback source address `from`. */
  const send = (
    from: string,
    spec: { method: string; path: string; token?: string; json?: unknown },
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = spec.json === undefined ? undefined : JSON.stringify(spec.json);
      const headers: Record<string, string> = {};
      if (spec.token !== undefined) headers['authorization'] = `Bearer ${spec.token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const req = request(
        {
          host: '127.0.0.1',
          port: slipwayd.apiPort,
          localAddress: from,
          method: spec.method,
          path: spec.path,
          headers,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Answer['body'] = {};
            try {
              parsed = JSON.parse(text) as Answer['body'];
            } catch {
              // an empty body
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const statuses = (answers: readonly Answer[]): Record<number, number> => {
    const counts: Record<number, number> = {};
    for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    return counts;
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    const configFile = join(slipwayd.dataDir, 'strict-limits.json');
    await writeFile(configFile, JSON.stringify(strictLimits));
    await slipwayd.start({ env: { SLIPWAY_CONFIG: configFile } });
    await createUser(slipwayd, 'victim');
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('answers a burst beyond the bucket with 429, Retry-After and RateLimit headers, and counts it', async () => {
    const { secret } = await slipwayd.api.tokens.create({ name: 'burst-reader' });
    const answers: Answer[] = [];
    for (let i = 0; i < 30; i += 1)
      answers.push(await send('127.0.0.2', { method: 'GET', path: '/api/v1/apps', token: secret }));
    expect(statuses(answers)).toEqual({ 200: 20, 429: 10 });
    const first = answers[0];
    expect(first?.headers['ratelimit-limit']).toBe('20');
    expect(first?.headers['ratelimit-remaining']).toBe('19');
    expect(Number(first?.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(answers[19]?.headers['ratelimit-remaining']).toBe('0');
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body.error?.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.headers['ratelimit-remaining']).toBe('0');
    }
    const counters = await slipwayd.api.system.rateLimits();
    expect(counters.classes['read']?.limited).toBeGreaterThanOrEqual(10);
    expect(counters.classes['read']?.allowed).toBeGreaterThanOrEqual(20);
  });

  it('never limits health and readiness', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 60; i += 1) {
      answers.push(await send('127.0.0.3', { method: 'GET', path: i % 2 === 0 ? '/healthz' : '/readyz' }));
    }
    expect(statuses(answers)).toEqual({ 200: 60 });
    expect(answers[0]?.headers['ratelimit-limit']).toBeUndefined();
  });

  it('limits one credential across addresses, and audits each refused write as denied RATE_LIMITED', async () => {
    const { secret } = await slipwayd.api.tokens.create({ name: 'burst-writer' });
    const answers: Answer[] = [];
    for (let i = 0; i < 8; i += 1) {
      // A new address each time: only the credential's bucket can run out.
      answers.push(
        await send(`127.0.1.${i + 1}`, { method: 'POST', path: '/api/v1/projects', token: secret, json: {} }),
      );
    }
    expect(statuses(answers)).toEqual({ 400: 5, 429: 3 });
    const records = (await slipwayd.api.audit.list({ action: 'projects.create', limit: 1000 })).records;
    const requestIds = answers.map((a) => String(a.headers['x-request-id']));
    const mine = records.filter((r) => r.kind === 'request' && requestIds.includes(r.requestId ?? ''));
    expect(mine).toHaveLength(8);
    expect(mine.filter((r) => r.outcome === 'denied' && r.errorCode === 'RATE_LIMITED')).toHaveLength(3);
    expect(mine.filter((r) => r.outcome === 'failed' && r.errorCode === 'VALIDATION_FAILED')).toHaveLength(5);
  });

  it('makes login its own strict class per address', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 8; i += 1) {
      answers.push(
        await send('127.0.0.4', {
          method: 'POST',
          path: '/api/v1/auth/login',
          json: { username: `ghost-${i}`, password: 'nope' },
        }),
      );
    }
    expect(statuses(answers)).toEqual({ 401: 5, 429: 3 });
  });

  it('throttles failed logins per account and address without locking the account out from another address', async () => {
    const attempt = (from: string, secret: string): Promise<Answer> =>
      send(from, { method: 'POST', path: '/api/v1/auth/login', json: { username: 'victim', password: secret } });
    const failures: Answer[] = [];
    for (let i = 0; i < 3; i += 1) failures.push(await attempt('127.0.0.5', 'wrong password'));
    expect(statuses(failures)).toEqual({ 401: 3 });
    // The right password from the same address now waits too: the pair is throttled.
    const throttled = await attempt('127.0.0.5', password);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another address that has not failed logs in.
    const elsewhere = await attempt('127.0.0.6', password);
    expect(elsewhere.status).toBe(200);
    const counters = await slipwayd.api.system.rateLimits();
    expect(counters.loginThrottle.throttled).toBeGreaterThanOrEqual(1);
    expect(counters.loginThrottle.failures).toBeGreaterThanOrEqual(3);
  });
});
