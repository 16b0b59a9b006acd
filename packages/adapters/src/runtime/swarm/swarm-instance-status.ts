/** Reads an instance's status out of its Swarm service and the service's newest task. */
import { constants } from 'node:os';
import type Docker from 'dockerode';
import type { InstanceStatus } from '@slipway/core';
import { containerInstanceLabelKeys, containerInstanceLabels } from '../../docker/container-instance-labels.js';
import { limitsFromService } from './swarm-service-spec.js';

/** The members of a Swarm task (`GET /tasks`) the driver reads. */
export interface SwarmTask {
  ID: string;
  ServiceID?: string;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Version?: { Index?: number };
  Status?: {
    Timestamp?: string;
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; PID?: number; ExitCode?: number };
  };
}

/** The members of a Swarm service (`GET /services`) the driver reads. */
export interface SwarmService {
  ID: string;
  Version?: { Index?: number | undefined } | undefined;
  Spec?: Docker.ServiceSpec | undefined;
}

/** Task states after which the task's container never runs again. */
const finalStates: ReadonlySet<string> = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

export function isFinalTaskState(state: string | undefined): boolean {
  return state !== undefined && finalStates.has(state);
}

/** The task Swarm made last for the service (one replica, no restarts: normally its only one). */
export function newestTask(tasks: readonly SwarmTask[]): SwarmTask | undefined {
  let newest: SwarmTask | undefined;
  for (const task of tasks) {
    if (newest === undefined || (task.Version?.Index ?? 0) > (newest.Version?.Index ?? 0)) newest = task;
  }
  return newest;
}

/** True when the task's container was started: it ran and exited, as opposed to a task that never got to run. */
export function didTaskRun(task: SwarmTask): boolean {
  const state = task.Status?.State;
  if (state === 'running' || state === 'complete') return true;
  return state === 'failed' && (task.Status?.Err ?? '').startsWith('task: non-zero exit');
}

/** The spec's own labels of a service, without the driver's. */
export function specLabelsOf(service: SwarmService): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.Spec?.Labels ?? {})) {
    if (!containerInstanceLabelKeys.has(key)) labels[key] = value;
  }
  return labels;
}

export function labelOf(service: SwarmService, key: string): string | undefined {
  return service.Spec?.Labels?.[key];
}

function numberLabel(service: SwarmService, key: string): number {
  const value = Number(labelOf(service, key));
  return Number.isFinite(value) ? value : 0;
}

/** What the driver learns about a task beyond the task itself: where it runs and whether it was OOM-killed. */
export interface TaskPlacementFacts {
  /** Address the host port is published on. */
  host: string;
  /** Hostname of the task's node. */
  node?: string;
  oomKilled?: boolean;
}

/**
 * The status: running while the task is running or on its way to run (pid unknown until then); exited once the task
 * reached a final state, with the container's exit code. An exit code above 128 names the signal that ended the
 * program, as the shell convention goes (`137` is `SIGKILL`).
 */
export function instanceStatusOf(
  service: SwarmService,
  task: SwarmTask | undefined,
  facts: TaskPlacementFacts,
): InstanceStatus {
  const replicas = service.Spec?.Mode?.Replicated?.Replicas ?? 1;
  const isExited = task === undefined ? replicas === 0 : isFinalTaskState(task.Status?.State);
  const containerStatus = task?.Status?.ContainerStatus;
  const hasContainer = (containerStatus?.ContainerID ?? '') !== '';
  const exitCode =
    isExited && hasContainer && task !== undefined && didTaskRun(task) ? (containerStatus?.ExitCode ?? 0) : null;
  const timestamp = Date.parse(task?.Status?.Timestamp ?? '');
  const limits = limitsFromService(service.Spec);
  const pid = containerStatus?.PID;
  return {
    instanceId: labelOf(service, containerInstanceLabels.instanceId) ?? '',
    labels: specLabelsOf(service),
    state: isExited ? 'exited' : 'running',
    pid: !isExited && pid !== undefined && pid > 0 ? pid : null,
    host: facts.host,
    port: numberLabel(service, containerInstanceLabels.hostPort),
    startedAtMs: numberLabel(service, containerInstanceLabels.startedAtMs),
    exitCode,
    exitSignal: exitCode === null ? null : signalOfExitCode(exitCode),
    exitedAtMs: isExited ? (Number.isFinite(timestamp) ? timestamp : Date.now()) : null,
    ...(facts.oomKilled === undefined ? {} : { oomKilled: facts.oomKilled }),
    ...(limits === undefined ? {} : { limits }),
    ...(facts.node === undefined ? {} : { node: facts.node }),
  };
}

/** `SIGTERM` for 143: the signal a `128 + n` exit code stands for, or null. */
export function signalOfExitCode(exitCode: number): string | null {
  if (exitCode <= 128) return null;
  const number = exitCode - 128;
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry === undefined ? null : entry[0];
}

/** Where a new instance's task is on its way to running. */
export type StartProgress =
  | { kind: 'waiting' }
  | { kind: 'started' }
  | { kind: 'failed'; reason: 'image-not-found' | 'no-suitable-node' | 'task-failed'; message: string };

/**
 * Reads a start's progress from the service's newest task: started once its container runs (or ran: a program that
 * exits at once was still started); failed when the task ended without running, or when the scheduler reports it can
 * place it nowhere (a pending task with an error: a constraint no node meets, or a host port taken on every node).
 */
export function startProgressOf(task: SwarmTask | undefined): StartProgress {
  if (task === undefined) return { kind: 'waiting' };
  const state = task.Status?.State;
  const err = task.Status?.Err ?? '';
  if (didTaskRun(task)) return { kind: 'started' };
  if (/no such image/i.test(err)) return { kind: 'failed', reason: 'image-not-found', message: err };
  if (isFinalTaskState(state)) {
    return { kind: 'failed', reason: 'task-failed', message: err || task.Status?.Message || `task ${state ?? ''}` };
  }
  if (state === 'pending' && err !== '') return { kind: 'failed', reason: 'no-suitable-node', message: err };
  return { kind: 'waiting' };
}
