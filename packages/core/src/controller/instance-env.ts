/**
 * The environment an instance starts with: the release's config snapshot, the release's secrets over it (a secret
 * wins over a config key of the same name), then Slipway's own variables (the catalog's address among them, when its
 * runtime can reach it).
 */
import type { AppRecord, EnvironmentRecord, InstanceRecord, ReleaseRecord } from '../domain/records.js';

export function instanceEnv(
  release: ReleaseRecord,
  app: AppRecord,
  environment: EnvironmentRecord,
  instance: Pick<InstanceRecord, 'id' | 'process'>,
  secrets: Readonly<Record<string, string>>,
  catalogAddress?: string,
): Record<string, string> {
  return {
    ...release.config,
    ...secrets,
    SLIPWAY_APP: app.name,
    SLIPWAY_ENVIRONMENT: environment.name,
    SLIPWAY_RELEASE: String(release.number),
    SLIPWAY_PROCESS: instance.process,
    SLIPWAY_INSTANCE_ID: instance.id,
    ...(catalogAddress === undefined ? {} : { SLIPWAY_CATALOG_ADDR: catalogAddress, CONSUL_HTTP_ADDR: catalogAddress }),
  };
}

/** The label that marks a runtime task (a release command), not an instance, and names what it is for. */
export const taskLabel = 'slipway.task';

export function instanceLabels(
  release: ReleaseRecord,
  app: AppRecord,
  environment: EnvironmentRecord,
  instance: Pick<InstanceRecord, 'id' | 'process' | 'deploymentId'>,
): Record<string, string> {
  return {
    'slipway.app': app.name,
    'slipway.app-id': app.id,
    'slipway.environment': environment.name,
    'slipway.release': String(release.number),
    'slipway.release-id': release.id,
    'slipway.process': instance.process,
    ...(instance.deploymentId === null ? {} : { 'slipway.deployment': instance.deploymentId }),
  };
}
