import { describe, expect, it } from 'vitest';
import { isValidAuthority, normalisePath, parseRequestTarget } from './request-target.js';

describe('normalising the routed path', () => {
  it.each([
    ['/', '/'],
    ['/a/b', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/./b', '/a/b'],
    ['/a/..', '/'],
    ['/a/.', '/a/'],
    ['/..', '/'],
    ['/../../x', '/x'],
    ['/a/%2e%2E/b', '/b'],
    ['/a/.%2e/b', '/b'],
    ['/a/%2E/b', '/a/b'],
    ['//x/../y', '//y'],
    ['/a/...', '/a/...'],
    ['/a/.b/c', '/a/.b/c'],
    ['/a%2fb', '/a%2fb'],
    ['/%2e%2e%2e', '/%2e%2e%2e'],
  ])('reads %s as %s', (path, expected) => {
    expect(normalisePath(path)).toBe(expected);
  });

  it.each(['/a\\b', '/a%2f..%2fb', '/a%2F%2e%2e', '/..%2fx', '/a%5c..%5cb'])('refuses %s', (path) => {
    expect(normalisePath(path)).toBeUndefined();
  });
});

describe('reading a request target', () => {
  it('splits an absolute-form target into its authority and the normalised origin form', () => {
    expect(parseRequestTarget('GET', 'http://a.test:8080/x/../y?q=/..')).toEqual({
      authority: 'a.test:8080',
      path: '/y?q=/..',
    });
    expect(parseRequestTarget('GET', 'HTTPS://A.TEST?q')).toEqual({ authority: 'A.TEST', path: '/?q' });
    expect(parseRequestTarget('OPTIONS', '*')).toEqual({ authority: undefined, path: '*' });
  });

  it.each([
    ['GET', 'http://u@a.test/'],
    ['GET', 'http://a.test:@evil.test/'],
    ['GET', 'http:///x'],
    ['GET', '/a#b'],
    ['CONNECT', '/'],
    ['CONNECT', 'a.test:443'],
    ['GET', '*'],
    ['GET', 'a.test:443'],
  ])('refuses %s %s', (method, target) => {
    expect(parseRequestTarget(method, target)).toBeUndefined();
  });
});

describe('checking an authority', () => {
  it.each(['a.test', 'A.Test:80', '127.0.0.1:65535', '[::1]', '[::ffff:127.0.0.1]:8080', 'under_score.test'])(
    'accepts %s',
    (authority) => expect(isValidAuthority(authority)).toBe(true),
  );

  it.each([
    '',
    ':80',
    'a.test:',
    'a.test:123456',
    'a.test:8o',
    'u@a.test',
    'a.test:@b',
    '[]',
    '[::1',
    '[fe80::1%eth0]',
    'a b',
    'a.test/x',
    'caf\u00e9.test',
  ])('refuses %s', (authority) => expect(isValidAuthority(authority)).toBe(false));
});
