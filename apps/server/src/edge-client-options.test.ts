import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig, usage, type ResolvedConfig } from './config.js';
import { edgeClientArgs } from './edge-client-options.js';

const resolved = (argv: string[], env: NodeJS.ProcessEnv = {}): ResolvedConfig => {
  const config = resolveConfig(argv, env, '/srv/app');
  if (config === 'help') throw new Error('expected a configuration');
  return config;
};

describe('slipwayd configuration: how the edge treats clients', () => {
  it('sets nothing by default, so the edge keeps its own defaults and trusts no proxy', () => {
    const config = resolved([]);
    expect([config.edgeTrustedProxies, config.edgeClient]).toEqual([[], {}]);
    expect(edgeClientArgs(config)).toEqual([]);
  });

  it('takes each limit, timeout and trusted proxy from a flag, its variable or the file, flags first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-edge-config-'));
    try {
      const file = join(dir, 'slipway.yaml');
      writeFileSync(file, 'edgeClient:\n  maxConnections: 100\n  lingerMs: 900\nedgeTrustedProxies: [192.0.2.1]\n');
      const config = resolved(
        [
          '--config',
          file,
          '--edge-trusted-proxy',
          '10.0.0.0/8',
          '--edge-trusted-proxy',
          '::1',
          '--edge-max-connections-per-address',
          '4',
          '--edge-tunnel-idle-timeout-ms',
          '60000',
        ],
        { SLIPWAY_EDGE_MAX_CONNECTIONS_PER_ADDRESS: '9', SLIPWAY_EDGE_IDLE_TIMEOUT_MS: '1000' },
      );
      expect(config.edgeTrustedProxies).toEqual(['10.0.0.0/8', '::1']);
      expect(config.edgeClient).toEqual({
        maxConnections: 100,
        lingerMs: 900,
        maxConnectionsPerAddress: 4,
        idleTimeoutMs: 1000,
        tunnelIdleTimeoutMs: 60_000,
      });
      expect(edgeClientArgs(config)).toEqual([
        '--trusted-proxies',
        '10.0.0.0/8,::1',
        '--max-connections',
        '100',
        '--max-connections-per-address',
        '4',
        '--idle-timeout-ms',
        '1000',
        '--linger-ms',
        '900',
        '--tunnel-idle-timeout-ms',
        '60000',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('splits SLIPWAY_EDGE_TRUSTED_PROXIES on commas', () => {
    expect(resolved([], { SLIPWAY_EDGE_TRUSTED_PROXIES: '203.0.113.7, fd00::/8' }).edgeTrustedProxies).toEqual([
      '203.0.113.7',
      'fd00::/8',
    ]);
  });

  it.each([
    [['--edge-trusted-proxy', 'lb.example.com'], /edgeTrustedProxies\.0: must be an IP address or CIDR range/],
    [['--edge-trusted-proxy', '10.0.0.0/33'], /edgeTrustedProxies\.0/],
    [['--edge-trusted-proxy', '10.0.0.0/8/1'], /edgeTrustedProxies\.0/],
    [['--edge-max-connections', '0'], /edgeClient\.maxConnections/],
    [['--edge-max-pipelined-requests', '1e3'], /edgeClient\.maxPipelinedRequests/],
    [['--edge-send-timeout-ms', 'soon'], /edgeClient\.sendTimeoutMs/],
  ])('refuses %j naming the key', (argv, message) => {
    expect(() => resolved(argv)).toThrow(message);
  });

  it('refuses an unknown key under edgeClient in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-edge-config-'));
    try {
      const file = join(dir, 'slipway.yaml');
      writeFileSync(file, 'edgeClient:\n  maxConnexions: 100\n');
      expect(() => resolved(['--config', file])).toThrow(/edgeClient.*maxConnexions/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every one of them in --help with its variable', () => {
    for (const line of [
      '--edge-trusted-proxy ADDR|CIDR',
      'SLIPWAY_EDGE_TRUSTED_PROXIES',
      '--edge-max-connections N',
      '--edge-max-connections-per-address N',
      '--edge-max-pipelined-requests N',
      '--edge-idle-timeout-ms MS',
      '--edge-head-timeout-ms MS',
      '--edge-body-timeout-ms MS',
      '--edge-send-timeout-ms MS',
      '--edge-linger-ms MS',
      '--edge-tunnel-idle-timeout-ms MS',
      'SLIPWAY_EDGE_TUNNEL_IDLE_TIMEOUT_MS',
    ]) {
      expect(usage).toContain(line);
    }
  });
});
