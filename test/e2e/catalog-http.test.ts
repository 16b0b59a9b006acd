/**
 * The catalog's Consul-compatible HTTP API against a real slipwayd, over its own listener (`--catalog-http`): every
 * endpoint group answered as Consul answers it, blocking queries woken by a KV write and by a deployment, Slipway's
 * own services protected from non-admins, its addresses in the system info, and KV kept across a restart with
 * indexes that never go back. Narrated in order: later steps read what earlier ones wrote.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { createUser, loginAs } from './identity-fixtures.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('the catalog HTTP API of a real slipwayd', () => {
  let slipwayd: SlipwaydHarness;
  let admin = '';

  const call = (path: string, init: RequestInit & { token?: string } = {}): Promise<Response> => {
    const { token = admin, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== '') headers.set('x-consul-token', token);
    return fetch(`http://127.0.0.1:${slipwayd.catalogPort}${path}`, { ...rest, headers });
  };
  const json = async <T>(path: string, token = admin): Promise<T> => {
    const response = await call(path, { token });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };
  const put = (path: string, body?: string, token = admin): Promise<Response> =>
    call(path, { method: 'PUT', ...(body === undefined ? {} : { body }), token });
  const indexOf = (response: Response): number => Number(response.headers.get('x-consul-index'));

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    admin = (await slipwayd.adminToken()) ?? '';
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it("tells the catalog's addresses in slipwayd's system info", async () => {
    const info = await slipwayd.api.system.info();
    expect(info.catalog).toEqual({
      http: `127.0.0.1:${slipwayd.catalogPort}`,
      dns: `127.0.0.1:${slipwayd.dnsPort}`,
      datacenter: 'dc1',
    });
  });

  it('answers as a Consul agent: root, status, self, members, datacenters and nodes', async () => {
    expect(await (await call('/')).text()).toBe('Consul Agent');
    expect(await json('/v1/status/leader')).toBe('127.0.0.1:8300');
    expect(await json('/v1/status/peers')).toEqual(['127.0.0.1:8300']);
    const self = await json<{ Config: { Datacenter: string; NodeName: string } }>('/v1/agent/self');
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', NodeName: 'e2e' });
    expect(await json<unknown[]>('/v1/agent/members')).toHaveLength(1);
    expect(await json('/v1/catalog/datacenters')).toEqual(['dc1']);
    const [node] = await json<{ Node: string; Address: string }[]>('/v1/catalog/nodes');
    expect(node).toMatchObject({ Node: 'e2e', Address: '127.0.0.1' });
    expect((await call('/v1/nowhere')).status).toBe(404);
    const wrong = await call('/v1/kv/x', { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('OPTIONS,GET,PUT,DELETE');
  });

  it('stores, lists, compares-and-sets and deletes KV entries under percent-encoded keys', async () => {
    expect(await (await put('/v1/kv/config%2Fdb%2Furl', 'postgres://db')).json()).toBe(true);
    expect(await (await put('/v1/kv/config/db/pool?flags=3', '10')).json()).toBe(true);
    expect(await (await call('/v1/kv/config/db/url?raw')).text()).toBe('postgres://db');
    expect(await json('/v1/kv/config/?keys&separator=/')).toEqual(['config/db/']);
    const entries = await json<{ Key: string; Flags: number }[]>('/v1/kv/config?recurse');
    expect(entries.map((entry) => [entry.Key, entry.Flags])).toEqual([
      ['config/db/pool', 3],
      ['config/db/url', 0],
    ]);
    expect(await (await put('/v1/kv/config/db/url?cas=0', 'other')).json()).toBe(false);
    expect(await (await call('/v1/kv/config?recurse', { method: 'DELETE' })).json()).toBe(true);
    const missing = await call('/v1/kv/config/db/url');
    expect(missing.status).toBe(404);
    expect(indexOf(missing)).toBeGreaterThan(0);
    expect((await put('/v1/kv/big', 'x'.repeat(512 * 1024 + 1))).status).toBe(413);
    expect((await call('/v1/kv/a?index=99999999999999999999')).status).toBe(400);
  });

  it('wakes a blocking KV query with the write that changes its key', async () => {
    await put('/v1/kv/watched', 'one');
    const first = await call('/v1/kv/watched');
    const waiting = call(`/v1/kv/watched?index=${indexOf(first)}&wait=2m`);
    await put('/v1/kv/beside', 'x');
    await put('/v1/kv/watched', 'two');
    const woken = await waiting;
    expect(indexOf(woken)).toBeGreaterThan(indexOf(first));
    const [entry] = (await woken.json()) as { Value: string }[];
    expect(Buffer.from(entry?.Value ?? '', 'base64').toString()).toBe('two');
  });

  it('runs a transaction whole or not at all', async () => {
    const value = Buffer.from('v').toString('base64');
    const ok = await put('/v1/txn', JSON.stringify([{ KV: { Verb: 'set', Key: 'txn/a', Value: value } }]));
    expect(ok.status).toBe(200);
    const refused = await put(
      '/v1/txn',
      JSON.stringify([
        { KV: { Verb: 'set', Key: 'txn/b', Value: value } },
        { KV: { Verb: 'check-not-exists', Key: 'txn/a' } },
      ]),
    );
    expect(refused.status).toBe(409);
    expect((await call('/v1/kv/txn/b')).status).toBe(404);
  });

  it('takes a lock with a session and releases it when the session is destroyed', async () => {
    const { ID: id } = (await (await put('/v1/session/create', '{"LockDelay":"0s"}')).json()) as { ID: string };
    expect(await (await put(`/v1/kv/leader?acquire=${id}`, 'me')).json()).toBe(true);
    expect(await json<unknown[]>(`/v1/session/info/${id}`)).toHaveLength(1);
    expect(await (await put(`/v1/session/destroy/${id}`)).json()).toBe(true);
    const [entry] = await json<Record<string, unknown>[]>('/v1/kv/leader');
    expect(entry?.['Session']).toBeUndefined();
  });

  it('registers a service with a TTL check and answers it in agent, catalog and health views', async () => {
    const registered = await put(
      '/v1/agent/service/register',
      JSON.stringify({ Name: 'billing', ID: 'billing-1', Port: 9000, Tags: ['v1'], Check: { TTL: '1m' } }),
    );
    expect(registered.status).toBe(200);
    expect(await json<Record<string, string[]>>('/v1/catalog/services')).toMatchObject({ consul: [], billing: ['v1'] });
    expect(await json<unknown[]>('/v1/health/service/billing?passing')).toEqual([]);
    expect((await put('/v1/agent/check/pass/service:billing-1')).status).toBe(200);
    const healthy = await json<{ Service: { ID: string }; Checks: { CheckID: string }[] }[]>(
      '/v1/health/service/billing?passing',
    );
    expect(healthy.map((entry) => entry.Service.ID)).toEqual(['billing-1']);
    expect(healthy[0]?.Checks.map((check) => check.CheckID)).toEqual(['serfHealth', 'service:billing-1']);
    expect(await json<unknown[]>('/v1/catalog/service/billing')).toHaveLength(1);
    expect(Object.keys(await json('/v1/agent/services'))).toContain('billing-1');
    expect(await json<{ CheckID: string }[]>('/v1/health/checks/billing')).toHaveLength(1);
    expect((await json<{ CheckID: string }[]>('/v1/health/node/e2e'))[0]?.CheckID).toBe('serfHealth');
    expect(await json<unknown[]>('/v1/health/state/passing')).not.toHaveLength(0);
    expect(Object.keys(await json<{ Services: object }>('/v1/catalog/node/e2e').then((n) => n.Services))).toContain(
      'billing-1',
    );
    expect((await put('/v1/agent/service/deregister/billing-1')).status).toBe(200);
  });

  it("lists a deployed app's instance once healthy, waking a blocking health query", async () => {
    const before = await call('/v1/health/service/hello');
    expect(await before.json()).toEqual([]);
    const waiting = call(`/v1/health/service/hello?index=${indexOf(before)}&wait=2m`);
    expect((await slipwayd.cli(['apps', 'create', 'hello'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'hello', '--path', join(fixturesDir, 'hello-node')]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const woken = await waiting;
    expect(indexOf(woken)).toBeGreaterThan(indexOf(before));
    const entries = await waitFor(async () => {
      const listed = await json<{ Service: { ID: string; Tags: string[]; Meta: Record<string, string> } }[]>(
        '/v1/health/service/hello?passing',
      );
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(entries[0]?.Service.Tags).toContain('release-1');
    expect(entries[0]?.Service.Meta).toMatchObject({ app: 'hello', process: 'web', release: '1' });
  }, 120_000);

  it("refuses changes to Slipway's own services from anyone but an admin", async () => {
    await createUser(slipwayd, 'carol');
    const { client } = await loginAs(slipwayd, 'carol');
    const created = await client.tokens.create({ name: 'carol-catalog' });
    const granted = await slipwayd.cli(['catalog', 'acl', 'grant', 'write', '--user', 'carol', '--service', 'hello']);
    expect(granted.code, granted.stderr).toBe(0);
    const [entry] = await json<{ Service: { ID: string } }[]>('/v1/health/service/hello');
    const instanceId = entry?.Service.ID ?? '';
    const refused = await put(`/v1/agent/service/deregister/${instanceId}`, undefined, created.secret);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe('Permission denied');
    const own = await put(
      '/v1/agent/service/register',
      JSON.stringify({ Name: 'hello', ID: 'hello-sidecar', Port: 1 }),
      created.secret,
    );
    expect(own.status).toBe(200);
    expect(await json<unknown[]>('/v1/catalog/service/hello')).toHaveLength(2);
  });

  it('serves its metrics and a snapshot to an admin', async () => {
    const metrics = await call('/v1/agent/metrics?format=prometheus');
    const text = await metrics.text();
    expect(text).toMatch(/slipway_catalog_kv_operations_total\{operation="put"\} \d+/);
    expect(text).toMatch(/slipway_catalog_index \d+/);
    const snapshot = await call('/v1/snapshot');
    expect(snapshot.status).toBe(200);
    expect(((await snapshot.json()) as { format: string }).format).toBe('slipway-catalog-snapshot');
    expect((await call('/v1/snapshot', { token: '' })).status).toBe(403);
  });

  it('keeps KV across a restart, and its indexes never go back', async () => {
    await put('/v1/kv/durable', 'kept');
    const indexBefore = indexOf(await call('/v1/kv/durable'));
    await slipwayd.kill('SIGTERM');
    await slipwayd.start();
    const after = await call('/v1/kv/durable?raw');
    expect(await after.text()).toBe('kept');
    expect(indexOf(after)).toBeGreaterThanOrEqual(indexBefore);
    await put('/v1/kv/durable', 'changed');
    expect(indexOf(await call('/v1/kv/durable'))).toBeGreaterThan(indexBefore);
  }, 60_000);

  it('refuses to start when the catalog address is held, naming the flag', async () => {
    await slipwayd.kill('SIGTERM');
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(slipwayd.catalogPort, '127.0.0.1', resolve));
    try {
      await expect(slipwayd.start()).rejects.toThrow(/PORT_UNAVAILABLE.*--catalog-http/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    await slipwayd.start();
    expect((await call('/v1/kv/durable?raw')).status).toBe(200);
  }, 60_000);
});
