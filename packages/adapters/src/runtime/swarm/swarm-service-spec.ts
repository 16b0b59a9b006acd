/** Turns an instance spec into the Swarm service that runs it: one replica, host-mode port, no engine restarts. */
import type Docker from 'dockerode';
import type { InstanceSpec, ResourceLimits } from '@slipway/core';
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import { keptCapabilities } from '../container-capabilities.js';
import { execCommandLine } from '../exec-command-line.js';
import { serviceNameOf, swarmRuntimeName } from './swarm-names.js';

/** Where secrets are mounted in the container, one file per env name. */
export const secretsDir = '/run/secrets';

/** An env var whose value the program reads from a Swarm secret instead of the service's Env. */
export interface SecretEnv {
  envName: string;
  value: string;
}

/** A Swarm secret made for one env var, as the service references it. */
export interface MountedSecret {
  envName: string;
  secretId: string;
  secretName: string;
}

export interface SecretSplit {
  /** What stays in the service's Env. */
  env: Record<string, string>;
  /** What becomes a Swarm secret. */
  secrets: SecretEnv[];
  /** Secret names that stay in Env, and why (a command to wrap is needed, and a shell name). */
  keptInEnv: { envName: string; reason: string }[];
}

const shellName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Splits the spec's env into the service's Env and secrets. A secret moves out of Env only when the program can get it
 * back: the command must be given (it is wrapped to export the value) and the name must be a shell variable name.
 */
export function splitSecretEnv(spec: InstanceSpec): SecretSplit {
  const env: Record<string, string> = { ...spec.env };
  const secrets: SecretEnv[] = [];
  const keptInEnv: SecretSplit['keptInEnv'] = [];
  for (const envName of new Set(spec.secretNames ?? [])) {
    const value = spec.env[envName];
    if (value === undefined) continue;
    if (spec.command.trim() === '') {
      keptInEnv.push({ envName, reason: 'the image runs its own command, which cannot be wrapped to read the secret' });
    } else if (!shellName.test(envName)) {
      keptInEnv.push({ envName, reason: 'the name is not a shell variable name' });
    } else {
      secrets.push({ envName, value });
      delete env[envName];
    }
  }
  return { env, secrets, keptInEnv };
}

/**
 * Shell lines that export each secret's file as its env var. `$(cat …)` drops trailing newlines of a value, as a
 * shell does for any command substitution.
 */
export function secretExports(envNames: readonly string[]): string {
  return envNames.map((name) => `export ${name}="$(cat ${secretsDir}/${name})"\n`).join('');
}

export interface ServicePlacement {
  namespace: string;
  hostPort: number;
  containerPort: number;
  startedAtMs: number;
  /** The overlay network of the spec's scope, when it has one. */
  networkId?: string;
  secrets: readonly MountedSecret[];
  /** Env left after the secrets were taken out (see `splitSecretEnv`). */
  env: Readonly<Record<string, string>>;
  /** Size at which the engine rotates the json-file log. */
  logMaxBytes: number;
}

const logFiles = 3;

/** The labels of an instance's service and containers: the spec's own, then ours, which win. */
export function instanceLabels(spec: InstanceSpec, placement: ServicePlacement): Record<string, string> {
  return {
    ...spec.labels,
    [containerInstanceLabels.namespace]: placement.namespace,
    [containerInstanceLabels.runtime]: swarmRuntimeName,
    [containerInstanceLabels.instanceId]: spec.instanceId,
    [containerInstanceLabels.hostPort]: String(placement.hostPort),
    [containerInstanceLabels.containerPort]: String(placement.containerPort),
    [containerInstanceLabels.startedAtMs]: String(placement.startedAtMs),
    ...(spec.networkScope === undefined ? {} : { [containerInstanceLabels.networkScope]: spec.networkScope }),
  };
}

/** The create body of the instance's service. */
export function serviceSpecOf(spec: InstanceSpec, placement: ServicePlacement): Docker.ServiceSpec {
  const labels = instanceLabels(spec, placement);
  const env = { ...placement.env, PORT: String(placement.containerPort) };
  const containerSpec: Docker.ContainerSpec = {
    Image: spec.image,
    ...commandOf(spec.command, placement.secrets),
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    Labels: labels,
    // Signals reach the app (a shell or app as PID 1 would ignore SIGTERM), and zombies are reaped.
    Init: true,
    // As for a container of the docker runtime. Engine API 1.41 has no no-new-privileges for a service (a later API
    // adds NoNewPrivileges to ContainerSpec.Privileges): the capability cut is all a task gets here.
    CapabilityDrop: ['ALL'],
    CapabilityAdd: [...keptCapabilities],
    StopGracePeriod: Math.max(0, Math.round(spec.stopGraceMs)) * 1_000_000,
    Secrets: placement.secrets.map((secret) => ({
      SecretID: secret.secretId,
      SecretName: secret.secretName,
      File: { Name: secret.envName, UID: '0', GID: '0', Mode: 0o444 },
    })),
  };
  return {
    Name: serviceNameOf(placement.namespace, spec.instanceId),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: containerSpec,
      Resources: { Limits: limitsOf(spec.limits) },
      // Slipway's controller restarts instances, counting and backing off; the engine must not do it behind its back.
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      Placement: { Constraints: [...(spec.placement ?? [])] },
      // `docker service logs` reads json-file (or journald) logs only: do not depend on the daemon's default driver.
      LogDriver: {
        Name: 'json-file',
        Options: { 'max-size': String(placement.logMaxBytes), 'max-file': String(logFiles) },
      },
      ...(placement.networkId === undefined
        ? {}
        : { Networks: [{ Target: placement.networkId, Aliases: [...(spec.networkAliases ?? [])] }] }),
    },
    Mode: { Replicated: { Replicas: 1 } },
    // No IPVS in every kernel: no virtual IP and no routing mesh; the port is published on the task's own node.
    EndpointSpec: {
      Mode: 'dnsrr',
      Ports: [
        {
          Protocol: 'tcp',
          TargetPort: placement.containerPort,
          PublishedPort: placement.hostPort,
          PublishMode: 'host',
        },
      ],
    },
  };
}

function commandOf(command: string, secrets: readonly MountedSecret[]): Docker.ContainerSpec {
  if (command.trim() === '') return {};
  const script = secretExports(secrets.map((secret) => secret.envName)) + execCommandLine(command);
  return { Command: ['/bin/sh', '-c', script] };
}

function limitsOf(limits: ResourceLimits | undefined): Docker.ResourceLimits {
  const result: Docker.ResourceLimits = {};
  if (limits?.memoryBytes !== undefined) result.MemoryBytes = limits.memoryBytes;
  if (limits?.cpus !== undefined) result.NanoCPUs = Math.round(limits.cpus * 1e9);
  if (limits?.pids !== undefined) result.Pids = limits.pids;
  return result;
}

/** The limits a service's spec asks the engine to enforce, in the port's terms; undefined when it asks none. */
export function limitsFromService(spec: Docker.ServiceSpec | undefined): ResourceLimits | undefined {
  const limits = spec?.TaskTemplate?.Resources?.Limits;
  const result: ResourceLimits = {};
  if (limits?.MemoryBytes !== undefined && limits.MemoryBytes > 0) result.memoryBytes = limits.MemoryBytes;
  if (limits?.NanoCPUs !== undefined && limits.NanoCPUs > 0) result.cpus = limits.NanoCPUs / 1e9;
  if (limits?.Pids !== undefined && limits.Pids > 0) result.pids = limits.Pids;
  return Object.keys(result).length === 0 ? undefined : result;
}
