import { afterEach, describe, expect, it } from 'vitest';
import { edgeMetricsSchema, type RoutingTable } from '@slipway/contract';
import { closedPort } from './edge-test-harness.js';
import {
  createCleanups,
  inParallel,
  keepAliveClient,
  splitRoute,
  startReleaseUpstream,
  type ReleaseUpstream,
} from './traffic-split-test-fixtures.js';

const cleanups = createCleanups();
afterEach(() => cleanups.run());

async function releases(): Promise<{ stableA: ReleaseUpstream; stableB: ReleaseUpstream; canary: ReleaseUpstream }> {
  return {
    stableA: cleanups.add(await startReleaseUpstream('stable-a', 4)),
    stableB: cleanups.add(await startReleaseUpstream('stable-b', 4)),
    canary: cleanups.add(await startReleaseUpstream('canary', 5)),
  };
}

describe('a traffic split by release weight', () => {
  it.each([
    [10, 90],
    [50, 50],
    [1, 99],
  ])(
    'sends %i % of 10,000 requests to the canary and %i % to stable, measured at the upstreams',
    async (canaryWeight, stableWeight) => {
      const { stableA, stableB, canary } = await releases();
      const table: RoutingTable = {
        routes: [
          splitRoute(
            [stableA.asUpstream(), stableB.asUpstream(), canary.asUpstream()],
            [
              { releaseNumber: 4, weight: stableWeight },
              { releaseNumber: 5, weight: canaryWeight },
            ],
          ),
        ],
      };
      const router = await cleanups.edge({ table });
      const client = cleanups.add(keepAliveClient(router.port, 16));

      const answers = await inParallel(10_000, 16, () => client.get());

      expect(answers.filter((answer) => answer.statusCode !== 200)).toEqual([]);
      const canaryPercent = canary.served / 100;
      const stablePercent = (stableA.served + stableB.served) / 100;
      expect(Math.abs(canaryPercent - canaryWeight)).toBeLessThanOrEqual(1);
      expect(Math.abs(stablePercent - stableWeight)).toBeLessThanOrEqual(1);
      // Smooth weighted round-robin is exact, not random: the counts are the weights to the request.
      expect(canary.served).toBe(canaryWeight * 100);
      // Within the release, its own upstreams share it.
      expect(Math.abs(stableA.served - stableB.served)).toBeLessThanOrEqual(16);

      // The per-release counters count by the release that served.
      const metrics = edgeMetricsSchema.parse(JSON.parse((await router.admin('GET', '/metrics')).body));
      const counted = new Map(metrics.releases.map((r) => [r.releaseNumber, r.counters]));
      expect(counted.get(5)?.requests).toBe(canary.served);
      expect(counted.get(5)?.status['2xx']).toBe(canary.served);
      expect(counted.get(4)?.requests).toBe(stableA.served + stableB.served);
      expect(metrics.routes.find((r) => r.host === 'split.test')?.counters.requests).toBe(10_000);
    },
  );
});

describe('a traffic split by match', () => {
  it('sends requests with the matching header or cookie to the canary at weight 0, and the rest to stable', async () => {
    const { stableA, canary } = await releases();
    const router = await cleanups.edge({
      table: {
        routes: [
          splitRoute(
            [stableA.asUpstream(), canary.asUpstream()],
            [
              { releaseNumber: 4, weight: 100 },
              {
                releaseNumber: 5,
                weight: 0,
                matches: [
                  { header: 'X-Canary', value: 'always', kind: 'exact' },
                  { header: 'User-Agent', value: 'tester/', kind: 'prefix' },
                  { header: 'X-Tester', value: '^(alice|bob)@example\\.com$', kind: 'regex' },
                  { header: 'X-Build', value: 'canary', kind: 'regex' },
                  { cookie: 'beta', value: 'on' },
                ],
              },
            ],
          ),
        ],
      },
    });
    const client = cleanups.add(keepAliveClient(router.port, 4));
    const servedBy = async (headers: Record<string, string>) => (await client.get(headers)).body;

    expect(await servedBy({ 'x-canary': 'always' })).toBe('canary');
    expect(await servedBy({ 'x-canary': 'Always' })).toBe('stable-a');
    expect(await servedBy({ 'user-agent': 'tester/1.0' })).toBe('canary');
    expect(await servedBy({ 'user-agent': 'curl/8 tester/1.0' })).toBe('stable-a');
    expect(await servedBy({ 'x-tester': 'bob@example.com' })).toBe('canary');
    expect(await servedBy({ 'x-tester': 'bob@example.com.evil' })).toBe('stable-a');
    // A header value longer than patterns are tried on never matches one.
    expect(await servedBy({ 'x-build': 'canary' })).toBe('canary');
    expect(await servedBy({ 'x-build': `${'a'.repeat(1_100)}canary` })).toBe('stable-a');
    expect(await servedBy({ cookie: 'session=abc; beta=on' })).toBe('canary');
    expect(await servedBy({ cookie: 'beta=off' })).toBe('stable-a');
    expect(await servedBy({ cookie: 'notbeta=on' })).toBe('stable-a');
    expect(await servedBy({})).toBe('stable-a');
    expect(canary.served).toBe(5);
  });

  it('sends a matching request to the other releases while the matched one has no upstream that answers', async () => {
    const { stableA } = await releases();
    const deadPort = await closedPort();
    const router = await cleanups.edge({
      passiveHealth: { ejectAfterFailures: 1, ejectionCooldownMs: 600_000 },
      table: {
        routes: [
          splitRoute(
            [
              stableA.asUpstream(),
              { instanceId: 'dead', host: '127.0.0.1', port: deadPort, releaseNumber: 5, weight: 1 },
            ],
            [
              { releaseNumber: 4, weight: 100 },
              { releaseNumber: 5, weight: 0, matches: [{ header: 'X-Canary', value: 'yes', kind: 'exact' }] },
            ],
          ),
        ],
      },
    });
    const client = cleanups.add(keepAliveClient(router.port, 2));

    // The first is refused by the canary's only instance and retried on stable; the others skip the ejected canary.
    const answers = await inParallel(20, 2, () => client.get({ 'x-canary': 'yes' }));
    expect(answers.map((answer) => answer.body)).toEqual(new Array(20).fill('stable-a'));
  });
});

describe('a traffic split falling back', () => {
  it('sends a release’s share to the others while its upstreams are refused and ejected, with no failed request', async () => {
    const { stableA, stableB } = await releases();
    const deadPort = await closedPort();
    const router = await cleanups.edge({
      passiveHealth: { ejectAfterFailures: 1, ejectionCooldownMs: 600_000 },
      table: {
        routes: [
          splitRoute(
            [
              stableA.asUpstream(),
              stableB.asUpstream(),
              { instanceId: 'dead', host: '127.0.0.1', port: deadPort, releaseNumber: 5, weight: 1 },
            ],
            [
              { releaseNumber: 4, weight: 50 },
              { releaseNumber: 5, weight: 50 },
            ],
          ),
        ],
      },
    });
    const client = cleanups.add(keepAliveClient(router.port, 4));

    const answers = await inParallel(200, 4, () => client.get());

    expect(answers.filter((answer) => answer.statusCode !== 200)).toEqual([]);
    expect(stableA.served + stableB.served).toBe(200);
    const metrics = edgeMetricsSchema.parse(JSON.parse((await router.admin('GET', '/metrics')).body));
    const canaryCounters = metrics.releases.find((r) => r.releaseNumber === 5)?.counters;
    // The refused connects are the canary's; the requests were served, and counted, by stable.
    expect(canaryCounters?.requests ?? 0).toBe(0);
    expect(canaryCounters?.connectErrors).toBeGreaterThanOrEqual(1);
    expect(metrics.releases.find((r) => r.releaseNumber === 4)?.counters.requests).toBe(200);
  });

  it('serves a weight-0 release when the weighted ones have no upstream that answers', async () => {
    const { stableA } = await releases();
    const deadPort = await closedPort();
    const router = await cleanups.edge({
      passiveHealth: { ejectAfterFailures: 1, ejectionCooldownMs: 600_000 },
      table: {
        routes: [
          splitRoute(
            [
              stableA.asUpstream(),
              { instanceId: 'dead', host: '127.0.0.1', port: deadPort, releaseNumber: 5, weight: 1 },
            ],
            [
              { releaseNumber: 4, weight: 0 },
              { releaseNumber: 5, weight: 100 },
            ],
          ),
        ],
      },
    });
    const client = cleanups.add(keepAliveClient(router.port, 1));

    const answers = await inParallel(10, 1, () => client.get());
    expect(answers.map((answer) => answer.body)).toEqual(new Array(10).fill('stable-a'));
  });
});

describe('a weighted release without upstreams (its instances all went unhealthy)', () => {
  it('is accepted, and its share goes to the releases that have upstreams', async () => {
    const { stableA } = await releases();
    const router = await cleanups.edge({
      table: {
        routes: [
          splitRoute(
            [stableA.asUpstream()],
            [
              { releaseNumber: 4, weight: 90 },
              { releaseNumber: 6, weight: 10 },
            ],
          ),
        ],
      },
    });
    const client = cleanups.add(keepAliveClient(router.port, 4));

    const answers = await inParallel(200, 4, () => client.get());

    expect(answers.filter((answer) => answer.statusCode !== 200)).toEqual([]);
    expect(stableA.served).toBe(200);
  });
});

describe('a refused split', () => {
  it.each([
    ['weights adding up to 90', [{ releaseNumber: 4, weight: 90 }], 'routes.0.split.releases'],
    [
      'a release named twice',
      [
        { releaseNumber: 4, weight: 50 },
        { releaseNumber: 4, weight: 50 },
      ],
      'routes.0.split.releases.1.releaseNumber',
    ],
    [
      'a pattern with a back-reference',
      [
        { releaseNumber: 4, weight: 100 },
        { releaseNumber: 5, weight: 0, matches: [{ header: 'X-A', value: '(a+)\\1', kind: 'regex' }] },
      ],
      'routes.0.split.releases.1.matches.0.value',
    ],
  ])('is answered 400 VALIDATION_FAILED for %s, and the table served stays', async (_name, split, path) => {
    const { stableA, canary } = await releases();
    const good = splitRoute(
      [stableA.asUpstream(), canary.asUpstream()],
      [
        { releaseNumber: 4, weight: 100 },
        { releaseNumber: 5, weight: 0 },
      ],
    );
    const router = await cleanups.edge({ table: { routes: [good] } });

    const answer = await router.putTable({ routes: [{ ...good, split: { releases: split, stickyCookie: null } }] });

    expect(answer.statusCode).toBe(400);
    const body = JSON.parse(answer.body) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.issues.map((issue) => issue.path)).toContain(path);
    const client = cleanups.add(keepAliveClient(router.port, 1));
    expect((await client.get()).body).toBe('stable-a');
  });
});
