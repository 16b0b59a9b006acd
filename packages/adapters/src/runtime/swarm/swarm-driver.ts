/**
 * RuntimeDriver for Docker Swarm: one instance is one service of one replica, publishing its port in host mode on its
 * node (no routing mesh, no virtual IP), never restarted by the engine; its secret env vars are Swarm secrets.
 */
import type Docker from 'dockerode';
import { SlipwayError } from '@slipway/contract';
import type { InstanceSpec, InstanceStatus, Logger, RuntimeDriver } from '@slipway/core';
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import { containerRuntimeCapabilities } from '../../docker/container-runtime-capabilities.js';
import { engineMessageOf, engineStatusOf, type DockerEngine } from '../../docker/docker-engine.js';
import { runDockerExec } from '../docker/docker-exec.js';
import { createDockerInstanceStats } from '../docker/docker-instance-stats.js';
import { createPortAllocator } from '../port-allocator.js';
import { execNotStartedExitCode } from '../run-exec.js';
import { readServiceLogs } from './read-service-logs.js';
import { instanceNotFound, isEngineStatus, isNotSwarmManager, startFailed, swarmError } from './swarm-errors.js';
import { isFinalTaskState, labelOf, startProgressOf, type SwarmService } from './swarm-instance-status.js';
import { createSwarmInstanceReader } from './swarm-instance-reader.js';
import { createSwarmScopeNetworks } from './swarm-scope-networks.js';
import { createInstanceSecrets, removeInstanceSecrets } from './swarm-secrets.js';
import { secretExports, serviceSpecOf, splitSecretEnv, type MountedSecret } from './swarm-service-spec.js';

export interface SwarmDriverOptions {
  /** The engine of a swarm manager; its node is where `exec`, `stop` and OOM checks reach containers. */
  engine: DockerEngine;
  /** Value of the `slipway.namespace` label on everything the driver makes; it sees only its own namespace. */
  namespace: string;
  /** Inclusive range host ports are allocated from. */
  portRange: { from: number; to: number };
  logger: Logger;
  /** Bound on waiting for a new instance's task to run; default 120 s. */
  startTimeoutMs?: number;
  /** Pause between reads of a task's state while waiting; default 250 ms. */
  pollIntervalMs?: number;
  /** Size at which the engine rotates an instance's json-file log (3 files kept); default 10 MiB. */
  logMaxBytes?: number;
}

export type SwarmDriver = RuntimeDriver & {
  /** Nothing to release (the driver holds no timers or streams between calls); instances keep running. */
  close(): Promise<void>;
};

/** Time granted beyond a stop's grace for the engine to report the task ended, or to remove its container. */
const settleMarginMs = 30_000;

/**
 * The Swarm driver of one namespace. The engine it is given is its only door into the swarm: a task on another node is
 * reported at that node's address (host mode publishes there) with its hostname as `node`, but its container is out of
 * reach, so `exec` answers that it runs elsewhere, `stats` is undefined, OOM is not detected (`oomKilled: false`), and
 * `stop` scales the service to zero instead of stopping the container (the spec's grace applies, not `graceMs`).
 */
export function createSwarmDriver(options: SwarmDriverOptions): SwarmDriver {
  const { engine, namespace } = options;
  const { client } = engine;
  const log = options.logger.child({ component: 'swarm-driver' });
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  // Host mode publishes on every address of the node.
  const ports = createPortAllocator({ ...options.portRange, hosts: ['0.0.0.0', '127.0.0.1'] });
  const networks = createSwarmScopeNetworks({ client, namespace, logger: log });
  const reader = createSwarmInstanceReader({ client, namespace });
  const instanceStats = createDockerInstanceStats({ client, engineName: `the Docker Engine at ${engine.address}` });
  const startingIds = new Set<string>();

  async function start(spec: InstanceSpec): Promise<InstanceStatus> {
    const { instanceId } = spec;
    if (spec.image === undefined || spec.image === '') {
      throw startFailed(instanceId, 'task-failed', 'the Swarm driver runs images: the spec has no image');
    }
    if (startingIds.has(instanceId)) {
      throw startFailed(instanceId, 'already-running', `instance ${instanceId} is already starting`);
    }
    startingIds.add(instanceId);
    try {
      const existing = await reader.findService(instanceId);
      if (existing !== undefined) {
        if ((await reader.statusOf(existing, await reader.taskOf(existing))).state === 'running') {
          throw startFailed(instanceId, 'already-running', `instance ${instanceId} is already running`);
        }
        // A restart under the same id: the exited service makes way for the new one.
        await removeService(existing);
      }
      return await ports.withPort(await reader.portsInUse(), instanceId, async (hostPort) =>
        waitUntilStarted(spec, await createService(spec, hostPort)),
      );
    } finally {
      startingIds.delete(instanceId);
    }
  }

  async function createService(spec: InstanceSpec, hostPort: number): Promise<SwarmService> {
    const { instanceId } = spec;
    const split = splitSecretEnv(spec);
    for (const kept of split.keptInEnv) {
      log.warn({ instanceId, envName: kept.envName, reason: kept.reason }, 'secret kept in the service env');
    }
    const create = async (networkId?: string): Promise<SwarmService> => {
      const target = { client, namespace, instanceId };
      const secrets: MountedSecret[] = await createInstanceSecrets(target, split.secrets);
      const body = serviceSpecOf(spec, {
        namespace,
        hostPort,
        containerPort: spec.containerPort ?? hostPort,
        startedAtMs: Date.now(),
        secrets,
        env: split.env,
        logMaxBytes: options.logMaxBytes ?? 10 * 1024 * 1024,
        ...(networkId === undefined ? {} : { networkId }),
      });
      try {
        const created = await client.createService(body);
        return (await created.inspect()) as SwarmService;
      } catch (error) {
        await removeInstanceSecrets(target).catch(() => undefined);
        if (isNotSwarmManager(error) || engineStatusOf(error) === undefined) {
          throw swarmError(error, `creating the service of instance ${instanceId}`);
        }
        throw startFailed(instanceId, 'service-refused', `the swarm refused the service: ${engineMessageOf(error)}`, {
          engineStatus: engineStatusOf(error),
        });
      }
    };
    const scope = spec.networkScope;
    if (scope === undefined) return create();
    return networks.withScope(scope, async () => {
      try {
        return await create(await networks.ensure(scope));
      } catch (error) {
        await networks.releaseIfUnused(scope).catch(() => undefined);
        throw error;
      }
    });
  }

  async function waitUntilStarted(spec: InstanceSpec, service: SwarmService): Promise<InstanceStatus> {
    const { instanceId } = spec;
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const task = await reader.taskOf(service);
      const progress = startProgressOf(task);
      if (progress.kind === 'started') {
        const status = await reader.statusOf(service, task);
        log.info({ instanceId, port: status.port, node: status.node }, 'instance started');
        return status;
      }
      const failure =
        progress.kind === 'failed'
          ? progress
          : Date.now() >= deadline
            ? {
                reason: 'timeout' as const,
                message: `its task did not run within ${startTimeoutMs} ms (${task?.Status?.State ?? 'no task'})`,
              }
            : undefined;
      if (failure !== undefined) {
        await removeService(service).catch((error: unknown) =>
          log.warn({ instanceId, err: error }, 'could not remove the service of a failed start'),
        );
        const subject = failure.reason === 'image-not-found' ? `image ${spec.image ?? ''} is not on the node: ` : '';
        throw startFailed(
          instanceId,
          failure.reason,
          `instance ${instanceId} did not start: ${subject}${failure.message}`,
          {
            image: spec.image,
            ...(spec.placement === undefined ? {} : { placement: [...spec.placement] }),
          },
        );
      }
      await delay(pollIntervalMs);
    }
  }

  async function stop(instanceId: string, stopOptions?: { graceMs?: number }): Promise<void> {
    const service = await reader.findService(instanceId);
    if (service === undefined) return;
    const task = await reader.taskOf(service);
    if (task !== undefined && isFinalTaskState(task.Status?.State)) return;
    const specGraceMs = (containerSpecOf(service)?.StopGracePeriod ?? 10e9) / 1e6;
    const graceMs = stopOptions?.graceMs ?? specGraceMs;
    const containerId = await reader.localContainerOf(task);
    if (containerId !== undefined) {
      try {
        await client.getContainer(containerId).stop({ t: Math.max(0, Math.ceil(graceMs / 1000)) });
      } catch (error) {
        // 304: it had stopped already; 404: its container went meanwhile.
        if (!isEngineStatus(error, 304, 404)) throw swarmError(error, `stopping container ${containerId}`);
      }
    } else {
      // Not yet running, or on another node: the swarm stops it (with the spec's grace) when no replica is wanted.
      await scaleToZero(service);
    }
    await waitUntil(
      async () => {
        const current = await reader.taskOf(service);
        return current === undefined || isFinalTaskState(current.Status?.State);
      },
      Math.max(graceMs, specGraceMs) + settleMarginMs,
    );
    log.info({ instanceId }, 'instance stopped');
  }

  async function scaleToZero(service: SwarmService): Promise<void> {
    try {
      const current = (await client.getService(service.ID).inspect()) as SwarmService;
      // The version goes in the query only: dockerode would otherwise send the whole body as a query string too.
      await client.getService(service.ID).update({
        _query: { version: current.Version?.Index },
        _body: { ...current.Spec, Mode: { Replicated: { Replicas: 0 } } },
      });
    } catch (error) {
      if (!isEngineStatus(error, 404)) throw swarmError(error, `scaling service ${service.ID} to zero`);
    }
  }

  /** Removes the service, waits until its containers are gone, then its secrets and, when unused, its network. */
  async function removeService(service: SwarmService): Promise<void> {
    const instanceId = labelOf(service, containerInstanceLabels.instanceId) ?? '';
    try {
      await client.getService(service.ID).remove();
    } catch (error) {
      if (!isEngineStatus(error, 404)) throw swarmError(error, `removing service ${service.ID}`);
    }
    const graceMs = (containerSpecOf(service)?.StopGracePeriod ?? 10e9) / 1e6;
    await waitUntil(async () => (await containersOf(service.ID)) === 0, graceMs + settleMarginMs);
    await removeInstanceSecrets({ client, namespace, instanceId });
    const scope = labelOf(service, containerInstanceLabels.networkScope);
    if (scope !== undefined) await networks.withScope(scope, () => networks.releaseIfUnused(scope));
  }

  /**
   * Containers of the service on the engine's node. Tasks cannot be asked for once their service is gone; on other
   * nodes their agents remove the containers in their own time.
   */
  async function containersOf(serviceId: string): Promise<number> {
    try {
      const containers = await client.listContainers({
        all: true,
        filters: { label: [`com.docker.swarm.service.id=${serviceId}`] },
      });
      return containers.length;
    } catch (error) {
      throw swarmError(error, `listing the containers of service ${serviceId}`);
    }
  }

  async function remove(instanceId: string): Promise<void> {
    const service = await reader.findService(instanceId);
    if (service !== undefined) {
      // Stopping the container ourselves first is politer and quicker: the swarm's own shutdown of a task on an
      // overlay network takes about 5 s more.
      await stop(instanceId);
      await removeService(service);
      instanceStats.forget(instanceId);
      log.info({ instanceId }, 'instance removed');
    } else {
      // Secrets a start left when its control plane died before the service existed.
      await removeInstanceSecrets({ client, namespace, instanceId });
    }
  }

  async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() >= deadline) {
        throw new SlipwayError('RUNTIME_ERROR', `the swarm did not settle within ${timeoutMs} ms`);
      }
      await delay(pollIntervalMs);
    }
  }

  return {
    capabilities: containerRuntimeCapabilities,
    // Every call but `logs` (which ends with its own signal) runs under its deadline: its requests to the engine are
    // cut when the signal aborts (`DockerEngine.withSignal`).
    start: (spec, callOptions) => engine.withSignal(callOptions?.signal, () => start(spec)),
    stop: (instanceId, callOptions) => engine.withSignal(callOptions?.signal, () => stop(instanceId, callOptions)),
    remove: (instanceId, callOptions) => engine.withSignal(callOptions?.signal, () => remove(instanceId)),

    inspect: (instanceId, callOptions) =>
      engine.withSignal(callOptions?.signal, async () => {
        const service = await reader.findService(instanceId);
        return service === undefined ? undefined : reader.statusOf(service, await reader.taskOf(service));
      }),

    list: (callOptions) =>
      engine.withSignal(callOptions?.signal, async () => {
        const services = await reader.listServices();
        const tasks = await reader.tasksOf(services.map((service) => service.ID));
        const statuses: InstanceStatus[] = [];
        for (const service of services) statuses.push(await reader.statusOf(service, tasks.get(service.ID)));
        return statuses.sort((a, b) => a.startedAtMs - b.startedAtMs);
      }),

    async *logs(instanceId, logOptions) {
      const service = await reader.findService(instanceId);
      if (service === undefined) throw instanceNotFound(instanceId);
      yield* readServiceLogs(client, { serviceId: service.ID, ...logOptions });
    },

    /** Of a task running on the engine's node only: the containers of other nodes are out of reach. */
    stats: (instanceId, callOptions) =>
      engine.withSignal(callOptions?.signal, async () => {
        const service = await reader.findService(instanceId);
        const task = service === undefined ? undefined : await reader.taskOf(service);
        const containerId = task?.Status?.State === 'running' ? await reader.localContainerOf(task) : undefined;
        if (containerId === undefined) {
          instanceStats.forget(instanceId);
          return undefined;
        }
        let info: Docker.ContainerInspectInfo;
        try {
          info = await client.getContainer(containerId).inspect();
        } catch (error) {
          // 404: its container went meanwhile.
          if (isEngineStatus(error, 404)) return undefined;
          throw swarmError(error, `inspecting container ${containerId}`);
        }
        return instanceStats.sample(instanceId, info);
      }),

    exec: (instanceId, command, execOptions) =>
      engine.withSignal(execOptions.signal, async () => {
        const service = await reader.findService(instanceId);
        if (service === undefined) throw instanceNotFound(instanceId);
        const task = await reader.taskOf(service);
        const containerId = task?.Status?.State === 'running' ? await reader.localContainerOf(task) : undefined;
        if (containerId === undefined) {
          const why = task?.Status?.State === 'running' ? 'runs on another node' : 'is not running';
          return { exitCode: execNotStartedExitCode, output: `instance ${instanceId} ${why}` };
        }
        // The program sees its secrets as env vars through the start wrapper; the exec'd command gets them the same way.
        const secretNames = (containerSpecOf(service)?.Secrets ?? []).flatMap((secret) => secret.File?.Name ?? []);
        try {
          return await runDockerExec(client.getContainer(containerId), {
            command: secretExports(secretNames) + command,
            timeoutMs: execOptions.timeoutMs,
          });
        } catch (error) {
          // 404: its container went meanwhile.
          if (isEngineStatus(error, 404)) {
            return { exitCode: execNotStartedExitCode, output: `instance ${instanceId} is not running` };
          }
          throw swarmError(error, `exec in instance ${instanceId}`);
        }
      }),

    close: () => Promise.resolve(),
  };
}

function containerSpecOf(service: SwarmService): Docker.ContainerSpec | undefined {
  return (service.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
