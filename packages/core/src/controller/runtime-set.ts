/**
 * The runtime drivers slipwayd runs instances on, by name (`process`, `docker`, `swarm`). The controller picks one by
 * the name a release's runtime plan gives and checks what it can do by its capabilities, never by its name.
 */
import { SlipwayError } from '@slipway/contract';
import type { ReleaseRecord } from '../domain/records.js';
import type { RuntimeDriver } from '../ports/runtime-driver.js';

export interface RuntimeSet {
  /** Names of the configured runtimes, in the order given. */
  readonly names: readonly string[];
  /** The driver of that name, or undefined when slipwayd runs without it. */
  find(name: string): RuntimeDriver | undefined;
  /** The driver of that name. Errors: `RUNTIME_UNAVAILABLE` when slipwayd runs without it. */
  get(name: string): RuntimeDriver;
}

export function createRuntimeSet(drivers: Readonly<Record<string, RuntimeDriver>>): RuntimeSet {
  const byName = new Map(Object.entries(drivers));
  return {
    names: [...byName.keys()],
    find: (name) => byName.get(name),
    get(name) {
      const driver = byName.get(name);
      if (driver === undefined) {
        throw new SlipwayError(
          'RUNTIME_UNAVAILABLE',
          `runtime "${name}" is not available in this slipwayd (it runs: ${[...byName.keys()].join(', ')})`,
          { details: { runtime: name, available: [...byName.keys()] } },
        );
      }
      return driver;
    },
  };
}

/**
 * Refuses a release the runtime cannot run: an image on a runtime that runs no images, or an artifact directory on
 * one that runs only images. Errors: `RUNTIME_UNAVAILABLE`, `RUNTIME_INCOMPATIBLE`.
 */
export function assertRuntimeRuns(
  runtimes: RuntimeSet,
  name: string,
  release: Pick<ReleaseRecord, 'image' | 'number'>,
) {
  const { capabilities } = runtimes.get(name);
  if (release.image !== null && !capabilities.runsImages) {
    throw new SlipwayError(
      'RUNTIME_INCOMPATIBLE',
      `release ${release.number} is the image ${release.image.reference}, and runtime "${name}" runs no images: set runtime: docker (or swarm) in slipway.yaml`,
      { details: { runtime: name } },
    );
  }
  if (release.image === null && !capabilities.runsArtifacts) {
    throw new SlipwayError(
      'RUNTIME_INCOMPATIBLE',
      `release ${release.number} was built without an image, and runtime "${name}" runs only images: add a Dockerfile, set image:, or use runtime: process`,
      { details: { runtime: name } },
    );
  }
}
