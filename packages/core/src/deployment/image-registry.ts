/**
 * Which registry an image reference makes the engine call, and whether the operator allows it: a manifest's
 * `image:` is an outbound call on the project's behalf, so it may only reach a registry the operator named.
 */
import { SlipwayError } from '@slipway/contract';

const dockerHubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The registry host (with its port) a reference pulls from; `docker.io` when it names none. */
export function imageRegistryOf(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash === -1) return 'docker.io';
  const first = reference.slice(0, slash);
  // Docker's rule: the first component is a registry when it has a dot or a port, or is localhost.
  const isRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  return isRegistry ? first.toLowerCase() : 'docker.io';
}

/** An image id (`sha256:…`) is never pulled. Errors: `IMAGE_REGISTRY_NOT_ALLOWED`. */
export function assertImageRegistryAllowed(reference: string, allowed: readonly string[]): void {
  if (/^sha256:[a-f0-9]{64}$/.test(reference)) return;
  const registry = imageRegistryOf(reference);
  const normalise = (host: string) => (dockerHubAliases.has(host) ? 'docker.io' : host.toLowerCase());
  if (allowed.some((host) => normalise(host) === normalise(registry))) return;
  throw new SlipwayError(
    'IMAGE_REGISTRY_NOT_ALLOWED',
    `image ${reference} would be pulled from ${registry}, which is not a registry this Slipway pulls from (the operator lists them with --image-registry)`,
    { details: { image: reference, registry } },
  );
}
