/** The attachable overlay network of each network scope: made for its first service, removed after its last. */
import type Docker from 'dockerode';
import type { Logger } from '@slipway/core';
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import type { DockerClient } from '../../docker/docker-engine.js';
import { isEngineStatus, swarmError } from './swarm-errors.js';
import { networkNameOf, swarmRuntimeName } from './swarm-names.js';

export interface SwarmScopeNetworks {
  /** The id of the scope's network, created when missing. */
  ensure(scope: string): Promise<string>;
  /** Removes the scope's network when no service of the namespace is attached to it. Idempotent. */
  releaseIfUnused(scope: string): Promise<void>;
  /**
   * Runs `task` while no other ensure/release of the scope runs, so a network is never removed between its `ensure`
   * and the creation of the service that attaches to it.
   */
  withScope<T>(scope: string, task: () => Promise<T>): Promise<T>;
}

/** A network keeps endpoints of a removed task for a moment after its container is gone. */
const removeAttempts = 20;
const removeRetryMs = 250;

export function createSwarmScopeNetworks(options: {
  client: DockerClient;
  namespace: string;
  logger: Logger;
}): SwarmScopeNetworks {
  const { client, namespace, logger } = options;
  const locks = new Map<string, Promise<unknown>>();

  async function find(scope: string): Promise<Docker.NetworkInspectInfo | undefined> {
    const name = networkNameOf(namespace, scope);
    try {
      const networks = await client.listNetworks({
        filters: { name: [name], label: [`${containerInstanceLabels.namespace}=${namespace}`] },
      });
      // The name filter matches parts of names too.
      return networks.find((network) => network.Name === name);
    } catch (error) {
      throw swarmError(error, `listing network ${name}`);
    }
  }

  async function ensure(scope: string): Promise<string> {
    const existing = await find(scope);
    if (existing !== undefined) return existing.Id;
    const name = networkNameOf(namespace, scope);
    try {
      const network = await client.createNetwork({
        Name: name,
        Driver: 'overlay',
        Attachable: true,
        CheckDuplicate: true,
        Labels: {
          [containerInstanceLabels.namespace]: namespace,
          [containerInstanceLabels.runtime]: swarmRuntimeName,
          [containerInstanceLabels.networkScope]: scope,
        },
      });
      logger.info({ network: name }, 'network created');
      return network.id;
    } catch (error) {
      if (!isEngineStatus(error, 409)) throw swarmError(error, `creating overlay network ${name}`);
      const raced = await find(scope);
      if (raced === undefined) throw swarmError(error, `creating overlay network ${name}`);
      return raced.Id;
    }
  }

  async function isAttached(networkId: string): Promise<boolean> {
    try {
      const services = await client.listServices({
        filters: { label: [`${containerInstanceLabels.namespace}=${namespace}`] },
      });
      return services.some((service) =>
        (service.Spec?.TaskTemplate?.Networks ?? []).some((attachment) => attachment.Target === networkId),
      );
    } catch (error) {
      throw swarmError(error, 'listing services');
    }
  }

  async function releaseIfUnused(scope: string): Promise<void> {
    const network = await find(scope);
    if (network === undefined || (await isAttached(network.Id))) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.getNetwork(network.Id).remove();
        await waitUntilGone(scope);
        logger.info({ network: network.Name }, 'network removed');
        return;
      } catch (error) {
        if (isEngineStatus(error, 404)) return;
        // 403/409: endpoints of a task whose container just went are still being released.
        if (!isEngineStatus(error, 403, 409) || attempt >= removeAttempts) {
          throw swarmError(error, `removing network ${network.Name}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, removeRetryMs));
    }
  }

  /** The engine drops its local copy of a removed overlay network a moment after the swarm removed it. */
  async function waitUntilGone(scope: string): Promise<void> {
    for (let attempt = 1; attempt <= removeAttempts && (await find(scope)) !== undefined; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, removeRetryMs));
    }
  }

  function withScope<T>(scope: string, task: () => Promise<T>): Promise<T> {
    // The chain holds settled promises only, so one failed task does not stop the next.
    const run = (locks.get(scope) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    locks.set(scope, settled);
    void settled.then(() => {
      if (locks.get(scope) === settled) locks.delete(scope);
    });
    return run;
  }

  return { ensure, releaseIfUnused, withScope };
}
