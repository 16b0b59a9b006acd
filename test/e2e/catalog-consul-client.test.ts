/**
 * The catalog as the npm `consul` client (node-consul 2.x, the client Node apps use) sees it, against a real slipwayd
 * over HTTP: a service registered with a TTL check and its health as the check is updated, a key put and watched
 * through every change (its deletion included), CAS, a transaction applied whole or not at all, a lock taken with one
 * session and handed to another, with the lock-delay after an invalidation. The client authenticates with Slipway's
 * admin token, which it sends as Consul's token.
 */
import Consul from 'consul';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { SlipwaydHarness } from './slipwayd-harness.js';

interface HealthEntry {
  Node: { Node: string };
  Service: { ID: string; Service: string; Tags: string[]; Port: number; Address: string; Meta: Record<string, string> };
  Checks: { CheckID: string; Status: string; Output: string; ServiceID: string }[];
}

interface KvItem {
  Key: string;
  Value: string | null;
  Flags: number;
  LockIndex: number;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The status code and body of a refused request, as node-consul reports it (its error carries the response). */
async function refusal(request: Promise<unknown>): Promise<{ statusCode: number; body: unknown }> {
  try {
    await request;
  } catch (error) {
    const { statusCode, response } = error as { statusCode?: number; response?: { body?: unknown } };
    return { statusCode: statusCode ?? 0, body: response?.body };
  }
  throw new Error('the request was not refused');
}

/**
 * A KV write answered `false`, as node-consul 2.0.1 resolves it: its HTTP layer treats a falsy decoded body as no
 * value, so `false` arrives as undefined (against Consul too); `true` arrives as true.
 */
const refusedWrite = undefined;

describe('the catalog through the npm consul client', () => {
  let slipwayd: SlipwaydHarness;
  let consul: Consul;
  let nodeName = '';

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    const token = await slipwayd.adminToken();
    if (token === undefined) throw new Error('slipwayd wrote no admin token');
    consul = new Consul({ host: '127.0.0.1', port: slipwayd.catalogPort, defaults: { token } });
    const self = (await consul.agent.self()) as { Config: { NodeName: string; Datacenter: string } };
    nodeName = self.Config.NodeName;
    expect(self.Config.Datacenter).toBe('dc1');
  });

  afterAll(async () => {
    consul?.destroy();
    await slipwayd?.destroy();
  });

  it('answers the status of a single-server cluster', async () => {
    const leader = await consul.status.leader();
    expect(leader).toMatch(/^127\.0\.0\.1:8300$/);
    expect(await consul.status.peers()).toEqual([leader]);
    expect(await consul.catalog.datacenters()).toEqual(['dc1']);
  });

  it('registers a service whose health follows its TTL check, then deregisters it', async () => {
    await consul.agent.service.register({
      name: 'billing',
      id: 'billing-1',
      tags: ['v1', 'primary'],
      address: '127.0.0.1',
      port: 9100,
      meta: { team: 'payments' },
      check: { name: 'billing alive', ttl: '30s', timeout: '1s' },
    });
    const services = (await consul.agent.service.list()) as Record<string, { Service: string; Tags: string[] }>;
    expect(services['billing-1']).toMatchObject({ Service: 'billing', Tags: ['v1', 'primary'] });
    // Consul lists the union of a service's tags in no particular order.
    const listed = (await consul.catalog.service.list()) as Record<string, string[]>;
    expect(listed.consul).toEqual([]);
    expect(listed.billing?.slice().sort()).toEqual(['primary', 'v1']);

    // A new check is critical until its TTL is first updated: no passing instance yet.
    expect(await consul.health.service({ service: 'billing', passing: true })).toEqual([]);
    await consul.agent.check.pass({ id: 'service:billing-1', note: 'ready' });
    const passing = (await consul.health.service({ service: 'billing', passing: true })) as HealthEntry[];
    expect(passing).toHaveLength(1);
    expect(passing[0]?.Node.Node).toBe(nodeName);
    expect(passing[0]?.Service).toMatchObject({ ID: 'billing-1', Port: 9100, Meta: { team: 'payments' } });
    expect(passing[0]?.Checks.map((c) => [c.CheckID, c.Status])).toEqual([
      ['serfHealth', 'passing'],
      ['service:billing-1', 'passing'],
    ]);
    expect(passing[0]?.Checks[1]?.Output).toBe('ready');

    await consul.agent.check.warn({ id: 'service:billing-1', note: 'slow' });
    // `passing` leaves out warning instances too; without it they are listed.
    expect(await consul.health.service({ service: 'billing', passing: true })).toEqual([]);
    expect(await consul.health.service('billing')).toHaveLength(1);
    const checks = (await consul.health.checks('billing')) as { CheckID: string; Status: string }[];
    expect(checks.map((c) => [c.CheckID, c.Status])).toEqual([['service:billing-1', 'warning']]);
    const nodeChecks = (await consul.health.node(nodeName)) as { CheckID: string }[];
    expect(nodeChecks[0]?.CheckID).toBe('serfHealth');
    const warning = (await consul.health.state('warning')) as { CheckID: string }[];
    expect(warning.map((c) => c.CheckID)).toEqual(['service:billing-1']);

    const nodes = (await consul.catalog.service.nodes('billing')) as { ServiceID: string; ServicePort: number }[];
    expect(nodes.map((n) => [n.ServiceID, n.ServicePort])).toEqual([['billing-1', 9100]]);
    await consul.agent.service.deregister('billing-1');
    expect(await consul.catalog.service.nodes('billing')).toEqual([]);
    expect(await consul.catalog.service.list()).not.toHaveProperty('billing');
  });

  it('refuses a TTL update of an unknown check with Consul’s text', async () => {
    const refused = await refusal(consul.agent.check.pass('no-such-check'));
    expect(refused).toEqual({
      statusCode: 404,
      body: 'Unknown check ID "no-such-check". Ensure that the check ID is passed, not the check name.',
    });
  });

  it('puts a key and a watch sees every change, its deletion included', async () => {
    const seen: (string | null | undefined)[] = [];
    const errors: Error[] = [];
    // node-consul's watch calls the method with its own `{ consul }` as `this`, as its documentation shows.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the watch binds it itself
    const watch = consul.watch({ method: consul.kv.get, options: { key: 'watched/config', wait: '10s' } });
    watch.on('change', (data: KvItem | undefined) => seen.push(data?.Value));
    watch.on('error', (error: Error) => errors.push(error));
    try {
      const expectSeen = (count: number) =>
        waitFor(
          () => {
            expect(errors).toEqual([]);
            expect(seen).toHaveLength(count);
          },
          { timeoutMs: 15_000, intervalMs: 20 },
        );
      await expectSeen(1);
      for (const [n, value] of ['1', '2', '3'].entries()) {
        expect(await consul.kv.set('watched/config', value)).toBe(true);
        await expectSeen(n + 2);
      }
      expect(await consul.kv.del('watched/config')).toBe(true);
      await expectSeen(5);
      expect(seen).toEqual([undefined, '1', '2', '3', undefined]);
    } finally {
      watch.end();
    }
  });

  it('writes with CAS and flags, and lists keys by prefix', async () => {
    expect(await consul.kv.set({ key: 'app/db/url', value: 'postgres://db', flags: 42, cas: 0 })).toBe(true);
    // cas=0: only if absent.
    expect(await consul.kv.set({ key: 'app/db/url', value: 'other', cas: 0 })).toBe(refusedWrite);
    const item = (await consul.kv.get('app/db/url')) as KvItem;
    expect(item).toMatchObject({ Key: 'app/db/url', Value: 'postgres://db', Flags: 42, LockIndex: 0 });
    expect(await consul.kv.set({ key: 'app/db/url', value: 'stale', cas: item.ModifyIndex - 1 })).toBe(refusedWrite);
    expect(await consul.kv.set({ key: 'app/db/url', value: 'postgres://db2', cas: item.ModifyIndex })).toBe(true);
    expect(await consul.kv.set('app/cache/url', 'redis://cache')).toBe(true);
    expect(await consul.kv.keys({ key: 'app/', separator: '/' })).toEqual(['app/cache/', 'app/db/']);
    const tree = (await consul.kv.get({ key: 'app/', recurse: true })) as KvItem[];
    expect(tree.map((e) => [e.Key, e.Value])).toEqual([
      ['app/cache/url', 'redis://cache'],
      ['app/db/url', 'postgres://db2'],
    ]);
    expect(await consul.kv.del({ key: 'app/', recurse: true })).toBe(true);
    expect(await consul.kv.get({ key: 'app/', recurse: true })).toBeUndefined();
  });

  it('applies a transaction whole, and a failing one not at all', async () => {
    const applied = await consul.transaction.create([
      { KV: { Verb: 'set', Key: 'txn/a', Value: b64('A') } },
      { KV: { Verb: 'set', Key: 'txn/b', Value: b64('B'), Flags: 7 } },
      { KV: { Verb: 'get', Key: 'txn/a' } },
    ] as never);
    const results = (applied as { Results: { KV: KvItem }[] }).Results;
    expect(results.map((r) => r.KV.Key)).toEqual(['txn/a', 'txn/b', 'txn/a']);
    expect(results[2]?.KV.Value).toBe(b64('A'));

    const a = (await consul.kv.get('txn/a')) as KvItem;
    const refused = await refusal(
      consul.transaction.create([
        { KV: { Verb: 'set', Key: 'txn/c', Value: b64('C') } },
        { KV: { Verb: 'check-index', Key: 'txn/a', Index: a.ModifyIndex + 1000 } },
      ] as never),
    );
    expect(refused.statusCode).toBe(409);
    expect(await consul.kv.get('txn/c')).toBeUndefined();
    expect(await consul.kv.get('txn/b')).toMatchObject({ Value: 'B', Flags: 7 });
  });

  it('takes a lock with a session, hands it to another, and keeps it free during the lock-delay', async () => {
    const first = await consul.session.create({ name: 'leader-a', ttl: '60s', behavior: 'release' });
    const second = await consul.session.create({ name: 'leader-b', ttl: '60s', lockdelay: '1m' });
    expect(await consul.kv.set({ key: 'locks/leader', value: 'a', acquire: first.ID })).toBe(true);
    expect(await consul.kv.set({ key: 'locks/leader', value: 'b', acquire: second.ID })).toBe(refusedWrite);
    expect(await consul.kv.get('locks/leader')).toMatchObject({ Value: 'a', Session: first.ID, LockIndex: 1 });

    // A release by its holder frees the key at once (no lock-delay), and the other session takes it.
    expect(await consul.kv.set({ key: 'locks/leader', value: 'a', release: first.ID })).toBe(true);
    expect(await consul.kv.set({ key: 'locks/leader', value: 'b', acquire: second.ID })).toBe(true);
    expect(await consul.kv.get('locks/leader')).toMatchObject({ Value: 'b', Session: second.ID, LockIndex: 2 });

    const info = await consul.session.info(second.ID);
    expect(info).toMatchObject({ ID: second.ID, Name: 'leader-b', Node: nodeName, Behavior: 'release' });
    const sessions = await consul.session.list();
    expect(sessions.map((s) => s.ID).sort()).toEqual([first.ID, second.ID].sort());
    expect((await consul.session.node(nodeName)).length).toBe(2);
    expect((await consul.session.renew(second.ID))[0]).toMatchObject({ ID: second.ID });

    // Destroying the holder invalidates it: the key is released (behavior release) and the lock-delay (1m) begins.
    await consul.session.destroy(second.ID);
    const released = (await consul.kv.get('locks/leader')) as KvItem;
    expect(released.Session).toBeUndefined();
    expect(released.Value).toBe('b');
    expect(await consul.kv.set({ key: 'locks/leader', value: 'a', acquire: first.ID })).toBe(refusedWrite);
    expect(await consul.session.info(second.ID)).toBeUndefined();
    await consul.session.destroy(first.ID);
    expect(await consul.session.list()).toEqual([]);
  });
});
