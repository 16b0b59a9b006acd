/**
 * The dashboard's catalog routes against a real slipwayd: services with their instances by their worst check and one
 * service's checks; the KV store by prefix, filtered by the caller's catalog ACL rules (the same decision the Consul
 * API takes); CAS-safe edits refused with KV_CAS_CONFLICT when the key moved; values over 512 KiB refused; a reader, a
 * viewer without rules, a viewer-capped token and an anonymous caller each limited as the rules say; edits audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditRecordView,
  CatalogKvEntryView,
  GetCatalogServiceResponse,
  ListCatalogKvResponse,
  ListCatalogServicesResponse,
} from '@slipway/contract';
import { callApi, createUser, errorCode, tokenOf, type ApiAnswer } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

const maxValueBytes = 512 * 1024;

describe('the dashboard catalog API', () => {
  let slipwayd: SlipwaydHarness;
  let admin: string;
  /** write on app/, deny on app/secret/ */
  let alice: string;
  /** read on app/ */
  let carol: string;
  /** a viewer of a project, without catalog rules */
  let dave: string;
  /** alice's token capped at viewer: reads what her rules give, writes nothing */
  let aliceViewer: string;

  const api = (method: string, path: string, token: string | undefined, json?: unknown): Promise<ApiAnswer> =>
    callApi(slipwayd, { method, path, token, ...(json === undefined ? {} : { json }) });
  const list = async (token: string, prefix: string): Promise<ListCatalogKvResponse> => {
    const answer = await api('GET', `/api/v1/catalog/kv?prefix=${encodeURIComponent(prefix)}`, token);
    expect(answer.status).toBe(200);
    return answer.body as ListCatalogKvResponse;
  };
  const entry = (token: string, key: string) =>
    api('GET', `/api/v1/catalog/kv/value?key=${encodeURIComponent(key)}`, token);
  const put = (token: string, key: string, value: string, cas: number, encoding?: 'utf8' | 'base64') =>
    api('PUT', '/api/v1/catalog/kv/value', token, { key, value, cas, ...(encoding === undefined ? {} : { encoding }) });
  const remove = (token: string, key: string, cas: number) =>
    api('DELETE', `/api/v1/catalog/kv/value?key=${encodeURIComponent(key)}&cas=${cas}`, token);
  /** A write through the Consul HTTP API, as another client of the catalog would make it. */
  const consulPut = async (path: string, body: string): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${slipwayd.catalogPort}${path}`, {
      method: 'PUT',
      headers: { 'x-consul-token': admin },
      body,
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    admin = (await slipwayd.adminToken()) ?? '';
    await createUser(slipwayd, 'alice');
    await createUser(slipwayd, 'carol');
    await slipwayd.api.projects.create({ name: 'acme' });
    await createUser(slipwayd, 'dave', [{ role: 'viewer', project: 'acme' }]);
    alice = await tokenOf(slipwayd, 'alice');
    carol = await tokenOf(slipwayd, 'carol');
    dave = await tokenOf(slipwayd, 'dave');
    aliceViewer = await tokenOf(slipwayd, 'alice', { name: 'alice-viewer', role: 'viewer' });
    const grant = async (user: string, prefix: string, policy: 'read' | 'write' | 'deny') => {
      const answer = await api('PUT', '/api/v1/catalog/acl/rules', admin, { user, resource: 'key', prefix, policy });
      expect(answer.status).toBe(200);
    };
    await grant('alice', 'app/', 'write');
    await grant('alice', 'app/secret/', 'deny');
    await grant('carol', 'app/', 'read');
    await consulPut('/v1/kv/app/conf', 'color=blue');
    await consulPut('/v1/kv/app/db/url', 'postgres://db');
    await consulPut('/v1/kv/app/secret/key', 'hunter2');
    await consulPut('/v1/kv/other/x', 'x');
    await consulPut(
      '/v1/agent/service/register',
      JSON.stringify({ Name: 'billing', ID: 'billing-1', Port: 9000, Tags: ['v1'], Check: { TTL: '10m' } }),
    );
    await consulPut(
      '/v1/agent/service/register',
      JSON.stringify({ Name: 'billing', ID: 'billing-2', Port: 9001, Tags: ['v2'], Check: { TTL: '10m' } }),
    );
    await consulPut('/v1/agent/check/pass/service:billing-1?note=all%20good', '');
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('lists services with their instances by worst check, and a service with its checks and their output', async () => {
    const services = (await api('GET', '/api/v1/catalog/services', admin)).body as ListCatalogServicesResponse;
    expect(services.services.find((s) => s.name === 'billing')).toEqual({
      name: 'billing',
      tags: ['v1', 'v2'],
      instances: 2,
      passing: 1,
      warning: 0,
      critical: 1,
    });
    const billing = await api('GET', '/api/v1/catalog/services/billing', admin);
    expect(billing.status).toBe(200);
    const { instances } = billing.body as GetCatalogServiceResponse;
    expect(instances.map((i) => [i.id, i.port, i.status])).toEqual([
      ['billing-1', 9000, 'passing'],
      ['billing-2', 9001, 'critical'],
    ]);
    const check = instances[0]?.checks.find((c) => c.checkId === 'service:billing-1');
    expect(check).toMatchObject({ status: 'passing', output: 'all good', type: 'ttl' });
    const missing = await api('GET', '/api/v1/catalog/services/nowhere', admin);
    expect([missing.status, errorCode(missing)]).toEqual([404, 'CATALOG_SERVICE_NOT_FOUND']);
  });

  it('browses KV by prefix like folders, showing only what the rules let the caller read', async () => {
    const top = await list(admin, '');
    expect(top.folders).toEqual(['app/', 'other/']);
    expect(top.canWrite).toBe(true);
    expect((await list(alice, '')).folders).toEqual(['app/']);
    const app = await list(alice, 'app/');
    expect(app.folders).toEqual(['app/db/']);
    expect(app.keys.map((k) => [k.key, k.sizeBytes, k.canWrite])).toEqual([['app/conf', 10, true]]);
    expect(app.canWrite).toBe(true);
    const denied = await entry(alice, 'app/secret/key');
    expect([denied.status, errorCode(denied)]).toEqual([403, 'CATALOG_PERMISSION_DENIED']);
    const outside = await entry(alice, 'other/x');
    expect([outside.status, errorCode(outside)]).toEqual([403, 'CATALOG_PERMISSION_DENIED']);
  });

  it('pages a prefix with many keys, bounded by the limit', async () => {
    for (let n = 0; n < 5; n += 1) await consulPut(`/v1/kv/paged/k${n}`, String(n));
    const first = (await api('GET', '/api/v1/catalog/kv?prefix=paged/&limit=2', admin)).body as ListCatalogKvResponse;
    expect(first.keys.map((k) => k.key)).toEqual(['paged/k0', 'paged/k1']);
    expect(first.nextAfter).toBe('paged/k1');
    const rest = (await api('GET', '/api/v1/catalog/kv?prefix=paged/&limit=10&after=paged/k1', admin))
      .body as ListCatalogKvResponse;
    expect(rest.keys.map((k) => k.key)).toEqual(['paged/k2', 'paged/k3', 'paged/k4']);
    expect(rest.nextAfter).toBeUndefined();
    const tooMany = await api('GET', '/api/v1/catalog/kv?limit=100000', admin);
    expect([tooMany.status, errorCode(tooMany)]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('lets a reader read under its prefix but not write or delete there', async () => {
    const app = await list(carol, 'app/');
    expect(app.keys.map((k) => [k.key, k.canWrite])).toEqual([['app/conf', false]]);
    expect(app.canWrite).toBe(false);
    const read = await entry(carol, 'app/conf');
    expect(read.status).toBe(200);
    const { modifyIndex } = read.body as CatalogKvEntryView;
    for (const refused of [
      await put(carol, 'app/conf', 'x', modifyIndex),
      await remove(carol, 'app/conf', modifyIndex),
    ]) {
      expect([refused.status, errorCode(refused)]).toEqual([403, 'CATALOG_PERMISSION_DENIED']);
    }
  });

  it('refuses a stale edit with KV_CAS_CONFLICT naming the index now, and takes one made on it', async () => {
    const before = (await entry(alice, 'app/conf')).body as CatalogKvEntryView;
    expect(before).toMatchObject({ value: 'color=blue', encoding: 'utf8', canWrite: true });
    await consulPut('/v1/kv/app/conf', 'color=green');
    const stale = await put(alice, 'app/conf', 'color=red', before.modifyIndex);
    expect([stale.status, errorCode(stale)]).toEqual([409, 'KV_CAS_CONFLICT']);
    const now = (await entry(alice, 'app/conf')).body as CatalogKvEntryView;
    expect(now.value).toBe('color=green');
    expect((stale.body as { error: { details: { modifyIndex: number } } }).error.details.modifyIndex).toBe(
      now.modifyIndex,
    );
    const saved = await put(alice, 'app/conf', 'color=red', now.modifyIndex);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ key: 'app/conf', value: 'color=red' });
    const created = await put(alice, 'app/new', 'fresh', 0);
    expect(created.status).toBe(200);
    const again = await put(alice, 'app/new', 'twice', 0);
    expect([again.status, errorCode(again)]).toEqual([409, 'KV_CAS_CONFLICT']);
  });

  it('deletes with CAS: a stale index deletes nothing, the current one deletes the key', async () => {
    const { modifyIndex } = (await entry(alice, 'app/new')).body as CatalogKvEntryView;
    await consulPut('/v1/kv/app/new', 'moved');
    const stale = await remove(alice, 'app/new', modifyIndex);
    expect([stale.status, errorCode(stale)]).toEqual([409, 'KV_CAS_CONFLICT']);
    const current = (await entry(alice, 'app/new')).body as CatalogKvEntryView;
    expect((await remove(alice, 'app/new', current.modifyIndex)).status).toBe(204);
    const gone = await entry(alice, 'app/new');
    expect([gone.status, errorCode(gone)]).toEqual([404, 'KV_KEY_NOT_FOUND']);
  });

  it('takes a value of 512 KiB, refuses one byte more, and shows a binary value as base64', async () => {
    const exact = await put(admin, 'big/exact', 'a'.repeat(maxValueBytes), 0);
    expect(exact.status).toBe(200);
    const over = await put(admin, 'big/over', 'a'.repeat(maxValueBytes + 1), 0);
    expect([over.status, errorCode(over)]).toEqual([413, 'KV_VALUE_TOO_LARGE']);
    const overBase64 = await put(admin, 'big/over', Buffer.alloc(maxValueBytes + 1).toString('base64'), 0, 'base64');
    expect([overBase64.status, errorCode(overBase64)]).toEqual([413, 'KV_VALUE_TOO_LARGE']);
    const binary = Buffer.from([0xff, 0x00, 0xfe]).toString('base64');
    expect((await put(admin, 'big/binary', binary, 0, 'base64')).status).toBe(200);
    expect((await entry(admin, 'big/binary')).body).toMatchObject({ value: binary, encoding: 'base64', sizeBytes: 3 });
    const notBase64 = await put(admin, 'big/bad', 'not base64!', 0, 'base64');
    expect([notBase64.status, errorCode(notBase64)]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('limits a viewer without rules, a viewer-capped token and an anonymous caller', async () => {
    const services = (await api('GET', '/api/v1/catalog/services', dave)).body as ListCatalogServicesResponse;
    // The anonymous reads (`--catalog-anonymous-read health`) cover services, not keys.
    expect(services.services.map((s) => s.name)).toContain('billing');
    const top = await list(dave, '');
    expect([top.folders, top.keys, top.canWrite]).toEqual([[], [], false]);
    const daveWrite = await put(dave, 'app/dave', 'x', 0);
    expect([daveWrite.status, errorCode(daveWrite)]).toEqual([403, 'CATALOG_PERMISSION_DENIED']);
    const capped = await list(aliceViewer, 'app/');
    expect(capped.keys.map((k) => [k.key, k.canWrite])).toEqual([['app/conf', false]]);
    const cappedWrite = await put(aliceViewer, 'app/capped', 'x', 0);
    expect([cappedWrite.status, errorCode(cappedWrite)]).toEqual([403, 'CATALOG_PERMISSION_DENIED']);
    for (const path of ['/api/v1/catalog/services', '/api/v1/catalog/kv', '/api/v1/catalog/kv/value?key=app/conf']) {
      const anonymous = await api('GET', path, undefined);
      expect([anonymous.status, errorCode(anonymous)]).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  it('audits each edit with its key, refusals included, and never its value', async () => {
    const page = await slipwayd.api.audit.list({ action: 'catalog.kv.*', limit: 1000 });
    const edits = page.records.filter((r: AuditRecordView) => r.kind === 'request');
    expect(
      edits.some((r) => r.action === 'catalog.kv.put' && r.target?.id === 'app/conf' && r.outcome === 'success'),
    ).toBe(true);
    expect(edits.some((r) => r.action === 'catalog.kv.delete' && r.target?.id === 'app/new')).toBe(true);
    expect(edits.some((r) => r.errorCode === 'KV_CAS_CONFLICT')).toBe(true);
    expect(edits.some((r) => r.errorCode === 'CATALOG_PERMISSION_DENIED')).toBe(true);
    expect(JSON.stringify(edits)).not.toContain('color=red');
  });
});
