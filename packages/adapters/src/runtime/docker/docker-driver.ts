/**
 * RuntimeDriver for a Docker Engine: each instance is one container, labelled with the driver's namespace, so a
 * restarted control plane finds its instances again and two control planes on one engine never touch each other's.
 */
import type Docker from 'dockerode';
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { InstanceSpec, InstanceStatus, Logger, RuntimeDriver } from '@slipway/core';
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import { containerRuntimeCapabilities } from '../../docker/container-runtime-capabilities.js';
import {
  engineError,
  engineMessageOf,
  engineStatusOf,
  namespaceLabel,
  type DockerEngine,
} from '../../docker/docker-engine.js';
import { createPortAllocator, noFreePort } from '../port-allocator.js';
import {
  assertLimitsValid,
  containerCreateBody,
  containerNameOf,
  dockerRuntimeName,
  networkNameOf,
  stopTimeoutSeconds,
} from './docker-container-spec.js';
import { runDockerExec } from './docker-exec.js';
import { createDockerInstanceStats } from './docker-instance-stats.js';
import { instanceStatusOf, isContainerRunning, isOwnContainer } from './docker-instance-status.js';
import { readDockerLogs } from './docker-logs.js';
import { createDockerNetworks } from './docker-networks.js';

export interface DockerDriverOptions {
  engine: DockerEngine;
  /** Names and labels everything the driver creates; one per slipwayd sharing an engine (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`). */
  namespace: string;
  /** Inclusive range host ports are allocated from. */
  portRange: { from: number; to: number };
  /** Address instance ports are published on and reported at; default 127.0.0.1 (the edge router is on this machine). */
  host?: string;
  logger: Logger;
  /** The engine rotates an instance's log (json-file, 3 files) at this size; default 10 MiB. */
  logMaxBytes?: number;
}

/** Host ports tried per start when the engine finds the one picked taken (by something outside the range, or a race). */
const portAttempts = 5;
const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

interface OwnContainer {
  container: Docker.Container;
  info: Docker.ContainerInspectInfo;
}

/** The engine refused the host port: another port may do. */
class HostPortTaken extends Error {}

/**
 * A RuntimeDriver running instances as containers of `spec.image`, with their limits enforced by the engine.
 * Secret env values (`spec.secretNames`) are passed in the container's Env, so `docker inspect` shows them to whoever
 * may use the engine — as `/proc/<pid>/environ` shows a process's to its user.
 */
export function createDockerDriver(options: DockerDriverOptions): RuntimeDriver {
  const { engine, namespace } = options;
  assertOptionsValid(options);
  const client = engine.client;
  const host = options.host ?? '127.0.0.1';
  const engineName = `the Docker Engine at ${engine.address}`;
  const log = options.logger.child({ component: 'docker-driver', namespace });
  const ports = createPortAllocator({ ...options.portRange, hosts: [host] });
  const networks = createDockerNetworks({ client, namespace, engineName, logger: log });
  const instanceStats = createDockerInstanceStats({ client, engineName });
  const startingIds = new Set<string>();

  const notFound = (instanceId: string): SlipwayError =>
    new SlipwayError('INSTANCE_NOT_FOUND', `no instance ${instanceId}`, { details: { instanceId } });

  async function findContainer(instanceId: string): Promise<OwnContainer | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await client.getContainer(containerNameOf(namespace, instanceId)).inspect();
    } catch (error) {
      if (engineStatusOf(error) === 404) return undefined;
      throw engineError(error, engineName);
    }
    if (!isOwnContainer(info.Config.Labels, namespace, instanceId)) return undefined;
    return { container: client.getContainer(info.Id), info };
  }

  /** A container this object is still creating and starting does not exist yet for the port's callers. */
  const isBeingStarted = (info: Docker.ContainerInspectInfo): boolean =>
    info.State.Status === 'created' && startingIds.has(info.Config.Labels?.[containerInstanceLabels.instanceId] ?? '');

  async function listOwnContainers(isAll: boolean): Promise<Docker.ContainerInfo[]> {
    try {
      const containers = await client.listContainers({
        all: isAll,
        filters: {
          label: [`${namespaceLabel}=${namespace}`, `${containerInstanceLabels.runtime}=${dockerRuntimeName}`],
        },
      });
      return containers.filter((container) => isOwnContainer(container.Labels, namespace));
    } catch (error) {
      throw engineError(error, engineName);
    }
  }

  async function start(spec: InstanceSpec): Promise<InstanceStatus> {
    const { instanceId } = spec;
    if (spec.image === undefined || spec.image === '') {
      throw startFailed(instanceId, 'the docker runtime runs images; the spec names none (use the process runtime)');
    }
    assertLimitsValid(instanceId, spec.limits);
    if (startingIds.has(instanceId)) throw startFailed(instanceId, `instance ${instanceId} is already starting`);
    startingIds.add(instanceId);
    try {
      const existing = await findContainer(instanceId);
      if (existing !== undefined && isContainerRunning(existing.info)) {
        throw startFailed(instanceId, `instance ${instanceId} is already running`);
      }
      await assertImagePresent(instanceId, spec.image);
      if (existing !== undefined) {
        // An exited container of this id is an earlier run: it is replaced, not restarted.
        await discardContainer(existing.container, existing.info.HostConfig.NetworkMode, {
          keepNetwork: networkNameOf(namespace, spec.networkScope),
        });
      }
      return await startOnFreePort(spec);
    } finally {
      startingIds.delete(instanceId);
    }
  }

  async function assertImagePresent(instanceId: string, image: string): Promise<void> {
    try {
      await client.getImage(image).inspect();
    } catch (error) {
      if (engineStatusOf(error) === 404) throw imageNotFound(instanceId, image);
      throw engineError(error, engineName);
    }
  }

  function imageNotFound(instanceId: string, image: string): SlipwayError {
    return startFailed(
      instanceId,
      `image ${image} is not on ${engineName}; no registry pull is attempted: build or load the image there first`,
      { image, reason: 'image-not-found' },
    );
  }

  async function startOnFreePort(spec: InstanceSpec): Promise<InstanceStatus> {
    const running = await listOwnContainers(false);
    const inUse = new Set(running.map((container) => Number(container.Labels[containerInstanceLabels.hostPort])));
    for (let attempt = 1; attempt <= portAttempts; attempt += 1) {
      const hostPort = await ports.reserve(inUse);
      if (hostPort === undefined) break;
      try {
        return await createAndStart(spec, hostPort);
      } catch (error) {
        if (!(error instanceof HostPortTaken)) throw error;
        inUse.add(hostPort);
        log.warn({ instanceId: spec.instanceId, port: hostPort, attempt }, 'host port taken, trying another');
      } finally {
        ports.release(hostPort);
      }
    }
    throw noFreePort(options.portRange, spec.instanceId);
  }

  async function createAndStart(spec: InstanceSpec, hostPort: number): Promise<InstanceStatus> {
    const { instanceId } = spec;
    const networkName = networkNameOf(namespace, spec.networkScope);
    const containerPort = spec.containerPort ?? hostPort;
    const body = containerCreateBody(spec, {
      namespace,
      host,
      hostPort,
      containerPort,
      networkName,
      startedAtMs: Date.now(),
      logMaxBytes: options.logMaxBytes ?? 10 * 1024 * 1024,
    });
    let container: Docker.Container;
    try {
      container = await networks.withNetwork(networkName, () => client.createContainer(body));
    } catch (error) {
      await networks.removeIfUnused(networkName).catch(() => undefined);
      throw createFailed(spec, error);
    }
    try {
      await container.start();
    } catch (error) {
      // Created but not running: nothing may be left behind, whatever went wrong.
      await discardContainer(container, networkName).catch((discardError: unknown) =>
        log.warn({ instanceId, err: discardError }, 'could not remove a container that failed to start'),
      );
      const message = engineMessageOf(error);
      if (/port is already allocated|address already in use/i.test(message)) throw new HostPortTaken(message);
      if (engineStatusOf(error) === undefined) throw engineError(error, engineName);
      throw startFailed(instanceId, `the engine could not start the container: ${message}`, {}, error);
    }
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (error) {
      throw engineError(error, engineName);
    }
    const status = instanceStatusOf(info, host);
    log.info({ instanceId, port: hostPort, containerPort, pid: status.pid, image: spec.image }, 'instance started');
    return status;
  }

  function createFailed(spec: InstanceSpec, error: unknown): SlipwayError {
    if (isSlipwayError(error)) return error;
    const status = engineStatusOf(error);
    const message = engineMessageOf(error);
    if (status === 404 && /no such image/i.test(message)) return imageNotFound(spec.instanceId, spec.image ?? '');
    if (status === 400 && spec.limits !== undefined && /memory|cpu|pids/i.test(message)) {
      return new SlipwayError('RESOURCE_LIMITS_INVALID', `the engine refused the resource limits: ${message}`, {
        cause: error,
        details: { instanceId: spec.instanceId, limits: { ...spec.limits } },
      });
    }
    if (status === undefined) return engineError(error, engineName);
    return startFailed(spec.instanceId, `the engine could not create the container: ${message}`, {}, error);
  }

  /** Force-removes the container and its anonymous volumes, then its network when nothing else of ours names it. */
  async function discardContainer(
    container: Docker.Container,
    networkName: string | undefined,
    discardOptions: { keepNetwork?: string } = {},
  ): Promise<void> {
    try {
      await container.remove({ force: true, v: true });
    } catch (error) {
      // 404: gone already. 409: a removal is already under way.
      const status = engineStatusOf(error);
      if (status !== 404 && status !== 409) throw engineError(error, engineName);
    }
    if (networkName !== undefined && networkName !== discardOptions.keepNetwork) {
      await networks.removeIfUnused(networkName);
    }
  }

  async function stop(instanceId: string, stopOptions?: { graceMs?: number }): Promise<void> {
    const found = await findContainer(instanceId);
    if (found === undefined || !isContainerRunning(found.info)) return;
    const graceMs = stopOptions?.graceMs;
    try {
      // Without a grace the engine uses the container's own stop timeout, set from the spec's stopGraceMs.
      await found.container.stop(graceMs === undefined ? {} : { t: stopTimeoutSeconds(graceMs) });
    } catch (error) {
      // 304: it had stopped already. 404: it is gone.
      const status = engineStatusOf(error);
      if (status === 304 || status === 404) return;
      throw engineError(error, engineName);
    }
    log.info({ instanceId }, 'instance stopped');
  }

  async function inspectInstance(instanceId: string): Promise<InstanceStatus | undefined> {
    const found = await findContainer(instanceId);
    if (found === undefined || isBeingStarted(found.info)) return undefined;
    return instanceStatusOf(found.info, host);
  }

  async function list(): Promise<InstanceStatus[]> {
    const containers = await listOwnContainers(true);
    const infos = await Promise.all(
      containers.map(async (summary) => {
        try {
          return await client.getContainer(summary.Id).inspect();
        } catch (error) {
          // Removed between the list and the inspect.
          if (engineStatusOf(error) === 404) return undefined;
          throw engineError(error, engineName);
        }
      }),
    );
    return infos
      .filter((info): info is Docker.ContainerInspectInfo => info !== undefined)
      .filter((info) => isOwnContainer(info.Config.Labels, namespace) && !isBeingStarted(info))
      .map((info) => instanceStatusOf(info, host))
      .sort((a, b) => a.startedAtMs - b.startedAtMs);
  }

  async function* logs(
    instanceId: string,
    logOptions: { tailLines: number; follow: boolean; signal?: AbortSignal },
  ): AsyncIterable<{ stream: 'stdout' | 'stderr'; line: string }> {
    const found = await findContainer(instanceId);
    if (found === undefined) throw notFound(instanceId);
    try {
      yield* readDockerLogs(found.container, logOptions);
    } catch (error) {
      if (engineStatusOf(error) === 404) throw notFound(instanceId);
      throw engineError(error, engineName);
    }
  }

  return {
    capabilities: containerRuntimeCapabilities,
    // Every call but `logs` (which ends with its own signal) runs under its deadline: its requests to the engine are
    // cut when the signal aborts (`DockerEngine.withSignal`).
    start: (spec, callOptions) => engine.withSignal(callOptions?.signal, () => start(spec)),
    stop: (instanceId, callOptions) => engine.withSignal(callOptions?.signal, () => stop(instanceId, callOptions)),
    inspect: (instanceId, callOptions) => engine.withSignal(callOptions?.signal, () => inspectInstance(instanceId)),
    list: (callOptions) => engine.withSignal(callOptions?.signal, list),
    logs,

    stats: (instanceId, callOptions) =>
      engine.withSignal(callOptions?.signal, async () => {
        const found = await findContainer(instanceId);
        if (found === undefined || isBeingStarted(found.info)) {
          instanceStats.forget(instanceId);
          return undefined;
        }
        return instanceStats.sample(instanceId, found.info);
      }),

    exec: (instanceId, command, execOptions) =>
      engine.withSignal(execOptions.signal, async () => {
        const found = await findContainer(instanceId);
        if (found === undefined) throw notFound(instanceId);
        try {
          return await runDockerExec(found.container, { command, timeoutMs: execOptions.timeoutMs });
        } catch (error) {
          if (engineStatusOf(error) === 404) throw notFound(instanceId);
          throw engineError(error, engineName);
        }
      }),

    remove: (instanceId, callOptions) =>
      engine.withSignal(callOptions?.signal, async () => {
        const found = await findContainer(instanceId);
        if (found === undefined) return;
        // Polite first, as the port promises; the force-remove then only deletes.
        await stop(instanceId);
        await discardContainer(found.container, found.info.HostConfig.NetworkMode);
        instanceStats.forget(instanceId);
        log.info({ instanceId }, 'instance removed');
      }),
  };
}

function startFailed(
  instanceId: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): SlipwayError {
  return new SlipwayError('START_FAILED', message, { details: { instanceId, ...details }, cause });
}

function assertOptionsValid(options: DockerDriverOptions): void {
  if (!namePattern.test(options.namespace)) {
    throw new SlipwayError('VALIDATION_FAILED', `invalid docker namespace ${JSON.stringify(options.namespace)}`, {
      details: { namespace: options.namespace },
    });
  }
}
