/** Names of the Swarm objects the driver owns: services, secrets and overlay networks. */
import { createHash } from 'node:crypto';

export const swarmRuntimeName = 'swarm';

/** Swarm takes service names as DNS labels (63 characters) and secret names up to 64 characters. */
const maxNameLength = 63;
const hashLength = 8;

/**
 * `slipway-<parts…>` in the alphabet both service and secret names accept (`[a-zA-Z0-9]` joined by `-`/`_`); a name
 * too long keeps its start and ends with a hash of the whole, so two long ids stay distinct.
 */
export function swarmName(...parts: string[]): string {
  const joined = ['slipway', ...parts]
    .join('-')
    .replace(/[^a-zA-Z0-9_-]+/g, '-')
    .replace(/[-_]{2,}/g, '-')
    .replace(/[-_]+$/, '');
  if (joined.length <= maxNameLength) return joined;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, hashLength);
  const kept = joined.slice(0, maxNameLength - hashLength - 1).replace(/[-_]+$/, '');
  return `${kept}-${hash}`;
}

/** `slipway-<namespace>-<instanceId>`; the labels, not the name, say whose it is. */
export function serviceNameOf(namespace: string, instanceId: string): string {
  return swarmName(namespace, instanceId);
}

/** `slipway-<namespace>-<instanceId>-<env name, lowercased>`. */
export function secretNameOf(namespace: string, instanceId: string, envName: string): string {
  return swarmName(namespace, instanceId, envName.toLowerCase());
}

/** `slipway-<namespace>-<scope>`: one attachable overlay network per network scope. */
export function networkNameOf(namespace: string, networkScope: string): string {
  return swarmName(namespace, networkScope);
}
