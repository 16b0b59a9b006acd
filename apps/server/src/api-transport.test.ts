import { describe, expect, it } from 'vitest';
import { checkApiBinding, isLoopbackHost } from './api-transport.js';

const off = { mode: 'off' } as const;

describe('the API binding rule', () => {
  it('knows the loopback names and addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'app.localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '',
      '10.0.0.5',
      '192.168.1.2',
      'example.com',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses plain HTTP on a non-loopback address with INSECURE_BINDING naming the fixes', () => {
    const attempt = () =>
      checkApiBinding({ api: { host: '0.0.0.0', port: 7070 }, tls: off, insecureHttpOnPublicInterface: false });
    expect(attempt).toThrow(expect.objectContaining({ code: 'INSECURE_BINDING' }) as Error);
    expect(attempt).toThrow(/--tls-cert FILE --tls-key FILE.*--tls self-signed.*--insecure-http-on-public-interface/);
  });

  it('allows loopback over HTTP, any address over TLS, and a public address over HTTP only with the escape hatch', () => {
    expect(() =>
      checkApiBinding({ api: { host: '127.0.0.1', port: 1 }, tls: off, insecureHttpOnPublicInterface: false }),
    ).not.toThrow();
    expect(() =>
      checkApiBinding({
        api: { host: '0.0.0.0', port: 1 },
        tls: { mode: 'self-signed' },
        insecureHttpOnPublicInterface: false,
      }),
    ).not.toThrow();
    expect(() =>
      checkApiBinding({ api: { host: '0.0.0.0', port: 1 }, tls: off, insecureHttpOnPublicInterface: true }),
    ).not.toThrow();
  });
});
