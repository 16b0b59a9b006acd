/** Swarm secrets of an instance: one per secret env var, labelled with the instance, removed with it. */
import { containerInstanceLabels } from '../../docker/container-instance-labels.js';
import type { DockerClient } from '../../docker/docker-engine.js';
import { isEngineStatus, swarmError } from './swarm-errors.js';
import { secretNameOf, swarmRuntimeName } from './swarm-names.js';
import type { MountedSecret, SecretEnv } from './swarm-service-spec.js';

export interface InstanceSecretsTarget {
  client: DockerClient;
  namespace: string;
  instanceId: string;
}

/**
 * Creates the instance's secrets. A secret of the same name left by an earlier run of the id (a control plane that died
 * mid-start) is replaced. On failure, the secrets made so far are removed again.
 */
export async function createInstanceSecrets(
  target: InstanceSecretsTarget,
  secrets: readonly SecretEnv[],
): Promise<MountedSecret[]> {
  const mounted: MountedSecret[] = [];
  try {
    for (const { envName, value } of secrets) {
      const secretName = secretNameOf(target.namespace, target.instanceId, envName);
      const spec = {
        Name: secretName,
        Labels: {
          [containerInstanceLabels.namespace]: target.namespace,
          [containerInstanceLabels.runtime]: swarmRuntimeName,
          [containerInstanceLabels.instanceId]: target.instanceId,
        },
        Data: Buffer.from(value, 'utf8').toString('base64'),
      };
      mounted.push({ envName, secretName, secretId: await createReplacing(target.client, spec) });
    }
    return mounted;
  } catch (error) {
    await removeInstanceSecrets(target).catch(() => undefined);
    throw error;
  }
}

async function createReplacing(client: DockerClient, spec: { Name: string }): Promise<string> {
  const create = async (): Promise<string> => ((await client.createSecret(spec)) as { id: string }).id;
  try {
    return await create();
  } catch (error) {
    if (!isEngineStatus(error, 409)) throw swarmError(error, `creating secret ${spec.Name}`);
  }
  try {
    await client.getSecret(spec.Name).remove();
    return await create();
  } catch (error) {
    throw swarmError(error, `replacing secret ${spec.Name}`);
  }
}

/** Removes every secret labelled with the instance. Idempotent. */
export async function removeInstanceSecrets(target: InstanceSecretsTarget): Promise<void> {
  let secrets: { ID: string }[];
  try {
    secrets = await target.client.listSecrets({
      filters: {
        label: [
          `${containerInstanceLabels.namespace}=${target.namespace}`,
          `${containerInstanceLabels.instanceId}=${target.instanceId}`,
        ],
      },
    });
  } catch (error) {
    throw swarmError(error, `listing the secrets of instance ${target.instanceId}`);
  }
  for (const secret of secrets) {
    try {
      await target.client.getSecret(secret.ID).remove();
    } catch (error) {
      if (!isEngineStatus(error, 404)) throw swarmError(error, `removing secret ${secret.ID}`);
    }
  }
}
