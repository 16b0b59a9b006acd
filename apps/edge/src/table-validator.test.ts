import { describe, expect, it } from 'vitest';
import { routingTableSchema } from '@slipway/contract';
import { checkRoutingTable } from './table-validator.js';

const upstream = { instanceId: 'i-1', host: '127.0.0.1', port: 4000, releaseNumber: 2, weight: 1 };
const route = {
  host: 'a.test',
  pathPrefix: '/',
  app: 'a',
  environment: 'production',
  process: 'web',
  timeoutMs: null,
  upstreams: [upstream],
};
const withRoute = (changes: Record<string, unknown>) => ({ routes: [{ ...route, ...changes }] });
const withUpstream = (changes: Record<string, unknown>) => withRoute({ upstreams: [{ ...upstream, ...changes }] });

const valid: [string, unknown][] = [
  ['an empty table', { routes: [] }],
  ['one route', { routes: [route] }],
  ['a timeout and no upstream', withRoute({ timeoutMs: 5_000, upstreams: [] })],
  [
    'weight 0 and a fractional weight',
    {
      routes: [
        {
          ...route,
          upstreams: [
            { ...upstream, weight: 0 },
            { ...upstream, weight: 0.5 },
          ],
        },
      ],
    },
  ],
  ["maintenance with the edge's page", withRoute({ maintenance: { retryAfterSeconds: 60, page: null } })],
  ['maintenance with a page of its own', withRoute({ maintenance: { retryAfterSeconds: 1, page: '<h1>Soon</h1>' } })],
  [
    'unknown keys (dropped)',
    { routes: [{ ...route, extra: true, upstreams: [{ ...upstream, extra: 1 }] }], extra: 'x' },
  ],
];

const invalid: [string, unknown, string][] = [
  ['not an object', 'routes', '(root)'],
  ['null', null, '(root)'],
  ['no routes', {}, 'routes'],
  ['routes not an array', { routes: {} }, 'routes'],
  ['a route not an object', { routes: [1] }, 'routes.0'],
  ['a path prefix without its slash', withRoute({ pathPrefix: 'api' }), 'routes.0.pathPrefix'],
  ['a missing host', withRoute({ host: undefined }), 'routes.0.host'],
  ['a numeric app', withRoute({ app: 7 }), 'routes.0.app'],
  ['a timeout of 0', withRoute({ timeoutMs: 0 }), 'routes.0.timeoutMs'],
  ['a fractional timeout', withRoute({ timeoutMs: 1.5 }), 'routes.0.timeoutMs'],
  ['a string timeout', withRoute({ timeoutMs: '5' }), 'routes.0.timeoutMs'],
  ['upstreams not an array', withRoute({ upstreams: null }), 'routes.0.upstreams'],
  ['port 0', withUpstream({ port: 0 }), 'routes.0.upstreams.0.port'],
  ['port 65536', withUpstream({ port: 65_536 }), 'routes.0.upstreams.0.port'],
  ['a fractional port', withUpstream({ port: 80.5 }), 'routes.0.upstreams.0.port'],
  ['a negative weight', withUpstream({ weight: -1 }), 'routes.0.upstreams.0.weight'],
  ['a NaN-like weight', withUpstream({ weight: 'heavy' }), 'routes.0.upstreams.0.weight'],
  ['a fractional release number', withUpstream({ releaseNumber: 1.5 }), 'routes.0.upstreams.0.releaseNumber'],
  ['a missing instance id', withUpstream({ instanceId: undefined }), 'routes.0.upstreams.0.instanceId'],
  [
    'maintenance without its retry',
    withRoute({ maintenance: { page: null } }),
    'routes.0.maintenance.retryAfterSeconds',
  ],
  [
    'a maintenance retry of 0',
    withRoute({ maintenance: { retryAfterSeconds: 0, page: null } }),
    'routes.0.maintenance.retryAfterSeconds',
  ],
  [
    'a maintenance page over 64 KiB',
    withRoute({ maintenance: { retryAfterSeconds: 5, page: 'x'.repeat(64 * 1024 + 1) } }),
    'routes.0.maintenance.page',
  ],
];

describe('the hand-written routing table check agrees with the contract schema', () => {
  it.each(valid)('accepts %s, with the data the schema returns', (_name, table) => {
    const schema = routingTableSchema.safeParse(table);
    const checked = checkRoutingTable(table);
    expect(schema.success).toBe(true);
    expect(checked.isValid).toBe(true);
    if (checked.isValid && schema.success) expect(checked.table).toEqual(schema.data);
  });

  it.each(invalid)('refuses %s, at the path the schema reports', (_name, table, path) => {
    const schema = routingTableSchema.safeParse(table);
    const checked = checkRoutingTable(table);
    expect(schema.success).toBe(false);
    expect(checked.isValid).toBe(false);
    const schemaPaths = schema.error?.issues.map((i) => (i.path.length === 0 ? '(root)' : i.path.join('.')));
    expect(schemaPaths).toContain(path);
    if (!checked.isValid) expect(checked.issues.map((i) => i.path)).toContain(path);
  });
});
