import { describe, expect, it } from 'vitest';
import {
  instanceStatusOf,
  newestTask,
  signalOfExitCode,
  startProgressOf,
  type SwarmService,
  type SwarmTask,
} from './swarm-instance-status.js';

const service: SwarmService = {
  ID: 'svc',
  Spec: {
    Labels: {
      app: 'web',
      'slipway.namespace': 'prod',
      'slipway.runtime': 'swarm',
      'slipway.instance-id': 'i-1',
      'slipway.host-port': '22801',
      'slipway.container-port': '8080',
      'slipway.started-at-ms': '1700000000000',
    },
    Mode: { Replicated: { Replicas: 1 } },
    TaskTemplate: { Resources: { Limits: { MemoryBytes: 1_048_576 } } },
  },
};

const taskIn = (state: string, extra: Partial<NonNullable<SwarmTask['Status']>> = {}, index = 1): SwarmTask => ({
  ID: `t-${index}`,
  ServiceID: 'svc',
  NodeID: 'n1',
  Version: { Index: index },
  Status: { State: state, Timestamp: '2026-01-02T03:04:05.000Z', ...extra },
});
const ran = (exitCode: number) => ({ ContainerStatus: { ContainerID: 'c1', PID: 0, ExitCode: exitCode } });
const facts = { host: '127.0.0.1', node: 'vm' };

describe('instanceStatusOf', () => {
  it('reports a running task with its pid, port, labels of the spec and limits', () => {
    const status = instanceStatusOf(
      service,
      taskIn('running', { ContainerStatus: { ContainerID: 'c1', PID: 4242 } }),
      facts,
    );

    expect(status).toEqual({
      instanceId: 'i-1',
      labels: { app: 'web' },
      state: 'running',
      pid: 4242,
      host: '127.0.0.1',
      port: 22_801,
      startedAtMs: 1_700_000_000_000,
      exitCode: null,
      exitSignal: null,
      exitedAtMs: null,
      limits: { memoryBytes: 1_048_576 },
      node: 'vm',
    });
  });

  it('counts a task still on its way to run as running, without a pid', () => {
    expect(instanceStatusOf(service, taskIn('preparing'), facts)).toMatchObject({ state: 'running', pid: null });
  });

  it('reports the exit code and time of a task that ran and ended, and the signal of a code above 128', () => {
    expect(
      instanceStatusOf(service, taskIn('failed', { Err: 'task: non-zero exit (3)', ...ran(3) }), facts),
    ).toMatchObject({
      state: 'exited',
      pid: null,
      exitCode: 3,
      exitSignal: null,
      exitedAtMs: Date.parse('2026-01-02T03:04:05.000Z'),
    });
    expect(instanceStatusOf(service, taskIn('complete', ran(0)), facts)).toMatchObject({ exitCode: 0 });
    expect(
      instanceStatusOf(service, taskIn('failed', { Err: 'task: non-zero exit (143)', ...ran(143) }), facts),
    ).toMatchObject({ exitCode: 143, exitSignal: 'SIGTERM' });
  });

  it('reports no exit code for a task that never ran', () => {
    expect(instanceStatusOf(service, taskIn('rejected', { Err: 'No such image: x' }), facts)).toMatchObject({
      state: 'exited',
      exitCode: null,
    });
  });

  it('counts a service scaled to zero without a task as exited', () => {
    const stopped = { ...service, Spec: { ...service.Spec, Mode: { Replicated: { Replicas: 0 } } } };
    expect(instanceStatusOf(stopped, undefined, facts).state).toBe('exited');
    expect(instanceStatusOf(service, undefined, facts).state).toBe('running');
  });
});

describe('startProgressOf', () => {
  it('waits while the task is on its way, and is done once it runs or ran', () => {
    expect(startProgressOf(undefined)).toEqual({ kind: 'waiting' });
    expect(startProgressOf(taskIn('preparing'))).toEqual({ kind: 'waiting' });
    expect(startProgressOf(taskIn('running'))).toEqual({ kind: 'started' });
    expect(startProgressOf(taskIn('failed', { Err: 'task: non-zero exit (3)', ...ran(3) }))).toEqual({
      kind: 'started',
    });
  });

  it('tells a missing image, a placement nobody meets and a task that could not start apart', () => {
    expect(startProgressOf(taskIn('rejected', { Err: 'No such image: local/x:1' }))).toMatchObject({
      kind: 'failed',
      reason: 'image-not-found',
    });
    expect(
      startProgressOf(taskIn('pending', { Err: 'no suitable node (scheduling constraints not satisfied on 1 node)' })),
    ).toMatchObject({ kind: 'failed', reason: 'no-suitable-node' });
    expect(
      startProgressOf(taskIn('failed', { Err: 'starting container failed: exec: "/bin/sh": not found' })),
    ).toMatchObject({ kind: 'failed', reason: 'task-failed', message: expect.stringContaining('/bin/sh') as unknown });
  });
});

describe('newestTask and signalOfExitCode', () => {
  it('picks the task of the highest version', () => {
    expect(newestTask([taskIn('failed', {}, 3), taskIn('running', {}, 7), taskIn('shutdown', {}, 5)])?.ID).toBe('t-7');
  });

  it('names the signal of 128 + n, and none for ordinary codes', () => {
    expect(signalOfExitCode(137)).toBe('SIGKILL');
    expect(signalOfExitCode(1)).toBeNull();
    expect(signalOfExitCode(255)).toBeNull();
  });
});
