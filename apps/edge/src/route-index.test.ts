import { describe, expect, it } from 'vitest';
import type { RouteEntry } from '@slipway/contract';
import { createRouteIndex, hostFromHeader, isPrefixOnSegment, pathOf } from './route-index.js';
import { createTrafficMetrics } from './traffic-metrics.js';
import { createUpstreamPool } from './upstream-pool.js';

const pool = createUpstreamPool();
const route = (host: string, pathPrefix: string, app = `${host}${pathPrefix}`): RouteEntry => ({
  host,
  pathPrefix,
  app,
  environment: 'production',
  process: 'web',
  timeoutMs: null,
  upstreams: [],
});
const indexOf = (...routes: RouteEntry[]) => createRouteIndex({ routes }, pool.slotFor, createTrafficMetrics());

describe('route index', () => {
  it('matches a path prefix only on a segment boundary', () => {
    expect(isPrefixOnSegment('/api', '/api')).toBe(true);
    expect(isPrefixOnSegment('/api', '/api/x')).toBe(true);
    expect(isPrefixOnSegment('/api', '/apix')).toBe(false);
    expect(isPrefixOnSegment('/', '/anything')).toBe(true);
  });

  it('prefers the longest matching prefix whatever the order of the table', () => {
    const index = indexOf(
      route('a.test', '/', 'root'),
      route('a.test', '/api/v2', 'v2'),
      route('a.test', '/api', 'api'),
    );
    expect(index.find('a.test', '/api/v2/users')?.route.app).toBe('v2');
    expect(index.find('a.test', '/api/v3')?.route.app).toBe('api');
    expect(index.find('a.test', '/apix')?.route.app).toBe('root');
  });

  it('treats a trailing slash in a prefix like none', () => {
    const index = indexOf(route('a.test', '/docs/', 'docs'));
    expect(index.find('a.test', '/docs')?.route.app).toBe('docs');
    expect(index.find('a.test', '/docs/intro')?.route.app).toBe('docs');
  });

  it('serves subdomains of a wildcard, the most specific wildcard first, but not the bare domain', () => {
    const index = indexOf(route('*.example.test', '/', 'outer'), route('*.eu.example.test', '/', 'inner'));
    expect(index.find('shop.example.test', '/')?.route.app).toBe('outer');
    expect(index.find('shop.eu.example.test', '/')?.route.app).toBe('inner');
    expect(index.find('example.test', '/')).toBeUndefined();
  });

  it('falls back to a wildcard when the exact host has no route for the path', () => {
    const index = indexOf(route('api.example.test', '/v1', 'exact'), route('*.example.test', '/', 'wild'));
    expect(index.find('api.example.test', '/v1/x')?.route.app).toBe('exact');
    expect(index.find('api.example.test', '/other')?.route.app).toBe('wild');
  });

  it('answers nothing for an unknown host', () => {
    expect(indexOf(route('a.test', '/')).find('b.test', '/')).toBeUndefined();
  });

  it('normalises the Host header: lowercase, no port, no trailing dot, IPv6 kept whole', () => {
    expect(hostFromHeader('App.Example.TEST:8080')).toBe('app.example.test');
    expect(hostFromHeader('example.test.')).toBe('example.test');
    expect(hostFromHeader('[::1]:8080')).toBe('[::1]');
    expect(hostFromHeader(undefined)).toBe('');
  });

  it('takes the path of a request target without query or fragment', () => {
    expect(pathOf('/a/b?c=d#e')).toBe('/a/b');
    expect(pathOf('/a#e?x')).toBe('/a');
    expect(pathOf('/plain')).toBe('/plain');
  });

  it('uses the default timeout of 60 s when the route sets none', () => {
    expect(indexOf(route('a.test', '/')).find('a.test', '/')?.timeoutMs).toBe(60_000);
  });
});
