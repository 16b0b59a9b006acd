import { describe, expect, it } from 'vitest';
import { healthCheckSchema, manifestSchema, routeSpecSchema } from './manifest.js';

const pathOf = (path: string) => routeSpecSchema.parse({ host: 'shop.example.com', path }).path;

describe('route paths', () => {
  it('are normalised, so two spellings of one prefix are one prefix and "//" is not a catch-all', () => {
    expect(pathOf('//')).toBe('/');
    expect(pathOf('///')).toBe('/');
    expect(pathOf('/login/')).toBe('/login');
    expect(pathOf('//api//v1//')).toBe('/api/v1');
    expect(routeSpecSchema.parse({ host: 'shop.example.com' }).path).toBe('/');
  });

  it('refuse dot segments, escapes, queries, fragments and characters outside a path', () => {
    for (const path of ['/a/../admin', '/./x', '/..', '/%2e%2e', '/a?b', '/a#b', '/a b', '/a\\b', 'relative']) {
      expect({ path, isValid: routeSpecSchema.safeParse({ host: 'shop.example.com', path }).success }).toEqual({
        path,
        isValid: false,
      });
    }
  });

  it('are normalised in a whole manifest', () => {
    const manifest = manifestSchema.parse({ routes: [{ host: 'victim.localhost', path: '//' }] });
    expect(manifest.routes).toEqual([{ host: 'victim.localhost', path: '/', process: 'web' }]);
  });
});

describe('health check paths', () => {
  const isValid = (path: string) => healthCheckSchema.safeParse({ type: 'http', path }).success;

  it('are origin-form paths of the instance, never a URL or another host', () => {
    for (const path of ['/healthz', '/', '/status?full=1', '/a/b%20c'])
      expect({ path, ok: isValid(path) }).toEqual({ path, ok: true });
    for (const path of [
      'http://169.254.169.254/latest/meta-data/',
      '//evil.example/x',
      'evil.example/x',
      '/a b',
      '/x\r\nHost: evil.example',
      '@evil.example/',
      '/é',
    ]) {
      expect({ path, ok: isValid(path) }).toEqual({ path, ok: false });
    }
  });
});
