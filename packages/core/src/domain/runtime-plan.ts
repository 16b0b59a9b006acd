/**
 * Where and under what limits a release's process runs: the runtime (an environment's override, then the manifest,
 * then `docker` for an image and `process` otherwise), its resource limits (the process type's, over the
 * environment's, over the app's) and its placement constraints.
 */
import type { Manifest, Resources } from '@slipway/contract';
import type { ReleaseRecord } from './records.js';
import type { ResourceLimits } from '../ports/runtime-driver.js';

export interface RuntimePlan {
  /** Name of the runtime driver. */
  runtime: string;
  limits: ResourceLimits | undefined;
  placement: string[];
}

export function resolveRuntimePlan(
  release: Pick<ReleaseRecord, 'manifest' | 'image'>,
  environmentName: string,
  process: string,
): RuntimePlan {
  const manifest: Manifest = release.manifest;
  const override = manifest.environments?.[environmentName];
  const runtime = override?.runtime ?? manifest.runtime ?? (release.image === null ? 'process' : 'docker');
  const resources = {
    ...manifest.resources,
    ...override?.resources,
    ...manifest.processes?.[process]?.resources,
  };
  return {
    runtime,
    limits: toLimits(resources),
    placement: override?.placement?.constraints ?? manifest.placement?.constraints ?? [],
  };
}

function toLimits(resources: Resources): ResourceLimits | undefined {
  const limits: ResourceLimits = {};
  if (resources.memory !== undefined) limits.memoryBytes = resources.memory;
  if (resources.cpus !== undefined) limits.cpus = resources.cpus;
  if (resources.pids !== undefined) limits.pids = resources.pids;
  return Object.keys(limits).length === 0 ? undefined : limits;
}
