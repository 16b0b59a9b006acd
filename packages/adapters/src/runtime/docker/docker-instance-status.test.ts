import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { instanceStatusOf, isOwnContainer } from './docker-instance-status.js';

const ownLabels = {
  app: 'shop',
  'slipway.namespace': 'prod',
  'slipway.runtime': 'docker',
  'slipway.instance-id': 'web-1',
  'slipway.host-port': '23001',
  'slipway.container-port': '8080',
  'slipway.started-at-ms': '1700000000000',
};

type State = Partial<Docker.ContainerInspectInfo['State']>;

const inspectOf = (state: State, hostConfig: Partial<Docker.HostConfig> = {}): Docker.ContainerInspectInfo =>
  ({
    Id: 'c0ffee',
    Name: '/slipway-prod-web-1',
    Created: '2026-01-01T00:00:00Z',
    Config: { Labels: ownLabels },
    HostConfig: { Memory: 0, NanoCpus: 0, PidsLimit: null, ...hostConfig },
    State: {
      Status: 'running',
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: '2026-01-01T00:00:01Z',
      FinishedAt: '0001-01-01T00:00:00Z',
      ...state,
    },
  }) as unknown as Docker.ContainerInspectInfo;

describe('instanceStatusOf', () => {
  it('reports a running container with its pid, host port, label start time and only the spec labels', () => {
    const status = instanceStatusOf(inspectOf({ Status: 'running', Running: true, Pid: 4242 }), '127.0.0.1');

    expect(status).toEqual({
      instanceId: 'web-1',
      labels: { app: 'shop' },
      state: 'running',
      pid: 4242,
      host: '127.0.0.1',
      port: 23_001,
      startedAtMs: 1_700_000_000_000,
      exitCode: null,
      exitSignal: null,
      exitedAtMs: null,
      oomKilled: false,
    });
  });

  it('keeps the raw exit code and says SIGKILL only when the engine killed it for its memory', () => {
    const finishedAt = '2026-01-01T00:01:00.5Z';
    const exited = instanceStatusOf(inspectOf({ Status: 'exited', ExitCode: 3, FinishedAt: finishedAt }), 'h');
    const oom = instanceStatusOf(
      inspectOf({ Status: 'exited', ExitCode: 137, OOMKilled: true, FinishedAt: finishedAt }),
      'h',
    );

    expect(exited).toMatchObject({ state: 'exited', pid: null, exitCode: 3, exitSignal: null });
    expect(exited.exitedAtMs).toBe(Date.parse(finishedAt));
    expect(oom).toMatchObject({ state: 'exited', exitCode: 137, exitSignal: 'SIGKILL', oomKilled: true });
  });

  it('counts a paused or restarting container as running, and one that never started as exited, code unknown', () => {
    expect(instanceStatusOf(inspectOf({ Status: 'paused', Paused: true, Pid: 7 }), 'h').state).toBe('running');
    expect(instanceStatusOf(inspectOf({ Status: 'restarting', Restarting: true }), 'h').state).toBe('running');
    expect(instanceStatusOf(inspectOf({ Status: 'created' }), 'h')).toMatchObject({
      state: 'exited',
      exitCode: null,
      exitedAtMs: null,
    });
  });

  it('reads back the limits that are set, and none when none are', () => {
    const limited = inspectOf({ Running: true }, { Memory: 64 << 20, NanoCpus: 500_000_000, PidsLimit: 64 });
    const memoryOnly = inspectOf({ Running: true }, { Memory: 64 << 20, PidsLimit: -1 });

    expect(instanceStatusOf(limited, 'h').limits).toEqual({ memoryBytes: 64 << 20, cpus: 0.5, pids: 64 });
    expect(instanceStatusOf(memoryOnly, 'h').limits).toEqual({ memoryBytes: 64 << 20 });
    expect(instanceStatusOf(inspectOf({ Running: true }), 'h')).not.toHaveProperty('limits');
  });
});

describe('isOwnContainer', () => {
  it('claims only instance containers of its own namespace', () => {
    expect(isOwnContainer(ownLabels, 'prod')).toBe(true);
    expect(isOwnContainer(ownLabels, 'prod', 'web-1')).toBe(true);
    expect(isOwnContainer(ownLabels, 'prod', 'web-2')).toBe(false);
    expect(isOwnContainer(ownLabels, 'staging')).toBe(false);
    expect(isOwnContainer({ ...ownLabels, 'slipway.runtime': 'swarm' }, 'prod')).toBe(false);
    expect(isOwnContainer({ 'slipway.namespace': 'prod', 'slipway.runtime': 'docker' }, 'prod')).toBe(false);
    expect(isOwnContainer(null, 'prod')).toBe(false);
  });
});
