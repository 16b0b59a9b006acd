import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApiBinding, isLoopbackHost, prepareTransport } from './api-transport.js';

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

describe('the edge transport', () => {
  it("names the edge's certificate and key files, whose contents are edge settings, beside its flags", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-transport-'));
    try {
      const { edgeTlsFlags, edgeTlsFiles } = await prepareTransport({
        tls: off,
        edgeTls: { listen: { host: '127.0.0.1', port: 8443 } },
        dataDir,
      });
      expect(edgeTlsFiles).toEqual([join(dataDir, 'tls', 'cert.pem'), join(dataDir, 'tls', 'key.pem')]);
      expect(edgeTlsFlags).toEqual([
        '--tls-listen',
        '127.0.0.1:8443',
        '--tls-cert',
        ...edgeTlsFiles.slice(0, 1),
        '--tls-key',
        ...edgeTlsFiles.slice(1),
      ]);
      expect(await prepareTransport({ tls: off, dataDir })).toMatchObject({ edgeTlsFlags: [], edgeTlsFiles: [] });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
