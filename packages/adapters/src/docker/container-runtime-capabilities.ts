/** What a runtime driver built on a container engine (the Docker and Swarm drivers) can do. */
import type { RuntimeCapabilities } from '@slipway/core';

/**
 * What a container engine gives: containers outlive the control plane and are found again by their labels, the engine
 * enforces memory, CPU and pid limits, and runs commands inside a container; it runs images, never artifact directories.
 */
export const containerRuntimeCapabilities: RuntimeCapabilities = Object.freeze({
  survivesControlPlaneRestart: true,
  enforcesResourceLimits: true,
  supportsExec: true,
  runsArtifacts: false,
  runsImages: true,
});
