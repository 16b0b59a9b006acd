import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCatalogStore } from '@slipway/testkit';
import { startCatalogTestServer, type CatalogTestServer } from './catalog-http-test-server.js';

let server: CatalogTestServer;
beforeAll(async () => {
  server = await startCatalogTestServer(createMemoryCatalogStore());
});
afterAll(async () => {
  await server.close();
});

const put = (path: string, body?: unknown, token = 'admin') =>
  server.request(path, { method: 'PUT', ...(body === undefined ? {} : { body: JSON.stringify(body) }), token });
const getJson = async <T>(path: string, token = 'admin'): Promise<T> =>
  (await server.request(path, { token })).json() as Promise<T>;
const indexOf = (response: Response): number => Number(response.headers.get('x-consul-index'));

describe('the catalog HTTP API: agent services and checks', () => {
  it('registers a service with snake_case and any-case keys, defaulting its checks ids and names', async () => {
    const registered = await put('/v1/agent/service/register', {
      name: 'web',
      id: 'web-1',
      TAGS: ['v1', 'blue'],
      port: 8080,
      Address: '127.0.0.1',
      meta: { team: 'core' },
      checks: [{ TTL: '30s' }, { ttl: '1m', status: 'passing' }],
      enable_tag_override: true,
    });
    expect(registered.status).toBe(200);
    expect(await registered.text()).toBe('');
    const services = await getJson<Record<string, Record<string, unknown>>>('/v1/agent/services');
    expect(services['web-1']).toMatchObject({
      ID: 'web-1',
      Service: 'web',
      Tags: ['v1', 'blue'],
      Port: 8080,
      Meta: { team: 'core' },
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: true,
      Datacenter: 'dc1',
    });
    const checks = await getJson<Record<string, Record<string, unknown>>>('/v1/agent/checks');
    expect(checks['service:web-1:1']).toMatchObject({ Name: "Service 'web' check", Status: 'critical', Type: 'ttl' });
    expect(checks['service:web-1:2']).toMatchObject({ Status: 'passing', ServiceID: 'web-1', ServiceName: 'web' });
  });

  it('refuses a missing name, an unknown field and a bad duration with 400, writing nothing', async () => {
    const before = server.catalog.index();
    const cases: [unknown, string][] = [
      [{ Port: 1 }, 'Missing service name'],
      [{ Name: 'x', Bogus: 1 }, "Request decode failed: '' has invalid keys: Bogus"],
      [{ Name: 'x', Check: { TTL: 'ten' } }, 'Request decode failed: invalid duration for TTL: "ten"'],
      [
        { Name: 'x', Check: { HTTP: 'http://127.0.0.1:1/' } },
        'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks',
      ],
      [
        { Name: 'x', Check: { Args: ['true'], Interval: '10s' } },
        "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' to true",
      ],
    ];
    for (const [body, text] of cases) {
      const response = await put('/v1/agent/service/register', body);
      expect(response.status, text).toBe(400);
      expect(await response.text()).toBe(text);
    }
    const malformed = await server.request('/v1/agent/service/register', {
      method: 'PUT',
      body: '{"Name":',
      token: 'admin',
    });
    expect(malformed.status).toBe(400);
    expect(server.catalog.index()).toBe(before);
  });

  it('moves a TTL check with pass, warn, fail and update, and refuses unknown and non-TTL checks', async () => {
    await put('/v1/agent/check/register', { Name: 'disk', TTL: '1m' });
    expect((await put('/v1/agent/check/pass/disk?note=ok')).status).toBe(200);
    let checks = await getJson<Record<string, { Status: string; Output: string }>>('/v1/agent/checks');
    expect(checks['disk']).toMatchObject({ Status: 'passing', Output: 'ok' });
    expect((await server.request('/v1/agent/check/warn/disk', { token: 'admin' })).status).toBe(200);
    expect((await put('/v1/agent/check/update/disk', { Status: 'critical', Output: 'full' })).status).toBe(200);
    checks = await getJson('/v1/agent/checks');
    expect(checks['disk']).toMatchObject({ Status: 'critical', Output: 'full' });
    const unknown = await put('/v1/agent/check/pass/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe(
      'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.',
    );
    await put('/v1/agent/check/register', { Name: 'tcp-probe', TCP: '127.0.0.1:1', Interval: '10s' });
    const notTtl = await put('/v1/agent/check/pass/tcp-probe');
    expect(notTtl.status).toBe(500);
    expect(await notTtl.text()).toBe('CheckID "tcp-probe" does not have associated TTL');
    expect((await put('/v1/agent/check/deregister/tcp-probe')).status).toBe(200);
    expect((await put('/v1/agent/check/deregister/disk')).status).toBe(200);
  });

  it('answers the catalog and health views in the same order, with serfHealth and the consul service', async () => {
    await put('/v1/agent/service/register', {
      Name: 'api',
      ID: 'api-2',
      Port: 2,
      Check: { TTL: '1m', Status: 'passing' },
    });
    await put('/v1/agent/service/register', {
      Name: 'api',
      ID: 'api-1',
      Port: 1,
      Tags: ['x'],
      Check: { TTL: '1m', Status: 'warning' },
    });
    const services = await getJson<Record<string, string[]>>('/v1/catalog/services');
    expect(services['consul']).toEqual([]);
    expect(services['api']).toEqual(['x']);
    const catalogView =
      await getJson<{ ServiceID: string; ServicePort: number; Node: string }[]>('/v1/catalog/service/api');
    const healthView =
      await getJson<{ Service: { ID: string }; Checks: { CheckID: string }[] }[]>('/v1/health/service/api');
    expect(catalogView.map((entry) => entry.ServiceID)).toEqual(healthView.map((entry) => entry.Service.ID));
    expect(healthView[0]?.Checks[0]?.CheckID).toBe('serfHealth');
    const passing = await getJson<{ Service: { ID: string } }[]>('/v1/health/service/api?passing');
    expect(passing.map((entry) => entry.Service.ID)).toEqual(['api-2']);
    const tagged = await getJson<unknown[]>('/v1/catalog/service/api?tag=x');
    expect(tagged).toHaveLength(1);
    expect(await getJson('/v1/catalog/service/none')).toEqual([]);
    expect((await server.request('/v1/health/service/api?passing=maybe')).status).toBe(400);
    expect(await (await server.request('/v1/health/state/')).text()).toBe('Missing check state');
    const warning = await getJson<{ CheckID: string }[]>('/v1/health/state/warning');
    expect(warning.map((check) => check.CheckID)).toContain('service:api-1');
    const node = await getJson<{ Node: { Node: string }; Services: Record<string, unknown> }>(
      '/v1/catalog/node/node-a',
    );
    expect(node.Node.Node).toBe('node-a');
    expect(Object.keys(node.Services)).toContain('api-1');
    expect(await getJson('/v1/catalog/node/elsewhere')).toBeNull();
  });

  it('wakes a blocking health query when a check changes', async () => {
    const first = await server.request('/v1/health/service/api');
    const waiting = server.request(`/v1/health/service/api?index=${indexOf(first)}`);
    await put('/v1/agent/check/pass/service:api-1');
    const woken = await waiting;
    expect(indexOf(woken)).toBeGreaterThan(indexOf(first));
    const passing = await getJson<unknown[]>('/v1/health/service/api?passing=true');
    expect(passing).toHaveLength(2);
  });

  it('turns node and service maintenance on and off', async () => {
    expect((await put('/v1/agent/service/maintenance/api-1?enable=true&reason=upgrade')).status).toBe(200);
    let checks = await getJson<Record<string, { Status: string; Notes: string }>>('/v1/agent/checks');
    expect(checks['_service_maintenance:api-1']?.Status).toBe('critical');
    expect((await put('/v1/agent/service/maintenance/api-1?enable=false')).status).toBe(200);
    expect((await put('/v1/agent/service/maintenance/api-1')).status).toBe(400);
    expect((await put('/v1/agent/maintenance?enable=true')).status).toBe(200);
    checks = await getJson('/v1/agent/checks');
    expect(checks['_node_maintenance']?.Status).toBe('critical');
    expect((await put('/v1/agent/maintenance?enable=false')).status).toBe(200);
  });

  it('deregisters a service with its checks, and answers Consul 404 text for an unknown id', async () => {
    expect((await put('/v1/agent/service/deregister/api-2')).status).toBe(200);
    const unknown = await put('/v1/agent/service/deregister/api-2');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe(
      'Unknown service ID "api-2". Ensure that the service ID is passed, not the service name.',
    );
    const checks = await getJson<Record<string, unknown>>('/v1/agent/checks');
    expect(checks['service:api-2']).toBeUndefined();
  });
});

describe('the catalog HTTP API: status and agent', () => {
  it('knows no serfHealth check on the agent, so that sessions keep their default node check', async () => {
    for (const path of ['/v1/agent/check/deregister/serfHealth', '/v1/agent/check/fail/serfHealth']) {
      const refused = await put(path);
      expect(refused.status, path).toBe(404);
      expect(await refused.text(), path).toBe(
        'Unknown check ID "serfHealth". Ensure that the check ID is passed, not the check name.',
      );
    }
    const update = await put('/v1/agent/check/update/serfHealth', { Status: 'critical' });
    expect(update.status).toBe(404);
    const [serf] = await getJson<{ CheckID: string; Status: string }[]>('/v1/health/node/node-a');
    expect(serf).toMatchObject({ CheckID: 'serfHealth', Status: 'passing' });
    const session = await put('/v1/session/create', {});
    expect(session.status).toBe(200);
  });

  it('answers leader, peers, self, members and metrics as a single server', async () => {
    expect(await getJson('/v1/status/leader')).toBe('127.0.0.1:8300');
    expect(await getJson('/v1/status/peers')).toEqual(['127.0.0.1:8300']);
    const self = await getJson<{ Config: { Datacenter: string; NodeName: string }; Member: { Status: number } }>(
      '/v1/agent/self',
    );
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', NodeName: 'node-a' });
    expect(self.Member.Status).toBe(1);
    expect(await getJson('/v1/agent/members')).toHaveLength(1);
    expect(await getJson('/v1/catalog/nodes')).toHaveLength(1);
  });
});
