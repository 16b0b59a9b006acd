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
const canaryUpstream = { ...upstream, instanceId: 'i-2', releaseNumber: 3 };
/** Release 2 (stable) and 3 (canary), both with an upstream, split by `releases`. */
const withSplit = (releases: unknown[], stickyCookie: unknown = null) =>
  withRoute({ upstreams: [upstream, canaryUpstream], split: { releases, stickyCookie } });
const stable = (weight: number, changes: Record<string, unknown> = {}) => ({ releaseNumber: 2, weight, ...changes });
const canary = (weight: number, changes: Record<string, unknown> = {}) => ({ releaseNumber: 3, weight, ...changes });
const headerMatch = (value: string, kind: string) => ({ matches: [{ header: 'X-Canary', value, kind }] });

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
  ['a split 90/10 with a sticky cookie', withSplit([stable(90), canary(10)], 'slipway-bucket')],
  // A weighted release whose instances all went unhealthy: the edge sends its share to the others (a refused table
  // would freeze every route on the previous one).
  ['a weighted release without upstreams', withSplit([stable(90), { releaseNumber: 7, weight: 10 }])],
  [
    'a weighted release whose upstreams all have weight 0',
    withRoute({
      upstreams: [upstream, { ...canaryUpstream, weight: 0 }],
      split: { releases: [stable(90), canary(10)], stickyCookie: null },
    }),
  ],
  [
    'a split 100/0 where the weight-0 release has no upstream',
    withRoute({ split: { releases: [stable(100), { releaseNumber: 9, weight: 0 }], stickyCookie: null } }),
  ],
  ['fractional weights adding up to 100 within 0.001', withSplit([stable(66.6667), canary(33.3332)])],
  [
    'header and cookie matches (a header match without kind is exact)',
    withSplit([
      stable(100),
      canary(0, {
        matches: [
          { header: 'X-Canary', value: 'yes' },
          { header: 'User-Agent', value: 'Mozilla/', kind: 'prefix' },
          { header: 'X-Tester', value: '^(alice|bob)@example\\.com$', kind: 'regex' },
          { cookie: 'beta', value: '1' },
        ],
      }),
    ]),
  ],
  [
    'a cold-start hold (scale to zero)',
    withRoute({ upstreams: [], coldStart: { holdTimeoutMs: 30_000, maxHeldRequests: 100, maxHeldBytes: 1_048_576 } }),
  ],
  [
    'unknown keys (dropped)',
    { routes: [{ ...route, extra: true, upstreams: [{ ...upstream, extra: 1 }] }], extra: 'x' },
  ],
];

const invalid: [string, unknown, string][] = [
  ['not an object', 'routes', '(root)'],
  [
    'a cold-start hold without its timeout',
    withRoute({ coldStart: { maxHeldRequests: 1, maxHeldBytes: 1024 } }),
    'routes.0.coldStart.holdTimeoutMs',
  ],
  [
    'a cold-start hold of 0 requests',
    withRoute({ coldStart: { holdTimeoutMs: 1, maxHeldRequests: 0, maxHeldBytes: 1024 } }),
    'routes.0.coldStart.maxHeldRequests',
  ],
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
  ['split weights adding up to 99', withSplit([stable(90), canary(9)]), 'routes.0.split.releases'],
  ['split weights adding up to 100.01', withSplit([stable(90), canary(10.01)]), 'routes.0.split.releases'],
  ['a split weight over 100', withSplit([stable(101), canary(-1)]), 'routes.0.split.releases.0.weight'],
  ['a negative split weight', withSplit([stable(101), canary(-1)]), 'routes.0.split.releases.1.weight'],
  ['a release named twice', withSplit([stable(50), stable(50)]), 'routes.0.split.releases.1.releaseNumber'],
  ['a split without releases', withSplit([]), 'routes.0.split.releases'],
  [
    'a split of 9 releases',
    withSplit(Array.from({ length: 9 }, (_, i) => ({ releaseNumber: i, weight: 0 }))),
    'routes.0.split.releases',
  ],
  ['a split without stickyCookie', withRoute({ split: { releases: [stable(100)] } }), 'routes.0.split.stickyCookie'],
  ['a sticky cookie name with a space', withSplit([stable(100)], 'my cookie'), 'routes.0.split.stickyCookie'],
  [
    'an unknown key in a split',
    withRoute({ split: { releases: [stable(100)], stickyCookie: null, mode: 'x' } }),
    'routes.0.split',
  ],
  [
    'a regex with a back-reference',
    withSplit([stable(100), canary(0, headerMatch('(a)\\1', 'regex'))]),
    'routes.0.split.releases.1.matches.0.value',
  ],
  [
    'a regex with a look-ahead',
    withSplit([stable(100), canary(0, headerMatch('^(?=a)', 'regex'))]),
    'routes.0.split.releases.1.matches.0.value',
  ],
  [
    'a regex that does not parse',
    withSplit([stable(100), canary(0, headerMatch('(a', 'regex'))]),
    'routes.0.split.releases.1.matches.0.value',
  ],
  [
    'a regex of 257 characters',
    withSplit([stable(100), canary(0, headerMatch('a'.repeat(257), 'regex'))]),
    'routes.0.split.releases.1.matches.0.value',
  ],
  [
    'a regex whose repetitions multiply past 1,000',
    withSplit([stable(100), canary(0, headerMatch('((a{100}){100}){100}', 'regex'))]),
    'routes.0.split.releases.1.matches.0.value',
  ],
  [
    'a header name that is not a token',
    withSplit([stable(100), canary(0, { matches: [{ header: 'X Canary', value: 'yes' }] })]),
    'routes.0.split.releases.1.matches.0.header',
  ],
  [
    'an unknown match kind',
    withSplit([stable(100), canary(0, headerMatch('yes', 'suffix'))]),
    'routes.0.split.releases.1.matches.0',
  ],
  [
    'a match that is neither header nor cookie',
    withSplit([stable(100), canary(0, { matches: [{ query: 'x', value: 'y' }] })]),
    'routes.0.split.releases.1.matches.0',
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
