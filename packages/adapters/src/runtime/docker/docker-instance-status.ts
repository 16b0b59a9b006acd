/** Reads an instance's status out of a container inspect: state, pid, port, exit and limits as the engine reports them. */
import type Docker from 'dockerode';
import type { InstanceStatus, ResourceLimits } from '@slipway/core';
import { containerInstanceLabelKeys, containerInstanceLabels } from '../../docker/container-instance-labels.js';
import { namespaceLabel } from '../../docker/docker-engine.js';
import { dockerRuntimeName } from './docker-container-spec.js';

/** True when the container is an instance of this driver in `namespace` (and, when given, of `instanceId`). */
export function isOwnContainer(
  labels: Readonly<Record<string, string>> | null | undefined,
  namespace: string,
  instanceId?: string,
): boolean {
  return (
    labels?.[namespaceLabel] === namespace &&
    labels[containerInstanceLabels.runtime] === dockerRuntimeName &&
    labels[containerInstanceLabels.instanceId] !== undefined &&
    (instanceId === undefined || labels[containerInstanceLabels.instanceId] === instanceId)
  );
}

/** Whether the engine holds the container's process: running, paused and restarting containers have one. */
export function isContainerRunning(info: Docker.ContainerInspectInfo): boolean {
  return info.State.Running || info.State.Paused || info.State.Restarting;
}

/**
 * The status of an instance container. A container that never started (`created`) or is `dead` counts as exited with
 * an unknown code; `exitSignal` is only known when the engine killed it for its memory (the exit code stays raw).
 */
export function instanceStatusOf(info: Docker.ContainerInspectInfo, host: string): InstanceStatus {
  const labels = info.Config.Labels ?? {};
  const isRunning = isContainerRunning(info);
  const hasExited = !isRunning && info.State.Status !== 'created';
  const isOomKilled = info.State.OOMKilled;
  const limits = limitsOf(info.HostConfig);
  return {
    instanceId: labels[containerInstanceLabels.instanceId] ?? info.Name.replace(/^\//, ''),
    labels: Object.fromEntries(Object.entries(labels).filter(([key]) => !containerInstanceLabelKeys.has(key))),
    state: isRunning ? 'running' : 'exited',
    pid: isRunning && info.State.Pid > 0 ? info.State.Pid : null,
    host,
    port: Number(labels[containerInstanceLabels.hostPort] ?? 0),
    startedAtMs: startedAtMsOf(info),
    exitCode: hasExited ? info.State.ExitCode : null,
    exitSignal: hasExited && isOomKilled ? 'SIGKILL' : null,
    exitedAtMs: isRunning ? null : timeMsOf(info.State.FinishedAt),
    oomKilled: isOomKilled,
    ...(limits === undefined ? {} : { limits }),
  };
}

/** From the label written at create, so it stays the same across re-adoption; else what the engine recorded. */
function startedAtMsOf(info: Docker.ContainerInspectInfo): number {
  const fromLabel = Number(info.Config.Labels?.[containerInstanceLabels.startedAtMs]);
  if (Number.isFinite(fromLabel) && fromLabel > 0) return fromLabel;
  return timeMsOf(info.State.StartedAt) ?? timeMsOf(info.Created) ?? 0;
}

/** Engine times are RFC 3339; the zero time (`0001-01-01T00:00:00Z`) means never. */
function timeMsOf(time: string | undefined): number | null {
  if (time === undefined || time.startsWith('0001-')) return null;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? null : ms;
}

/** The limits the engine enforces, read back from the host config; only members that are set. */
export function limitsOf(hostConfig: Docker.HostConfig | undefined): ResourceLimits | undefined {
  const limits: ResourceLimits = {};
  if (hostConfig?.Memory !== undefined && hostConfig.Memory > 0) limits.memoryBytes = hostConfig.Memory;
  if (hostConfig?.NanoCpus !== undefined && hostConfig.NanoCpus > 0) limits.cpus = hostConfig.NanoCpus / 1e9;
  if (hostConfig?.PidsLimit !== undefined && hostConfig.PidsLimit !== null && hostConfig.PidsLimit > 0) {
    limits.pids = hostConfig.PidsLimit;
  }
  return Object.keys(limits).length === 0 ? undefined : limits;
}
