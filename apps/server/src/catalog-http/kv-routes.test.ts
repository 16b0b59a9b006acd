import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { createMemoryCatalogStore } from '@slipway/testkit';
import { startCatalogTestServer, type CatalogTestServer } from './catalog-http-test-server.js';

let server: CatalogTestServer;
beforeAll(async () => {
  server = await startCatalogTestServer(createMemoryCatalogStore());
});
afterAll(async () => {
  await server.close();
});

const put = (path: string, body: string | Buffer | undefined, token = 'admin') =>
  server.request(path, { method: 'PUT', ...(body === undefined ? {} : { body }), token });
const indexOf = (response: Response): number => Number(response.headers.get('x-consul-index'));

describe('the catalog HTTP API: wire conventions', () => {
  it('answers GET / with Consul Agent, unknown paths with an empty 404 and wrong methods with 405 and Allow', async () => {
    const root = await server.request('/');
    expect(await root.text()).toBe('Consul Agent');
    const unknown = await server.request('/v1/nothing/here');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('');
    const wrong = await server.request('/v1/status/leader', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('OPTIONS,GET');
    expect(await wrong.text()).toBe('method DELETE not allowed');
  });

  it('refuses a bad index, a bad wait, stale with consistent and another datacenter in plain text', async () => {
    const cases: [string, number, string][] = [
      ['/v1/kv/a?index=9007199254740992', 400, 'Invalid index'],
      ['/v1/kv/a?index=-1', 400, 'Invalid index'],
      ['/v1/kv/a?index=abc', 400, 'Invalid index'],
      ['/v1/kv/a?wait=10', 400, 'Invalid wait time'],
      ['/v1/kv/a?stale&consistent', 400, 'Cannot specify ?stale with ?consistent, conflicting semantics.'],
      ['/v1/kv/a?dc=dc2', 500, 'No path to datacenter'],
    ];
    for (const [path, status, text] of cases) {
      const response = await server.request(path);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/plain/);
      expect(await response.text(), path).toBe(text);
    }
    expect((await server.request('/v1/kv/a?dc=dc1')).status).toBe(404);
  });

  it('indents JSON with ?pretty', async () => {
    const response = await server.request('/v1/catalog/datacenters?pretty');
    expect(await response.text()).toBe('[\n    "dc1"\n]');
  });
});

describe('the catalog HTTP API: KV', () => {
  it('stores raw bytes under a percent-encoded key and answers exact DirEntry keys', async () => {
    const stored = await put('/v1/kv/app%2Fconfig%2Fdb', 'postgres://x', 'admin');
    expect(await stored.json()).toBe(true);
    const response = await server.request('/v1/kv/app/config/db');
    expect(response.headers.get('content-type')).toBe('application/json');
    const [entry] = (await response.json()) as Record<string, unknown>[];
    expect(Object.keys(entry ?? {}).sort()).toEqual([
      'CreateIndex',
      'Flags',
      'Key',
      'LockIndex',
      'ModifyIndex',
      'Value',
    ]);
    expect(entry?.['Key']).toBe('app/config/db');
    expect(Buffer.from(String(entry?.['Value']), 'base64').toString()).toBe('postgres://x');
    expect(indexOf(response)).toBe(entry?.['ModifyIndex']);
    const raw = await server.request('/v1/kv/app%2Fconfig%2Fdb?raw');
    expect(raw.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(raw.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await raw.text()).toBe('postgres://x');
  });

  it('stores the body as sent whatever its Content-Type, or without one', async () => {
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      await server.request('/v1/kv/typed', { method: 'PUT', body: '{"a":1}&b=2', headers: { 'content-type': type } });
      expect(await (await server.request('/v1/kv/typed?raw')).text(), type).toBe('{"a":1}&b=2');
    }
    const status = await new Promise<number>((resolve, reject) => {
      const sent = httpRequest(`${server.url}/v1/kv/untyped`, {
        method: 'PUT',
        headers: { 'x-consul-token': 'admin', 'content-length': '3' },
      });
      sent.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      sent.on('error', reject);
      sent.end('raw');
    });
    expect(status).toBe(200);
    expect(await (await server.request('/v1/kv/untyped?raw')).text()).toBe('raw');
  });

  it('answers a null Value for an empty body and keeps flags', async () => {
    await put('/v1/kv/empty?flags=42', undefined);
    const [entry] = (await (await server.request('/v1/kv/empty')).json()) as Record<string, unknown>[];
    expect(entry?.['Value']).toBeNull();
    expect(entry?.['Flags']).toBe(42);
  });

  it('answers 404 with the query-meta headers for a missing key', async () => {
    const response = await server.request('/v1/kv/missing/key');
    expect(response.status).toBe(404);
    expect(indexOf(response)).toBeGreaterThan(0);
    expect(response.headers.get('x-consul-knownleader')).toBe('true');
    expect(response.headers.get('x-consul-lastcontact')).toBe('0');
  });

  it('lists keys with a separator, recurses, and deletes a prefix', async () => {
    for (const key of ['tree/a/1', 'tree/a/2', 'tree/b', 'tree/c/d/e']) await put(`/v1/kv/${key}`, 'v');
    const keys = await server.request('/v1/kv/tree/?keys&separator=/');
    expect(await keys.json()).toEqual(['tree/a/', 'tree/b', 'tree/c/']);
    const recursed = (await (await server.request('/v1/kv/tree?recurse=false')).json()) as { Key: string }[];
    expect(recursed.map((entry) => entry.Key)).toEqual(['tree/a/1', 'tree/a/2', 'tree/b', 'tree/c/d/e']);
    expect(await (await server.request('/v1/kv/tree?recurse', { method: 'DELETE' })).json()).toBe(true);
    expect((await server.request('/v1/kv/tree?recurse')).status).toBe(404);
    expect((await server.request('/v1/kv/tree?keys')).status).toBe(404);
    expect((await server.request('/v1/kv/?keys')).status).toBe(200);
  });

  it('applies CAS on put and delete', async () => {
    expect(await (await put('/v1/kv/cas-key?cas=0', 'one')).json()).toBe(true);
    expect(await (await put('/v1/kv/cas-key?cas=0', 'two')).json()).toBe(false);
    const [entry] = (await (await server.request('/v1/kv/cas-key')).json()) as { ModifyIndex: number }[];
    const modifyIndex = entry?.ModifyIndex ?? 0;
    expect(await (await put(`/v1/kv/cas-key?cas=${modifyIndex + 1000}`, 'x')).json()).toBe(false);
    expect(await (await put(`/v1/kv/cas-key?cas=${modifyIndex}`, 'three')).json()).toBe(true);
    const deleted = await server.request('/v1/kv/cas-key?cas=1', { method: 'DELETE' });
    expect(await deleted.json()).toBe(false);
    expect(await server.request('/v1/kv/cas-key?raw').then((r) => r.text())).toBe('three');
  });

  it('refuses conflicting flags, missing and escaping keys, and writes nothing', async () => {
    const conflicting = await put('/v1/kv/conflict?cas=0&acquire=abc', 'x');
    expect(conflicting.status).toBe(400);
    expect(await conflicting.text()).toBe('Conflicting flags: acquire=abc&cas=0');
    const recurseCas = await server.request('/v1/kv/conflict?recurse&cas=1', { method: 'DELETE' });
    expect(recurseCas.status).toBe(400);
    expect((await put('/v1/kv/', 'x')).status).toBe(400);
    expect(await (await server.request('/v1/kv/')).text()).toBe('Missing key name');
    expect((await put('/v1/kv/a%2F..%2Fb', 'x')).status).toBe(400);
    expect((await server.request('/v1/kv/conflict')).status).toBe(404);
  });

  it('takes values up to 512 KiB and answers 413 beyond, writing nothing', async () => {
    expect((await put('/v1/kv/big', Buffer.alloc(512 * 1024, 1))).status).toBe(200);
    const refused = await put('/v1/kv/too-big', Buffer.alloc(512 * 1024 + 1, 1));
    expect(refused.status).toBe(413);
    expect(await refused.text()).toMatch(/too large/);
    expect((await server.request('/v1/kv/too-big')).status).toBe(404);
  });

  it('refuses writes without a token granted them (403) and unknown tokens (ACL not found)', async () => {
    const anonymous = await put('/v1/kv/denied', 'x', '');
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toBe('Permission denied');
    const reader = await put('/v1/kv/denied', 'x', 'reader');
    expect(reader.status).toBe(403);
    const unknown = await put('/v1/kv/denied', 'x', 'nope');
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toBe('ACL not found');
    expect((await server.request('/v1/kv/denied')).status).toBe(404);
  });

  it('blocks a read until a write raises its index, and a delete raises it too', async () => {
    await put('/v1/kv/watched', 'one');
    const first = await server.request('/v1/kv/watched');
    const index = indexOf(first);
    const waiting = server.request(`/v1/kv/watched?index=${index}&wait=5m`);
    await put('/v1/kv/other-key', 'x');
    await put('/v1/kv/watched', 'two');
    const woken = await waiting;
    expect(indexOf(woken)).toBeGreaterThan(index);
    expect(Buffer.from(((await woken.json()) as { Value: string }[])[0]?.Value ?? '', 'base64').toString()).toBe('two');
    const second = indexOf(woken);
    const deleting = server.request(`/v1/kv/watched?index=${second}`);
    await server.request('/v1/kv/watched', { method: 'DELETE' });
    const gone = await deleting;
    expect(gone.status).toBe(404);
    expect(indexOf(gone)).toBeGreaterThan(second);
  });

  it('answers a blocking read at once when the asked index is ahead, and at the end of its wait otherwise', async () => {
    await put('/v1/kv/quiet', 'q');
    const ahead = await server.request(`/v1/kv/quiet?index=${server.catalog.index() + 1000}`);
    expect(indexOf(ahead)).toBeLessThanOrEqual(server.catalog.index());
    const current = indexOf(await server.request('/v1/kv/quiet'));
    const timedOut = await server.request(`/v1/kv/quiet?index=${current}&wait=20ms`);
    expect(timedOut.status).toBe(200);
    expect(indexOf(timedOut)).toBe(current);
  });

  it('stops waiting when the client goes away', async () => {
    await put('/v1/kv/abandoned', 'x');
    const index = indexOf(await server.request('/v1/kv/abandoned'));
    const client = new AbortController();
    const waiting = server.request(`/v1/kv/abandoned?index=${index}`, { signal: client.signal }).catch(() => 'aborted');
    await waitFor(() => expect(server.catalog.waiterCount()).toBe(1));
    client.abort();
    expect(await waiting).toBe('aborted');
    await waitFor(() => expect(server.catalog.waiterCount()).toBe(0));
  });
});
