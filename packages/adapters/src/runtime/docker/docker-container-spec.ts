/** Turns an instance spec into the Docker Engine's container create body, and names and labels what the driver owns. */
import type Docker from 'dockerode';
import { SlipwayError } from '@slipway/contract';
import type { InstanceSpec, ResourceLimits } from '@slipway/core';
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import { namespaceLabel } from '../../docker/docker-engine.js';
import { keptCapabilities } from '../container-capabilities.js';
import { execCommandLine } from '../exec-command-line.js';

export const dockerRuntimeName = 'docker';

/** Docker names allow `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; anything else becomes `-`. */
function dockerName(...parts: string[]): string {
  return parts.join('-').replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** `slipway-<namespace>-<instanceId>`; the labels, not the name, say whose it is (names can collide once sanitized). */
export function containerNameOf(namespace: string, instanceId: string): string {
  return dockerName('slipway', namespace, instanceId);
}

/** `slipway-<namespace>-<scope>`: one user-defined bridge per network scope, so a project's instances see each other. */
export function networkNameOf(namespace: string, networkScope: string | undefined): string {
  return dockerName('slipway', namespace, networkScope ?? 'default');
}

export interface ContainerPlacement {
  namespace: string;
  /** Address the port is published on (loopback: the edge router is on this machine). */
  host: string;
  hostPort: number;
  containerPort: number;
  networkName: string;
  startedAtMs: number;
  /** Size at which the engine rotates the json-file log. */
  logMaxBytes: number;
}

const logFiles = 3;

/**
 * The create body: the spec's image, command, env, limits, labels and network aliases; the port published on `host`;
 * no restarts; the capabilities cut to `keptCapabilities` and no new privileges.
 */
export function containerCreateBody(spec: InstanceSpec, placement: ContainerPlacement): Docker.ContainerCreateOptions {
  const { hostPort, containerPort } = placement;
  const portKey = `${containerPort}/tcp`;
  // A process that serves on no port (a worker, a one-off run) is given no PORT; its port is published unused.
  const env = spec.listensOnPort === false ? { ...spec.env } : { ...spec.env, PORT: String(containerPort) };
  const command =
    spec.command.trim() === '' ? {} : { Entrypoint: ['/bin/sh', '-c'], Cmd: [execCommandLine(spec.command)] };
  return {
    name: containerNameOf(placement.namespace, spec.instanceId),
    Image: spec.image,
    ...command,
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    Labels: {
      ...spec.labels,
      [namespaceLabel]: placement.namespace,
      [containerInstanceLabels.runtime]: dockerRuntimeName,
      [containerInstanceLabels.instanceId]: spec.instanceId,
      [containerInstanceLabels.hostPort]: String(hostPort),
      [containerInstanceLabels.containerPort]: String(containerPort),
      [containerInstanceLabels.startedAtMs]: String(placement.startedAtMs),
      ...(spec.networkScope === undefined ? {} : { [containerInstanceLabels.networkScope]: spec.networkScope }),
    },
    ExposedPorts: { [portKey]: {} },
    StopTimeout: stopTimeoutSeconds(spec.stopGraceMs),
    HostConfig: {
      PortBindings: { [portKey]: [{ HostIp: placement.host, HostPort: String(hostPort) }] },
      // Signals reach the app (a shell or app as PID 1 would ignore SIGTERM), and zombies are reaped.
      Init: true,
      // Slipway's controller restarts instances, counting and backing off; the engine must not do it behind its back.
      RestartPolicy: { Name: 'no' },
      NetworkMode: placement.networkName,
      // The app keeps only the capabilities ordinary images need, and no binary (setuid or file capabilities) in its
      // image can raise them again.
      CapDrop: ['ALL'],
      CapAdd: [...keptCapabilities],
      SecurityOpt: ['no-new-privileges:true'],
      LogConfig: {
        Type: 'json-file',
        Config: { 'max-size': String(placement.logMaxBytes), 'max-file': String(logFiles) },
      },
      ...hostConfigLimits(spec.limits),
    },
    // Other instances of the scope reach this one by these names too (the app's name), beside the container's own.
    ...(spec.networkAliases === undefined || spec.networkAliases.length === 0
      ? {}
      : { NetworkingConfig: { EndpointsConfig: { [placement.networkName]: { Aliases: [...spec.networkAliases] } } } }),
  };
}

/** The engine's stop timeout: whole seconds, rounded up so the app gets at least its grace. */
export function stopTimeoutSeconds(graceMs: number): number {
  return Math.max(0, Math.ceil(graceMs / 1000));
}

function hostConfigLimits(limits: ResourceLimits | undefined): Docker.HostConfig {
  const config: Docker.HostConfig = {};
  if (limits?.memoryBytes !== undefined) {
    config.Memory = limits.memoryBytes;
    // Swap equal to memory means no swap: the limit is RAM, as the port promises.
    config.MemorySwap = limits.memoryBytes;
  }
  if (limits?.cpus !== undefined) config.NanoCpus = Math.round(limits.cpus * 1e9);
  if (limits?.pids !== undefined) config.PidsLimit = limits.pids;
  return config;
}

/** Refuses limits no engine could take (the engine itself judges the rest: its minimum memory, the host's CPUs). */
export function assertLimitsValid(instanceId: string, limits: ResourceLimits | undefined): void {
  if (limits === undefined) return;
  const problems: string[] = [];
  const isPositiveInteger = (value: number): boolean => Number.isSafeInteger(value) && value > 0;
  if (limits.memoryBytes !== undefined && !isPositiveInteger(limits.memoryBytes)) {
    problems.push(`memoryBytes must be a positive whole number (got ${limits.memoryBytes})`);
  }
  if (limits.cpus !== undefined && !(Number.isFinite(limits.cpus) && limits.cpus > 0)) {
    problems.push(`cpus must be a positive number (got ${limits.cpus})`);
  }
  if (limits.pids !== undefined && !isPositiveInteger(limits.pids)) {
    problems.push(`pids must be a positive whole number (got ${limits.pids})`);
  }
  if (problems.length > 0) {
    throw new SlipwayError('RESOURCE_LIMITS_INVALID', `invalid resource limits: ${problems.join('; ')}`, {
      details: { instanceId, limits: { ...limits } },
    });
  }
}
