import { afterEach, describe, expect, it } from 'vitest';
import type { RouteEntry } from '@slipway/contract';
import { routeTo } from './edge-test-harness.js';
import {
  createCleanups,
  inParallel,
  keepAliveClient,
  splitHost,
  splitRoute,
  startReleaseUpstream,
  type ReleaseUpstream,
} from './traffic-split-test-fixtures.js';

const cleanups = createCleanups();
afterEach(() => cleanups.run());

const cookieName = 'slipway-shop';

async function twoReleases(): Promise<{ stable: ReleaseUpstream; canary: ReleaseUpstream }> {
  return {
    stable: cleanups.add(await startReleaseUpstream('stable', 4)),
    canary: cleanups.add(await startReleaseUpstream('canary', 5)),
  };
}

function canaryAt(
  stable: ReleaseUpstream,
  canary: ReleaseUpstream,
  weight: number,
  sticky: string | null = cookieName,
): RouteEntry {
  return splitRoute(
    [stable.asUpstream(), canary.asUpstream()],
    [
      { releaseNumber: 4, weight: 100 - weight },
      { releaseNumber: 5, weight },
    ],
    sticky,
  );
}

/** The bucket of a `Set-Cookie` the router sent, checking its attributes; undefined when it sent none. */
function bucketSet(header: string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  expect(header).toHaveLength(1);
  const match = /^slipway-shop=(\d+); Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/.exec(header[0] ?? '');
  expect(match).not.toBeNull();
  return Number(match?.[1]);
}

describe('sticky assignment to a release', () => {
  it('keeps a client on the canary while its weight rises, and moves clients back only as it falls', async () => {
    const { stable, canary } = await twoReleases();
    const router = await cleanups.edge({ table: { routes: [canaryAt(stable, canary, 10)] } });
    const client = cleanups.add(keepAliveClient(router.port, 8));

    // 1,000 new clients: each gets a bucket inside the range of the release it was sent to, and exactly 10 % (the
    // weight, by round-robin, not by chance) are sent to the canary.
    const first = await inParallel(1_000, 8, () => client.get());
    const clients = first.map((answer) => ({ bucket: bucketSet(answer.headers['set-cookie']), release: answer.body }));
    expect(clients.filter((c) => c.release === 'canary')).toHaveLength(100);
    for (const c of clients) expect(c.release).toBe((c.bucket ?? -1) < 1_000 ? 'canary' : 'stable');

    const releaseOf = async (bucket: number | undefined): Promise<string> => {
      const answer = await client.get({ cookie: `theme=dark; ${cookieName}=${bucket}` });
      expect(answer.headers['set-cookie']).toBeUndefined();
      return answer.body;
    };
    const releasesNow = () => inParallel(clients.length, 8, (i) => releaseOf(clients[i]?.bucket));

    for (const weight of [25, 50]) {
      expect((await router.putTable({ routes: [canaryAt(stable, canary, weight)] })).statusCode).toBe(200);
      const now = await releasesNow();
      clients.forEach((c, i) => {
        // Nobody leaves the canary while its weight rises; those who join have buckets under the new weight.
        if (c.release === 'canary') expect(now[i]).toBe('canary');
        expect(now[i]).toBe((c.bucket ?? -1) < weight * 100 ? 'canary' : 'stable');
        c.release = now[i] ?? '';
      });
    }
    const atFifty = clients.filter((c) => c.release === 'canary').length;
    expect(atFifty).toBeGreaterThan(400);
    expect(atFifty).toBeLessThan(600);

    expect((await router.putTable({ routes: [canaryAt(stable, canary, 10)] })).statusCode).toBe(200);
    const back = await releasesNow();
    clients.forEach((c, i) => expect(back[i]).toBe((c.bucket ?? -1) < 1_000 ? 'canary' : 'stable'));
    expect(back.filter((release) => release === 'canary')).toHaveLength(100);
  });

  it('sets the cookie only while more than one release has weight, and again for a malformed one', async () => {
    const { stable, canary } = await twoReleases();
    const router = await cleanups.edge({ table: { routes: [canaryAt(stable, canary, 30)] } });
    const client = cleanups.add(keepAliveClient(router.port, 1));
    const setCookieOf = async (cookie?: string) =>
      (await client.get(cookie === undefined ? {} : { cookie })).headers['set-cookie'];

    expect(bucketSet(await setCookieOf())).toBeGreaterThanOrEqual(0);
    expect(await setCookieOf(`${cookieName}=42`)).toBeUndefined();
    for (const malformed of ['', '10000', '-1', '042', '4x', '99999', ' '])
      expect(bucketSet(await setCookieOf(`${cookieName}=${malformed}`))).toBeGreaterThanOrEqual(0);

    // One release with all the weight: nothing to stick to.
    await router.putTable({ routes: [canaryAt(stable, canary, 100)] });
    expect(await setCookieOf()).toBeUndefined();
    await router.putTable({ routes: [canaryAt(stable, canary, 0)] });
    expect(await setCookieOf()).toBeUndefined();
    // No sticky cookie named, or no split at all: never.
    await router.putTable({ routes: [canaryAt(stable, canary, 30, null)] });
    expect(await setCookieOf()).toBeUndefined();
    await router.putTable({ routes: [routeTo(splitHost, '/', [stable.asUpstream(), canary.asUpstream()])] });
    expect(await setCookieOf()).toBeUndefined();
  });
});

describe('a split changed under load', () => {
  it('moves a canary 10 → 50 → 100 under keep-alive load without one failed request', async () => {
    const { stable, canary } = await twoReleases();
    const router = await cleanups.edge({ table: { routes: [canaryAt(stable, canary, 10)] } });
    const client = cleanups.add(keepAliveClient(router.port, 32));

    let sent = 0;
    const failures: string[] = [];
    const load = inParallel(6_000, 32, async () => {
      sent += 1;
      try {
        const answer = await client.get();
        if (answer.statusCode !== 200) failures.push(`${answer.statusCode} ${answer.body}`);
        return answer.body;
      } catch (error) {
        failures.push((error as Error).message);
        return 'error';
      }
    });
    const servedAt = [0, 0, 0];
    const waitForSent = async (count: number) => {
      while (sent < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitForSent(2_000);
    servedAt[0] = canary.served;
    expect((await router.putTable({ routes: [canaryAt(stable, canary, 50)] })).statusCode).toBe(200);
    await waitForSent(4_000);
    servedAt[1] = canary.served;
    expect((await router.putTable({ routes: [canaryAt(stable, canary, 100)] })).statusCode).toBe(200);
    const stableBefore = stable.served;
    await load;
    servedAt[2] = canary.served;

    expect(failures).toEqual([]);
    expect(stable.served + canary.served).toBe(6_000);
    // Each step moved traffic: ≈ 10 % of the first third, ≈ 50 % of the second, all of the rest but what was in flight.
    expect(servedAt[0]).toBeLessThan(400);
    expect((servedAt[1] ?? 0) - (servedAt[0] ?? 0)).toBeGreaterThan(600);
    expect(stable.served - stableBefore).toBeLessThanOrEqual(32);
  });
});
