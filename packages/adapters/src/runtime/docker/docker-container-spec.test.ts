import { describe, expect, it } from 'vitest';
import type { InstanceSpec } from '@slipway/core';
import {
  assertLimitsValid,
  containerCreateBody,
  containerNameOf,
  networkNameOf,
  stopTimeoutSeconds,
} from './docker-container-spec.js';

const spec: InstanceSpec = {
  instanceId: 'web-1',
  labels: { app: 'shop', process: 'web' },
  command: 'node server.js',
  workDir: '/unused',
  env: { GREETING: 'hi', PORT: '1' },
  stopGraceMs: 2_500,
  image: 'sha256:abc',
};
const placement = {
  namespace: 'prod',
  host: '127.0.0.1',
  hostPort: 23_001,
  containerPort: 8080,
  networkName: 'slipway-prod-shop',
  startedAtMs: 1_700_000_000_000,
  logMaxBytes: 1_048_576,
};

describe('containerCreateBody', () => {
  it('runs the command with a shell in the image, PORT last, the port published on loopback only', () => {
    const body = containerCreateBody(spec, placement);

    expect(body).toMatchObject({
      name: 'slipway-prod-web-1',
      Image: 'sha256:abc',
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['exec node server.js'],
      Env: ['GREETING=hi', 'PORT=8080'],
      ExposedPorts: { '8080/tcp': {} },
      StopTimeout: 3,
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '23001' }] },
        Init: true,
        RestartPolicy: { Name: 'no' },
        NetworkMode: 'slipway-prod-shop',
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1048576', 'max-file': '3' } },
      },
    });
  });

  it('gives a process that serves on no port no PORT', () => {
    const body = containerCreateBody({ ...spec, env: { GREETING: 'hi' }, listensOnPort: false }, placement);

    expect(body.Env).toEqual(['GREETING=hi']);
  });

  it('labels the container with the spec labels and what re-adopting it needs', () => {
    expect(containerCreateBody({ ...spec, networkScope: 'shop' }, placement).Labels).toEqual({
      app: 'shop',
      process: 'web',
      'slipway.namespace': 'prod',
      'slipway.runtime': 'docker',
      'slipway.instance-id': 'web-1',
      'slipway.host-port': '23001',
      'slipway.container-port': '8080',
      'slipway.started-at-ms': '1700000000000',
      'slipway.network-scope': 'shop',
    });
  });

  it('gives the container its network aliases on its network, and none when the spec has none', () => {
    const body = containerCreateBody({ ...spec, networkAliases: ['shop', 'worker.shop'] }, placement);

    expect(body.NetworkingConfig).toEqual({
      EndpointsConfig: { 'slipway-prod-shop': { Aliases: ['shop', 'worker.shop'] } },
    });
    expect(containerCreateBody(spec, placement)).not.toHaveProperty('NetworkingConfig');
  });

  it("keeps the image's own command when the spec's is empty", () => {
    const body = containerCreateBody({ ...spec, command: '  ' }, placement);

    expect(body.Cmd).toBeUndefined();
    expect(body.Entrypoint).toBeUndefined();
  });

  it('sets memory without swap, CPUs in nano-CPUs and pids, and nothing when there are no limits', () => {
    const limited = containerCreateBody(
      { ...spec, limits: { memoryBytes: 64 << 20, cpus: 0.25, pids: 32 } },
      placement,
    );

    expect(limited.HostConfig).toMatchObject({
      Memory: 64 << 20,
      MemorySwap: 64 << 20,
      NanoCpus: 250_000_000,
      PidsLimit: 32,
    });
    const unlimited = containerCreateBody(spec, placement).HostConfig ?? {};
    expect(['Memory', 'MemorySwap', 'NanoCpus', 'PidsLimit'].filter((key) => key in unlimited)).toEqual([]);
  });
});

describe('names', () => {
  it("replaces what Docker's names do not allow", () => {
    expect(containerNameOf('prod', 'web/1 ü')).toBe('slipway-prod-web-1--');
    expect(networkNameOf('prod', undefined)).toBe('slipway-prod-default');
    expect(networkNameOf('prod', 'my project')).toBe('slipway-prod-my-project');
  });
});

describe('stopTimeoutSeconds', () => {
  it('rounds the grace up to whole seconds', () => {
    expect([0, 1, 1_000, 1_001].map(stopTimeoutSeconds)).toEqual([0, 1, 1, 2]);
  });
});

describe('assertLimitsValid', () => {
  it('refuses limits no engine could take with RESOURCE_LIMITS_INVALID, naming each', () => {
    expect(() => assertLimitsValid('web-1', { memoryBytes: 0, cpus: Number.NaN, pids: 1.5 })).toThrow(
      expect.objectContaining({
        code: 'RESOURCE_LIMITS_INVALID',
        message: expect.stringMatching(/memoryBytes.*cpus.*pids/) as unknown,
      }),
    );
    expect(() => assertLimitsValid('web-1', { memoryBytes: 6 << 20, cpus: 0.01, pids: 1 })).not.toThrow();
    expect(() => assertLimitsValid('web-1', undefined)).not.toThrow();
  });
});
