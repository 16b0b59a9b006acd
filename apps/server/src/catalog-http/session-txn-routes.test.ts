import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCatalogStore, waitFor } from '@slipway/testkit';
import { startCatalogTestServer, type CatalogTestServer } from './catalog-http-test-server.js';

let server: CatalogTestServer;
beforeAll(async () => {
  server = await startCatalogTestServer(createMemoryCatalogStore());
});
afterAll(async () => {
  await server.close();
});

const put = (path: string, body?: string, token = 'admin') =>
  server.request(path, { method: 'PUT', ...(body === undefined ? {} : { body }), token });
const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('the catalog HTTP API: sessions and locks', () => {
  it('creates a session, takes a lock with it, hands the key back on release, and destroys it', async () => {
    const created = await put('/v1/session/create', JSON.stringify({ Name: 'leader', LockDelay: '0s', TTL: '30s' }));
    expect(created.status).toBe(200);
    const { ID: id } = (await created.json()) as { ID: string };
    const [info] = (await (await server.request(`/v1/session/info/${id}`)).json()) as Record<string, unknown>[];
    expect(info).toMatchObject({
      ID: id,
      Name: 'leader',
      Node: 'node-a',
      Behavior: 'release',
      TTL: '30s',
      LockDelay: 0,
    });
    expect(await (await put(`/v1/kv/lock?acquire=${id}`, 'me')).json()).toBe(true);
    const [entry] = (await (await server.request('/v1/kv/lock')).json()) as Record<string, unknown>[];
    expect(entry).toMatchObject({ Session: id, LockIndex: 1 });
    const other = (await (await put('/v1/session/create', '{}')).json()) as { ID: string };
    expect(await (await put(`/v1/kv/lock?acquire=${other.ID}`, 'them')).json()).toBe(false);
    expect(await (await put(`/v1/kv/lock?release=${id}`)).json()).toBe(true);
    const renewed = await put(`/v1/session/renew/${id}`);
    expect(renewed.status).toBe(200);
    expect(((await (await server.request('/v1/session/list')).json()) as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(await (await put(`/v1/session/destroy/${id}`)).json()).toBe(true);
    const gone = await put(`/v1/session/renew/${id}`);
    expect(gone.status).toBe(404);
    expect(await (await server.request(`/v1/session/info/${id}`)).json()).toEqual([]);
  });

  it('refuses a TTL out of bounds and an unknown behavior', async () => {
    const shortTtl = await put('/v1/session/create', JSON.stringify({ TTL: '1s' }));
    expect(shortTtl.status).toBe(400);
    expect(await shortTtl.text()).toBe("Invalid Session TTL '1s', must be between [10s=24h0m0s]");
    const behavior = await put('/v1/session/create', JSON.stringify({ Behavior: 'explode' }));
    expect(behavior.status).toBe(400);
  });
});

describe('the catalog HTTP API: transactions', () => {
  it('applies every operation or none, with Consul result and error shapes', async () => {
    const ok = await put(
      '/v1/txn',
      JSON.stringify([
        { KV: { Verb: 'set', Key: 'txn/a', Value: b64('1') } },
        { KV: { Verb: 'set', Key: 'txn/b', Value: b64('2'), Flags: 7 } },
        { KV: { Verb: 'get', Key: 'txn/a' } },
      ]),
    );
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { Results: { KV: Record<string, unknown> }[]; Errors: null };
    expect(body.Errors).toBeNull();
    expect(body.Results).toHaveLength(3);
    expect(body.Results[2]?.KV).toMatchObject({ Key: 'txn/a', Value: b64('1') });
    const failed = await put(
      '/v1/txn',
      JSON.stringify([
        { KV: { Verb: 'set', Key: 'txn/c', Value: b64('3') } },
        { KV: { Verb: 'check-not-exists', Key: 'txn/a' } },
      ]),
    );
    expect(failed.status).toBe(409);
    const errors = (await failed.json()) as { Results: null; Errors: { OpIndex: number; What: string }[] };
    expect(errors.Results).toBeNull();
    expect(errors.Errors[0]?.OpIndex).toBe(1);
    expect((await server.request('/v1/kv/txn/c')).status).toBe(404);
  });

  it('refuses the keys the KV routes refuse (empty, a leading /, a .. segment) with 409, writing nothing', async () => {
    const refused = await put(
      '/v1/txn',
      JSON.stringify([
        { KV: { Verb: 'set', Key: 'txn/fine', Value: b64('1') } },
        { KV: { Verb: 'set', Key: '', Value: b64('2') } },
        { KV: { Verb: 'cas', Key: '/abs', Value: b64('3'), Index: 0 } },
        { KV: { Verb: 'set', Key: 'a/../b', Value: b64('4') } },
        { KV: { Verb: 'get-tree', Key: '' } },
      ]),
    );
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      Results: null,
      Errors: [
        { OpIndex: 1, What: 'Must provide key' },
        { OpIndex: 2, What: 'Invalid key name: "/abs"' },
        { OpIndex: 3, What: 'Invalid key name: "a/../b"' },
      ],
    });
    expect((await server.request('/v1/kv/txn/fine')).status).toBe(404);
    const keys = (await (await server.request('/v1/kv/?keys')).json()) as string[];
    expect(keys.filter((key) => key === '' || key.startsWith('/') || key.includes('..'))).toEqual([]);
  });

  it('refuses more than 64 operations with 413 and an unknown verb with 400', async () => {
    const many = Array.from({ length: 65 }, (_, i) => ({ KV: { Verb: 'set', Key: `many/${i}`, Value: b64('x') } }));
    const tooMany = await put('/v1/txn', JSON.stringify(many));
    expect(tooMany.status).toBe(413);
    expect(await tooMany.text()).toBe('Transaction contains too many operations (65 > 64)');
    const verb = await put('/v1/txn', JSON.stringify([{ KV: { Verb: 'explode', Key: 'x' } }]));
    expect(verb.status).toBe(400);
    expect((await server.request('/v1/kv/many/0')).status).toBe(404);
  });
});

describe('the catalog HTTP API: snapshots', () => {
  it('saves the catalog and restores it, the index never going back', async () => {
    await put('/v1/kv/snap/key', 'before');
    const saved = await server.request('/v1/snapshot');
    expect(saved.status).toBe(200);
    const text = await saved.text();
    await put('/v1/kv/snap/key', 'after');
    const indexBefore = server.catalog.index();
    const restored = await put('/v1/snapshot', text);
    expect(restored.status).toBe(200);
    expect(await (await server.request('/v1/kv/snap/key?raw')).text()).toBe('before');
    expect(server.catalog.index()).toBeGreaterThan(indexBefore);
    // A watcher of the key is answered by the restore with the restored value and its older index (a reset to
    // clients), not left waiting for an index that passes its own.
    await put('/v1/kv/snap/key', 'again');
    const watched = await server.request('/v1/kv/snap/key');
    const watchedIndex = Number(watched.headers.get('x-consul-index'));
    const watching = server.request(`/v1/kv/snap/key?index=${watchedIndex}&wait=10m`);
    await waitFor(() => expect(server.catalog.waiterCount()).toBeGreaterThan(0));
    expect((await put('/v1/snapshot', text)).status).toBe(200);
    const woken = await watching;
    expect(Number(woken.headers.get('x-consul-index'))).toBeLessThan(watchedIndex);
    expect((await woken.json()) as { Value: string }[]).toMatchObject([{ Value: b64('before') }]);
    const invalid = await put('/v1/snapshot', '{"format":"nope"}');
    expect(invalid.status).toBe(422);
    expect((await server.request('/v1/snapshot', { token: 'reader' })).status).toBe(403);
  });
});
