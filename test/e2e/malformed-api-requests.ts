/**
 * Generators of malformed API requests for the fuzz test: every route of the permission table, with wrong methods,
 * malformed, oversized or wrongly shaped JSON, hostile path parameters and query strings, bad content types and
 * garbage credentials. Each write carries at least one defect that must make slipwayd refuse it.
 */
import fc from 'fast-check';
import { routePermissions } from '../../apps/server/src/http/route-table.js';

export interface FuzzRequest {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer | undefined;
  /** The defect that must make slipwayd refuse a write (`none` for reads, which change nothing). */
  readonly defect: string;
}

/** The app the fuzz test creates; path parameters name it when a real one is allowed. */
export const app = 'fuzz-app';
const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const routes = Object.keys(routePermissions).map((key) => {
  const [method = 'GET', template = '/'] = key.split(' ');
  return { key, method, template, isPublic: routePermissions[key]?.access.kind === 'public' };
});
const methodsOf = (template: string): Set<string> =>
  new Set(routes.filter((r) => r.template === template).map((r) => r.method));

/** Path parameter values that are malformed: traversal, encodings, control and odd unicode, oversized, empty-ish. */
const hostileParam = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f%2e%2e%2f',
    '%00',
    'a%00b',
    '%zz',
    '%',
    '%c0%ae%c0%ae',
    '%e2%80%ae',
    '%ef%bb%bf',
    'CON',
    '-',
    'A',
    '%20',
    'x'.repeat(300),
    `${'y'.repeat(41)}`,
    '%F0%9F%92%A9',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => encodeURIComponent(s)),
);

/** Any parameter value: a real target (for reads), a missing one, or a hostile one. */
function paramValue(name: string, real: { deploymentId: string }, isRealAllowed: boolean): fc.Arbitrary<string> {
  const realValue =
    name === 'app'
      ? app
      : name === 'id'
        ? real.deploymentId
        : name === 'user'
          ? 'fuzz-user'
          : name === 'name'
            ? 'FUZZ_SECRET'
            : 'x';
  const missing = fc.constantFrom('nothing-here', 'dep_0000000000', 'NOPE_NOT_THERE', 'tok_nothing');
  return isRealAllowed ? fc.oneof(fc.constant(realValue), missing, hostileParam) : fc.oneof(missing, hostileParam);
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const odd = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '\u0000',
    '\u202e',
    '\ud800',
    '\ufeff',
    'é'.normalize('NFD'),
    '../../etc/passwd',
    "'; DROP TABLE apps; --",
  ),
  fc.integer({ min: 1, max: 200_000 }).map((n) => 'z'.repeat(n)),
);
/** Bodies that parse as JSON but have the wrong shape: wrong types, extra fields, huge or odd strings. */
const wrongShape = fc.oneof(
  jsonValue,
  fc.record({ name: odd, project: odd, extra: jsonValue }, { requiredKeys: [] }),
  fc.record({
    set: fc.dictionary(odd, odd, { maxKeys: 5 }),
    unset: fc.array(odd, { maxLength: 5 }),
    deploy: jsonValue,
  }),
  fc.record({ value: odd, deploy: fc.oneof(fc.string(), fc.integer()) }),
  fc.record({ processes: fc.dictionary(odd, fc.oneof(fc.integer(), fc.string(), fc.double())) }),
  fc.record({ username: odd, password: odd }),
  fc.record({ refreshToken: odd }),
  fc.record({ role: odd, project: jsonValue }),
  fc.record({ toRelease: fc.oneof(fc.double(), fc.string(), fc.integer({ min: -5, max: 0 })) }),
  fc.record({ path: odd }),
  fc.record({ git: fc.record({ url: odd, ref: jsonValue }) }),
  fc.record({ manifest: jsonValue }),
);
const malformedJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'nul',
    '{"a":1}}',
    "{'a':1}",
    '\u0000',
    '{"__proto__":{"x":1}',
    '"\\ud800"x',
    '',
  ),
  fc.string({ maxLength: 100 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);
const badContentType = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'image/png',
  ';;;',
);
const garbageAuthorization = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Basic YWRtaW46YWRtaW4=',
    'bearer x',
    'Bearer slw_',
    'Token abc',
    'Bearer a.b.c',
  ),
  fc.string({ maxLength: 200 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc.integer({ min: 9_000, max: 15_000 }).map((n) => `Bearer ${'t'.repeat(n)}`),
);
const hostileQuery = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?environment=%00',
    '?environment=../../x',
    '?tail=-1',
    '?tail=1e9',
    '?tail=NaN',
    '?follow=maybe',
    '?deploy=not-a-boolean',
    '?environment=production&environment=staging',
    '?after=-3',
    '?%zz=1',
    '?a[b][c]=1',
    '?__proto__[x]=1',
    '?since=yesterday',
    '?limit=99999999999999999999',
    `?${Array.from({ length: 40 }, (_, i) => `k${i}=1`).join('&')}`,
    `?x=${'q'.repeat(5000)}`,
  ),
  fc
    .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 }), { maxKeys: 4 })
    .map((d) => `?${new URLSearchParams(d).toString()}`),
);

/** A hostile request to one route; writes always carry a defect that must get them refused. */
export function fuzzRequest(real: { deploymentId: string; token: string }): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...routes).chain((route) => {
    const paramNames = [...route.template.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
    const defects = [
      'wrong-method',
      'malformed-json',
      'bad-content-type',
      'oversized-body',
      ...(paramNames.length > 0 ? ['hostile-param'] : []),
      ...(route.isPublic ? [] : ['no-credential', 'garbage-credential']),
    ];
    const isRead = route.method === 'GET';
    return fc
      .record({
        defect: isRead ? fc.constantFrom('none', ...defects) : fc.constantFrom(...defects),
        hasToken: fc.nat({ max: 3 }).map((n) => n > 0),
        wrongMethod: fc.constantFrom(...methods.filter((m) => !methodsOf(route.template).has(m))),
        params: fc.tuple(...paramNames.map(() => fc.tuple(paramValue('', real, false), fc.nat()))),
        realParams: fc.tuple(...paramNames.map((name) => paramValue(name, real, true))),
        query: hostileQuery,
        body: fc.oneof(
          wrongShape.map((v) => JSON.stringify(v)),
          fc.constant(undefined),
        ),
        malformed: malformedJson,
        contentType: badContentType,
        authorization: garbageAuthorization,
        extraHeaders: fc.dictionary(
          fc.constantFrom('x-forwarded-for', 'origin', 'accept', 'last-event-id', 'x-request-id', 'cookie', 'range'),
          fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
          { maxKeys: 3 },
        ),
      })
      .map((g): FuzzRequest => {
        const isHostileParam = g.defect === 'hostile-param';
        let index = 0;
        const path = route.template.replace(/:(\w+)/g, (_, name: string) => {
          const i = index++;
          if (isHostileParam) return g.params[i]?.[0] ?? '..';
          // Reads may name real targets; a write names one only when another defect refuses it anyway.
          return g.realParams[i] ?? name;
        });
        const headers: Record<string, string> = { ...g.extraHeaders };
        const withCredential = g.defect !== 'no-credential' && g.defect !== 'garbage-credential' && g.hasToken;
        if (withCredential) headers['authorization'] = `Bearer ${real.token}`;
        if (g.defect === 'garbage-credential') headers['authorization'] = g.authorization;
        let body: Buffer | undefined = g.body === undefined ? undefined : Buffer.from(g.body);
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (g.defect === 'malformed-json') {
          body = Buffer.from(g.malformed);
          headers['content-type'] = 'application/json';
        }
        if (g.defect === 'bad-content-type') {
          body = Buffer.from(g.body ?? 'x=1');
          headers['content-type'] = g.contentType;
        }
        if (g.defect === 'oversized-body') {
          body = Buffer.from(JSON.stringify({ name: 'o'.repeat(1024 * 1024 + 1) }));
          headers['content-type'] = 'application/json';
        }
        const method = g.defect === 'wrong-method' ? g.wrongMethod : route.method;
        return { route: route.key, method, path: `${path}${g.query}`, headers, body, defect: g.defect };
      });
  });
}
