/** The read side of the Swarm driver: an instance's service, its newest task, and the status they make. */
import type { InstanceStatus } from '@slipway/core';
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import type { DockerClient } from '../../docker/docker-engine.js';
import { isEngineStatus, swarmError } from './swarm-errors.js';
import { instanceStatusOf, labelOf, newestTask, type SwarmService, type SwarmTask } from './swarm-instance-status.js';
import { swarmRuntimeName } from './swarm-names.js';
import { createSwarmNodes } from './swarm-nodes.js';

export interface SwarmInstanceReader {
  /** The namespace's services of this driver, narrowed by more `key=value` labels. */
  listServices(extraLabels?: string[]): Promise<SwarmService[]>;
  findService(instanceId: string): Promise<SwarmService | undefined>;
  /** The newest task of each service, by service id; a service without tasks has no entry. */
  tasksOf(serviceIds: string[]): Promise<Map<string, SwarmTask>>;
  taskOf(service: SwarmService): Promise<SwarmTask | undefined>;
  /** The task's container, when it runs on the engine's own node (the only one the driver reaches). */
  localContainerOf(task: SwarmTask | undefined): Promise<string | undefined>;
  /** The status, with where the task runs, and (for a task on this node that exited 137) whether it was OOM-killed. */
  statusOf(service: SwarmService, task: SwarmTask | undefined): Promise<InstanceStatus>;
  /**
   * Host ports of the namespace's services, and of its containers: the Docker driver of the same slipwayd may share
   * the range, and a port is only bound once a task's container runs.
   */
  portsInUse(): Promise<Set<number>>;
}

export function createSwarmInstanceReader(options: { client: DockerClient; namespace: string }): SwarmInstanceReader {
  const { client, namespace } = options;
  const nodes = createSwarmNodes(client);
  const namespaceFilter = `${containerInstanceLabels.namespace}=${namespace}`;
  const ownFilters = [namespaceFilter, `${containerInstanceLabels.runtime}=${swarmRuntimeName}`];

  async function listServices(extraLabels: string[] = []): Promise<SwarmService[]> {
    try {
      return await client.listServices({ filters: { label: [...ownFilters, ...extraLabels] } });
    } catch (error) {
      throw swarmError(error, 'listing swarm services');
    }
  }

  async function findService(instanceId: string): Promise<SwarmService | undefined> {
    return (await listServices([`${containerInstanceLabels.instanceId}=${instanceId}`]))[0];
  }

  async function tasksOf(serviceIds: string[]): Promise<Map<string, SwarmTask>> {
    const newest = new Map<string, SwarmTask>();
    if (serviceIds.length === 0) return newest;
    let tasks: SwarmTask[];
    try {
      tasks = (await client.listTasks({ filters: { service: serviceIds } })) as SwarmTask[];
    } catch (error) {
      // A service of the filter was removed meanwhile: it has no tasks left; ask again for each of the others.
      if (isEngineStatus(error, 404) && serviceIds.length === 1) return newest;
      if (isEngineStatus(error, 404)) {
        const each = await Promise.all(serviceIds.map((serviceId) => tasksOf([serviceId])));
        return new Map(each.flatMap((tasksById) => [...tasksById]));
      }
      throw swarmError(error, 'listing swarm tasks');
    }
    for (const task of tasks) {
      const serviceId = task.ServiceID ?? '';
      const current = newest.get(serviceId);
      newest.set(serviceId, newestTask(current === undefined ? [task] : [current, task]) ?? task);
    }
    return newest;
  }

  async function taskOf(service: SwarmService): Promise<SwarmTask | undefined> {
    return (await tasksOf([service.ID])).get(service.ID);
  }

  async function localContainerOf(task: SwarmTask | undefined): Promise<string | undefined> {
    const containerId = task?.Status?.ContainerStatus?.ContainerID ?? '';
    if (task === undefined || containerId === '' || task.NodeID !== (await nodes.localNodeId())) return undefined;
    return containerId;
  }

  async function statusOf(service: SwarmService, task: SwarmTask | undefined): Promise<InstanceStatus> {
    const node = task?.NodeID === undefined || task.NodeID === '' ? undefined : await nodes.describe(task.NodeID);
    const isLocal = task?.NodeID === (await nodes.localNodeId());
    // Host mode publishes on the task's node: loopback here, the node's own address elsewhere.
    const host = isLocal || node === undefined || node.address === '' ? '127.0.0.1' : node.address;
    const status = instanceStatusOf(service, task, { host, ...(node === undefined ? {} : { node: node.hostname }) });
    if (status.state !== 'exited' || status.exitCode === null) return status;
    return { ...status, oomKilled: status.exitCode === 137 && (await wasOomKilled(task)) };
  }

  async function wasOomKilled(task: SwarmTask | undefined): Promise<boolean> {
    const containerId = await localContainerOf(task);
    if (containerId === undefined) return false;
    try {
      const info = await client.getContainer(containerId).inspect();
      return info.State.OOMKilled;
    } catch (error) {
      if (isEngineStatus(error, 404)) return false;
      throw swarmError(error, `inspecting container ${containerId}`);
    }
  }

  async function portsInUse(): Promise<Set<number>> {
    const inUse = new Set(
      (await listServices()).map((service) => Number(labelOf(service, containerInstanceLabels.hostPort))),
    );
    try {
      const containers = await client.listContainers({ all: true, filters: { label: [namespaceFilter] } });
      for (const container of containers) inUse.add(Number(container.Labels[containerInstanceLabels.hostPort]));
    } catch (error) {
      throw swarmError(error, 'listing containers');
    }
    return inUse;
  }

  return { listServices, findService, tasksOf, taskOf, localContainerOf, statusOf, portsInUse };
}
