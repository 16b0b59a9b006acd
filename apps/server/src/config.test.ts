import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SlipwayError } from '@slipway/contract';
import { configOptions } from './config-options.js';
import { resolveConfig, usage, type ResolvedConfig } from './config.js';

const resolved = (argv: string[], env: NodeJS.ProcessEnv = {}): ResolvedConfig => {
  const config = resolveConfig(argv, env, '/srv/app');
  if (config === 'help') throw new Error('expected a configuration');
  return config;
};

describe('slipwayd configuration: the master key file', () => {
  it('defaults to master.key in the data dir', () => {
    expect(resolved(['--data-dir', 'state']).masterKeyFile).toBe('/srv/app/state/master.key');
  });

  it('takes --master-key-file over SLIPWAY_MASTER_KEY_FILE, each resolved against the working directory', () => {
    expect(resolved([], { SLIPWAY_MASTER_KEY_FILE: '/etc/slipway/key' }).masterKeyFile).toBe('/etc/slipway/key');
    const both = resolved(['--master-key-file', 'keys/master.key'], { SLIPWAY_MASTER_KEY_FILE: '/etc/slipway/key' });
    expect(both.masterKeyFile).toBe('/srv/app/keys/master.key');
  });
});

describe('slipwayd configuration: local source roots', () => {
  it('names none by default, so only the owner deploys local directories', () => {
    expect(resolved([]).sourcePathRoots).toEqual([]);
  });

  it('takes --source-path-root (repeatable) over SLIPWAY_SOURCE_PATH_ROOTS, resolved against the working directory', () => {
    expect(resolved([], { SLIPWAY_SOURCE_PATH_ROOTS: '/srv/apps:sites' }).sourcePathRoots).toEqual([
      '/srv/apps',
      '/srv/app/sites',
    ]);
    const both = resolved(['--source-path-root', 'a', '--source-path-root', '/b'], {
      SLIPWAY_SOURCE_PATH_ROOTS: '/srv/apps',
    });
    expect(both.sourcePathRoots).toEqual(['/srv/app/a', '/b']);
  });
});

describe('slipwayd configuration: image registries', () => {
  it('pulls from Docker Hub only by default, and takes --image-registry over SLIPWAY_IMAGE_REGISTRIES', () => {
    expect(resolved([]).imageRegistries).toEqual(['docker.io']);
    expect(resolved([], { SLIPWAY_IMAGE_REGISTRIES: 'ghcr.io, registry.example.com:5000' }).imageRegistries).toEqual([
      'ghcr.io',
      'registry.example.com:5000',
    ]);
    expect(resolved(['--image-registry', 'ghcr.io'], { SLIPWAY_IMAGE_REGISTRIES: 'quay.io' }).imageRegistries).toEqual([
      'ghcr.io',
    ]);
    expect(() => resolved(['--image-registry', 'https://evil.example/'])).toThrow(/imageRegistries/);
  });
});

describe('slipwayd configuration: transport', () => {
  it('serves plain HTTP, with CORS closed and no escape hatch, by default', () => {
    const config = resolved([]);
    expect(config.tls).toEqual({ mode: 'off' });
    expect(config.corsOrigins).toEqual([]);
    expect(config.insecureHttpOnPublicInterface).toBe(false);
  });

  it('takes TLS files from flags or the environment, resolved against the working directory', () => {
    expect(resolved(['--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tls).toEqual({
      mode: 'files',
      certFile: '/srv/app/c.pem',
      keyFile: '/srv/app/k.pem',
    });
    expect(resolved([], { SLIPWAY_TLS: 'self-signed' }).tls).toEqual({ mode: 'self-signed' });
    expect(resolved(['--tls', 'self-signed'], { SLIPWAY_TLS_CERT: '/c', SLIPWAY_TLS_KEY: '/k' }).tls).toEqual({
      mode: 'self-signed',
    });
  });

  it('refuses half a certificate, an unknown TLS mode and a CORS origin that is not a URL', () => {
    expect(() => resolved(['--tls-cert', 'c.pem'])).toThrow(/both the certificate file and the key file/);
    expect(() => resolved(['--tls', 'maybe'])).toThrow(/expected self-signed or off/);
    expect(() => resolved(['--cors-origin', 'not a url'])).toThrow(/corsOrigins/);
    expect(() => resolved(['--edge-tls-cert', 'c.pem'])).toThrow(/needs --edge-tls HOST:PORT/);
    expect(() => resolved(['--edge-tls', '0.0.0.0:8443', '--edge-tls-cert', 'c.pem'])).toThrow(/edgeTls/);
  });

  it('takes the edge HTTPS listener with or without certificate files', () => {
    expect(resolved(['--edge-tls', '0.0.0.0:8443']).edgeTls).toEqual({ listen: { host: '0.0.0.0', port: 8443 } });
    expect(
      resolved([], { SLIPWAY_EDGE_TLS: '8443', SLIPWAY_EDGE_TLS_CERT: 'e.pem', SLIPWAY_EDGE_TLS_KEY: 'k.pem' }).edgeTls,
    ).toEqual({ listen: { host: '127.0.0.1', port: 8443 }, certFile: '/srv/app/e.pem', keyFile: '/srv/app/k.pem' });
  });

  it('takes the escape hatch and CORS origins, flags over the environment', () => {
    const config = resolved(['--insecure-http-on-public-interface', '--cors-origin', 'https://dash.example.com'], {
      SLIPWAY_CORS_ORIGINS: 'https://ignored.example.com',
    });
    expect(config.insecureHttpOnPublicInterface).toBe(true);
    expect(config.corsOrigins).toEqual(['https://dash.example.com']);
  });
});

describe('slipwayd configuration: one table of options', () => {
  it('lists every option of the table in --help with its flag and its variable', () => {
    const inputs = Object.values(configOptions).flatMap((option) => ('inputs' in option ? option.inputs : []));
    expect(inputs.length).toBeGreaterThan(20);
    for (const input of inputs) {
      expect(usage).toContain(`--${input.flag}`);
      expect(usage).toContain(input.env);
    }
    expect(usage).toContain('In the config file only: maxArchiveBytes');
  });

  it('takes every option with a variable from a flag too', () => {
    const config = resolved([
      '--release-retention',
      '5',
      '--build-concurrency',
      '2',
      '--drain-ms',
      '0',
      '--instance-ports',
      '21000-21999',
    ]);
    expect(config).toMatchObject({
      releaseRetention: 5,
      buildConcurrency: 2,
      drainMs: 0,
      instancePorts: { from: 21_000, to: 21_999 },
    });
  });

  it('resolves defaults < config file < environment < flags, key by key and inside nested keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-config-'));
    const file = join(dir, 'slipwayd.yaml');
    writeFileSync(file, 'releaseRetention: 3\ndrainMs: 50\nbuildConcurrency: 4\ncontainers: { docker: off }\n');
    try {
      const config = resolved(['--config', file, '--drain-ms', '70', '--swarm', 'on'], {
        SLIPWAY_DRAIN_MS: '60',
        SLIPWAY_BUILD_CONCURRENCY: '5',
      });
      expect(config).toMatchObject({
        releaseRetention: 3,
        buildConcurrency: 5,
        drainMs: 70,
        containers: { docker: 'off', swarm: 'on' },
        logLevel: 'info',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every issue with its path, whichever source gave it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-config-'));
    const file = join(dir, 'slipwayd.yaml');
    writeFileSync(file, 'api: { port: 99999 }\nrateLimits: { maxBuckets: 1 }\n');
    try {
      let issues: string[] = [];
      try {
        resolved(['--config', file, '--instance-ports', '29000-21000'], { SLIPWAY_LOG_LEVEL: 'loud' });
      } catch (error) {
        issues = ((error as SlipwayError).details?.['issues'] as string[] | undefined) ?? [];
      }
      expect(issues.map((issue) => issue.split(':')[0]).sort()).toEqual([
        'api.port',
        'instancePorts',
        'logLevel',
        'rateLimits.maxBuckets',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
