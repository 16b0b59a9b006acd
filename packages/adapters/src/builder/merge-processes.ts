/**
 * Applies `slipway.yaml` process commands over what the build found (builder defaults already overridden by the Procfile).
 *
 * Where it is applied: `Builder.build` returns processes *before* manifest overrides (see the port), and core cannot
 * import adapters, so core's build phase (`packages/core/src/deployment/build-phase.ts`) performs this same merge
 * inline; this function is the reference for that rule and for callers outside core (CLI previews, tests).
 */
import type { Manifest } from '@slipway/contract';

/** A manifest command replaces the found one; a process type known only to the manifest is added when it has a command. */
export function mergeProcesses(
  found: Readonly<Record<string, { command: string }>>,
  manifest: Pick<Manifest, 'processes'>,
): Record<string, { command: string }> {
  const merged: Record<string, { command: string }> = { ...found };
  for (const [name, spec] of Object.entries(manifest.processes ?? {})) {
    if (spec.command !== undefined) merged[name] = { command: spec.command };
  }
  return merged;
}
