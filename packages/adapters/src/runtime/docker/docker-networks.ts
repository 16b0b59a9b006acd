/**
 * The user-defined bridge networks instances join, one per network scope: created on demand, removed with their last
 * container. Work on one network is serialized, so a container being created is never left without its network.
 */
import type Docker from 'dockerode';
import { KeyedMutex, type Logger } from '@slipway/core';
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import { engineError, engineStatusOf, namespaceLabel } from '../../docker/docker-engine.js';
import { dockerRuntimeName } from './docker-container-spec.js';

export interface DockerNetworks {
  /** Ensures the network exists, then runs `work` (a container create on it) before anyone may remove the network. */
  withNetwork<T>(networkName: string, work: () => Promise<T>): Promise<T>;
  /** Removes the network when no container of the namespace names it any more, running or not. */
  removeIfUnused(networkName: string): Promise<void>;
}

export function createDockerNetworks(options: {
  client: Docker;
  namespace: string;
  engineName: string;
  logger: Logger;
}): DockerNetworks {
  const { client, namespace, engineName, logger } = options;
  const mutex = new KeyedMutex();

  async function ensure(networkName: string): Promise<void> {
    try {
      await client.getNetwork(networkName).inspect();
      return;
    } catch (error) {
      if (engineStatusOf(error) !== 404) throw engineError(error, engineName);
    }
    try {
      await client.createNetwork({
        Name: networkName,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [namespaceLabel]: namespace, [containerInstanceLabels.runtime]: dockerRuntimeName },
      });
      logger.info({ network: networkName }, 'network created');
    } catch (error) {
      // Another control plane of the namespace made it first: it is there, which is all we need.
      if (engineStatusOf(error) !== 409) throw engineError(error, engineName);
    }
  }

  async function isUsed(networkName: string): Promise<boolean> {
    const containers = await client.listContainers({
      all: true,
      filters: { label: [`${namespaceLabel}=${namespace}`] },
    });
    return containers.some((container) => container.HostConfig.NetworkMode === networkName);
  }

  return {
    withNetwork(networkName, work) {
      return mutex.run(networkName, async () => {
        await ensure(networkName);
        return work();
      });
    },

    removeIfUnused(networkName) {
      return mutex.run(networkName, async () => {
        try {
          if (await isUsed(networkName)) return;
          const network = client.getNetwork(networkName);
          const info = (await network.inspect()) as { Labels?: Record<string, string> | null };
          // Only networks this namespace made: a name in NetworkMode may be the engine's own (`bridge`, `host`).
          if (info.Labels?.[namespaceLabel] !== namespace) return;
          await network.remove();
          logger.info({ network: networkName }, 'network removed');
        } catch (error) {
          const status = engineStatusOf(error);
          // 404: already gone. 403/409: something still has an endpoint on it; the last one out removes it.
          if (status === 404 || status === 403 || status === 409) return;
          throw engineError(error, engineName);
        }
      });
    },
  };
}
