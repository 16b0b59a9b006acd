import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { InstanceSpec } from '@slipway/core';
import { secretNameOf, serviceNameOf, swarmName } from './swarm-names.js';
import { limitsFromService, serviceSpecOf, splitSecretEnv, type ServicePlacement } from './swarm-service-spec.js';

const spec: InstanceSpec = {
  instanceId: 'i-1',
  labels: { app: 'web' },
  command: 'node server.js',
  workDir: '/app',
  env: { GREETING: 'hi', API_TOKEN: 's3cret', PORT: '1' },
  stopGraceMs: 2_500,
  image: 'sha256:abc',
};
const placement: ServicePlacement = {
  namespace: 'prod',
  hostPort: 22_801,
  containerPort: 8_080,
  startedAtMs: 1_700_000_000_000,
  secrets: [],
  env: spec.env,
  logMaxBytes: 1_024,
};

const containerSpecOf = (service: Docker.ServiceSpec): Docker.ContainerSpec =>
  (service.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec ?? {};

describe('swarm names', () => {
  it('keeps only what service and secret names accept', () => {
    expect(swarmName('prod', 'web.1/x__y', 'API_TOKEN'.toLowerCase())).toBe('slipway-prod-web-1-x-y-api_token');
    expect(serviceNameOf('prod', 'i-1--')).toBe('slipway-prod-i-1');
  });

  it('shortens a long name to 63 characters, keeping distinct ids distinct', () => {
    const long = 'x'.repeat(80);
    const first = secretNameOf('prod', `${long}a`, 'TOKEN');
    const second = secretNameOf('prod', `${long}b`, 'TOKEN');

    expect(first).toHaveLength(63);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/);
  });
});

describe('splitSecretEnv', () => {
  it('takes secrets out of the env when the command can be wrapped', () => {
    expect(splitSecretEnv({ ...spec, secretNames: ['API_TOKEN', 'MISSING'] })).toEqual({
      env: { GREETING: 'hi', PORT: '1' },
      secrets: [{ envName: 'API_TOKEN', value: 's3cret' }],
      keptInEnv: [],
    });
  });

  it('keeps them in the env, saying why, for an image run with its own command or a name no shell takes', () => {
    const own = splitSecretEnv({ ...spec, command: ' ', secretNames: ['API_TOKEN'] });
    const badName = splitSecretEnv({ ...spec, env: { 'A-B': 'x' }, secretNames: ['A-B'] });

    expect(own.env).toMatchObject({ API_TOKEN: 's3cret' });
    expect(own.keptInEnv).toEqual([
      { envName: 'API_TOKEN', reason: expect.stringContaining('own command') as unknown },
    ]);
    expect(badName.keptInEnv).toEqual([{ envName: 'A-B', reason: expect.stringContaining('shell') as unknown }]);
  });
});

describe('serviceSpecOf', () => {
  it('makes one replica that the engine never restarts, publishing its port in host mode without a virtual IP', () => {
    const service = serviceSpecOf(spec, placement);

    expect(service.Name).toBe('slipway-prod-i-1');
    expect(service.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(service.TaskTemplate?.RestartPolicy).toMatchObject({ Condition: 'none' });
    expect(service.EndpointSpec).toEqual({
      Mode: 'dnsrr',
      Ports: [{ Protocol: 'tcp', TargetPort: 8_080, PublishedPort: 22_801, PublishMode: 'host' }],
    });
  });

  it('runs the command with /bin/sh -c, sets PORT to the container port, and labels service and container', () => {
    const service = serviceSpecOf(spec, placement);
    const container = containerSpecOf(service);

    expect(container).toMatchObject({
      Image: 'sha256:abc',
      Command: ['/bin/sh', '-c', 'exec node server.js'],
      Init: true,
      StopGracePeriod: 2_500_000_000,
    });
    expect(container.Env).toEqual(['GREETING=hi', 'API_TOKEN=s3cret', 'PORT=8080']);
    const labels = {
      app: 'web',
      'slipway.namespace': 'prod',
      'slipway.runtime': 'swarm',
      'slipway.instance-id': 'i-1',
      'slipway.host-port': '22801',
      'slipway.container-port': '8080',
      'slipway.started-at-ms': '1700000000000',
    };
    expect(service.Labels).toEqual(labels);
    expect(container.Labels).toEqual(labels);
  });

  it("keeps the image's own command when the spec gives none", () => {
    expect(containerSpecOf(serviceSpecOf({ ...spec, command: '' }, placement)).Command).toBeUndefined();
  });

  it('mounts secrets under /run/secrets and exports them before the command', () => {
    const secrets = [{ envName: 'API_TOKEN', secretId: 'sid', secretName: 'slipway-prod-i-1-api_token' }];
    const container = containerSpecOf(serviceSpecOf(spec, { ...placement, secrets, env: { GREETING: 'hi' } }));

    expect(container.Secrets).toEqual([
      {
        SecretID: 'sid',
        SecretName: 'slipway-prod-i-1-api_token',
        File: { Name: 'API_TOKEN', UID: '0', GID: '0', Mode: 0o444 },
      },
    ]);
    expect(container.Command).toEqual([
      '/bin/sh',
      '-c',
      'export API_TOKEN="$(cat /run/secrets/API_TOKEN)"\nexec node server.js',
    ]);
    expect(container.Env?.join('\n')).not.toContain('s3cret');
  });

  it('passes limits, placement constraints, the network and its aliases', () => {
    const service = serviceSpecOf(
      {
        ...spec,
        limits: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 64 },
        placement: ['node.labels.zone==a'],
        networkScope: 'shop',
        networkAliases: ['web'],
      },
      { ...placement, networkId: 'net-1' },
    );

    expect(service.TaskTemplate?.Resources?.Limits).toEqual({
      MemoryBytes: 67_108_864,
      NanoCPUs: 500_000_000,
      Pids: 64,
    });
    expect(service.TaskTemplate?.Placement).toEqual({ Constraints: ['node.labels.zone==a'] });
    expect(service.TaskTemplate?.Networks).toEqual([{ Target: 'net-1', Aliases: ['web'] }]);
    expect(service.Labels?.['slipway.network-scope']).toBe('shop');
    expect(limitsFromService(service)).toEqual({ memoryBytes: 67_108_864, cpus: 0.5, pids: 64 });
  });

  it('reads no limits back from a service that asks none', () => {
    expect(limitsFromService(serviceSpecOf(spec, placement))).toBeUndefined();
  });
});
