/**
 * Catalog access against a real slipwayd, over the catalog's own HTTP listener: Slipway's tokens in X-Consul-Token,
 * `?token=` and `Authorization: Bearer`; ACL rules granted and revoked with the CLI (audited), enforced per KV
 * prefix and per service with Consul's 403 texts; anonymous reads per `--catalog-anonymous-read`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, createUser, errorCode, loginAs } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

interface CatalogAnswer {
  readonly status: number;
  readonly text: string;
}

describe('catalog access', () => {
  let slipwayd: SlipwaydHarness;
  let alice: { id: string; secret: string };
  let bob: { id: string; secret: string };

  /** One request to the catalog listener; `token` goes in X-Consul-Token unless `via` says otherwise. */
  const catalog = async (
    method: string,
    path: string,
    options: { token?: string; via?: 'header' | 'query' | 'bearer'; body?: string } = {},
  ): Promise<CatalogAnswer> => {
    const headers: Record<string, string> = {};
    let url = `http://127.0.0.1:${slipwayd.catalogPort}${path}`;
    if (options.token !== undefined) {
      if (options.via === 'query') url += `${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(options.token)}`;
      else if (options.via === 'bearer') headers.authorization = `Bearer ${options.token}`;
      else headers['x-consul-token'] = options.token;
    }
    const response = await fetch(url, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    return { status: response.status, text: await response.text() };
  };

  const put = (key: string, token?: string) =>
    catalog('PUT', `/v1/kv/${key}`, { body: 'v', ...(token === undefined ? {} : { token }) });

  /** Runs `slipway catalog acl …` as the admin; fails the test on a non-zero exit. */
  const acl = async (...args: string[]): Promise<string> => {
    const result = await slipwayd.cli(['catalog', 'acl', ...args]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await createUser(slipwayd, 'alice');
    await createUser(slipwayd, 'bob');
    const tokenFor = async (name: string) => {
      const { client } = await loginAs(slipwayd, name);
      const created = await client.tokens.create({ name: `${name}-catalog` });
      return { id: created.token.id, secret: created.secret };
    };
    alice = await tokenFor('alice');
    bob = await tokenFor('bob');
    await acl('grant', 'write', '--user', 'alice', '--key', 'app/');
    await acl('grant', 'deny', '--user', 'alice', '--key', 'app/secret/');
    await acl('grant', 'write', '--token-id', bob.id, '--service', 'web');
    const admin = (await slipwayd.adminToken()) ?? '';
    expect((await put('app/secret/db', admin)).status).toBe(200);
    expect((await put('other/x', admin)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('lists the rules with their subjects', async () => {
    const listed = await acl('list');
    expect(listed).toMatch(/user alice\s+key\s+app\/\s+write/);
    expect(listed).toMatch(/user alice\s+key\s+app\/secret\/\s+deny/);
    expect(listed).toMatch(/token bob \(token bob-catalog\)\s+service\s+web\s+write/);
  });

  it('refuses an unknown token with 403 ACL not found, wherever it is sent', async () => {
    for (const via of ['header', 'query', 'bearer'] as const) {
      expect(await catalog('GET', '/v1/kv/app/x', { token: 'slw_not-a-real-token', via })).toEqual({
        status: 403,
        text: 'ACL not found',
      });
    }
  });

  it('lets a granted user write under its prefix, through any of the three ways to send a token', async () => {
    expect(await put('app/one', alice.secret)).toEqual({ status: 200, text: 'true' });
    for (const via of ['query', 'bearer'] as const) {
      expect((await catalog('PUT', '/v1/kv/app/two', { token: alice.secret, via, body: '2' })).status).toBe(200);
    }
    expect((await catalog('GET', '/v1/kv/app/one?raw', { token: alice.secret })).text).toBe('v');
  });

  it('refuses writes and reads outside the grant, and under a denied prefix, with 403 Permission denied', async () => {
    const denied = { status: 403, text: 'Permission denied' };
    expect(await put('other/y', alice.secret)).toEqual(denied);
    expect(await put('app/secret/y', alice.secret)).toEqual(denied);
    expect(await catalog('GET', '/v1/kv/app/secret/db', { token: alice.secret })).toEqual(denied);
    expect(await catalog('GET', '/v1/kv/other/x', { token: alice.secret })).toEqual(denied);
    expect(await catalog('DELETE', '/v1/kv/app/?recurse', { token: alice.secret })).toEqual(denied);
    expect(await put('app/one', bob.secret)).toEqual(denied);
  });

  it('filters a recursive read to what the token may see', async () => {
    const listed = await catalog('GET', '/v1/kv/?keys', { token: alice.secret });
    expect(listed.status).toBe(200);
    const keys = JSON.parse(listed.text) as string[];
    expect(keys).toContain('app/one');
    expect(keys).not.toContain('app/secret/db');
    expect(keys).not.toContain('other/x');
  });

  it('lets a token granted a service register it, and nothing else', async () => {
    const register = (name: string, token: string) =>
      catalog('PUT', '/v1/agent/service/register', { token, body: JSON.stringify({ Name: name, Port: 8080 }) });
    expect((await register('web', bob.secret)).status).toBe(200);
    expect(await register('billing', bob.secret)).toEqual({ status: 403, text: 'Permission denied' });
    expect(await register('web', alice.secret)).toEqual({ status: 403, text: 'Permission denied' });
  });

  it('answers anonymous health and status reads by default, and refuses anonymous KV and snapshot reads', async () => {
    expect((await catalog('GET', '/v1/health/service/web')).status).toBe(200);
    expect((await catalog('GET', '/v1/status/leader')).status).toBe(200);
    expect((await catalog('GET', '/v1/kv/app/one')).status).toBe(403);
    expect((await put('app/anonymous')).status).toBe(403);
    expect((await catalog('GET', '/v1/snapshot')).status).toBe(403);
    expect((await catalog('GET', '/v1/snapshot', { token: alice.secret })).status).toBe(403);
  });

  it('keeps rule management to admins', async () => {
    const answer = await callApi(slipwayd, { method: 'GET', path: '/api/v1/catalog/acl/rules', token: alice.secret });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('FORBIDDEN');
  });

  it('applies a revoked rule at the next request, and audits grants and revocations', async () => {
    expect((await put('app/three', alice.secret)).status).toBe(200);
    await acl('revoke', '--user', 'alice', '--key', 'app/');
    expect(await put('app/three', alice.secret)).toEqual({ status: 403, text: 'Permission denied' });

    const { records } = await slipwayd.api.audit.list({ action: 'catalog.acl.', limit: 100 });
    const actions = records.map((record) => record.action);
    expect(actions.filter((action) => action === 'catalog.acl.rule.granted')).toHaveLength(3);
    expect(actions.filter((action) => action === 'catalog.acl.rule.revoked')).toHaveLength(1);
    expect(actions.filter((action) => action === 'catalog.acl.grant')).toHaveLength(3);
    expect(JSON.stringify(records)).not.toContain(alice.secret);
  });

  it('answers nothing to anonymous callers with --catalog-anonymous-read none (lists filtered empty, as Consul)', async () => {
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ args: ['--catalog-anonymous-read', 'none'] });
    expect(await catalog('GET', '/v1/health/service/web')).toEqual({ status: 200, text: '[]' });
    expect((await catalog('GET', '/v1/status/leader')).status).toBe(403);
    expect((await catalog('GET', '/v1/kv/app/one', { token: alice.secret })).status).toBe(403);
    const seen = await catalog('GET', '/v1/catalog/service/web', { token: bob.secret });
    expect(seen.status).toBe(200);
    expect((JSON.parse(seen.text) as { ServiceName: string }[]).map((entry) => entry.ServiceName)).toEqual(['web']);
  }, 60_000);
});
